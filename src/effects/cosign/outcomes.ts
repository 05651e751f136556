/**
 * What a `cosign verify` or `cosign verify-attestation` run means, by its meaning rather than its exit code alone:
 * cosign 2 and cosign 3 say the same things with other codes (cosign 3 verifies a bundle as an attestation, so
 * "another signer" is its exit 1 `no matching attestations: …` where cosign 2 exits 12 `no matching signatures`).
 * From cosign's own definitions (`pkg/cosign/errors.go`, `cmd/cosign/errors/exit_codes.go`) and messages, both
 * versions measured against the real registry:
 * - `verified`: exit 0;
 * - `none`: nothing of the kind is stored (exit 10 `no signatures found`; `none of the attestations matched the
 *   predicate type`; cosign 2's `no matching attestations:` with no reason);
 * - `tampered`: a signature that verifies, about another image (`invalid or missing digest in claim`, `provided
 *   artifact digest does not match any digest in statement`);
 * - `other-signer`: signatures are there and none verifies with this key or identity (exit 12, or `no matching
 *   signatures|attestations: <why>`);
 * - `failed`: anything else — cosign could not run (a flag refused, a key unreadable, a trusted root that does not
 *   load): never a verdict about the image.
 */
import type {ToolResult} from '../tools.js'

export type VerifyOutcome =
  | {status: 'verified'}
  | {status: 'none'}
  | {status: 'tampered'; reason: string}
  | {status: 'other-signer'; reason: string}
  | {status: 'failed'; reason: string}

/** cosign's exit codes (cmd/cosign/errors/exit_codes.go). */
const IMAGE_WITHOUT_SIGNATURE = 10
const NO_MATCHING_SIGNATURE = 12

const NONE = [
  /no signatures found/i,
  /none of the attestations matched the predicate type/i,
  /no matching attestations:\s*$/im,
]
const TAMPERED = [/invalid or missing digest in claim/i, /artifact digest does not match/i]
const NOT_MATCHING = /no matching (?:signatures|attestations):\s*\S/i

export function verifyOutcome(result: ToolResult): VerifyOutcome {
  if (result.exitCode === 0) return {status: 'verified'}
  const text = `${result.stderr}\n${result.stdout}`
  const reason = cosignReason(text)
  if (result.exitCode === IMAGE_WITHOUT_SIGNATURE || NONE.some((r) => r.test(text))) return {status: 'none'}
  if (TAMPERED.some((r) => r.test(text))) return {status: 'tampered', reason}
  if (result.exitCode === NO_MATCHING_SIGNATURE || NOT_MATCHING.test(text)) return {status: 'other-signer', reason}
  return {status: 'failed', reason}
}

/** cosign's own words: its last `Error:` line (or last line), without the `error during command execution` prefix. */
export function cosignReason(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
  const last = [...lines].reverse().find((l) => /^(Error:|error during command execution:)/.test(l)) ?? lines.at(-1)
  return (last ?? '').replace(/^(Error:|error during command execution:)\s*/, '').slice(0, 500)
}
