import {execa} from 'execa'
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {COSIGN_UNDER_TEST, REPO_ROOT, requireTool, toolEnv} from './toolchain.js'

/**
 * Flags for cosign fully offline against a plain-HTTP loopback registry (see docs/toolchain.md), for the cosign under
 * test (test/support/toolchain.ts):
 * - sign/attest, cosign 2: `--tlog-upload=false` (else it POSTs to rekor.sigstore.dev and fails); cosign 3 refuses
 *   that beside its signing config: a signing config without services and an empty trusted root instead (else it
 *   asks TUF for the public ones);
 * - verify/verify-attestation: `--insecure-ignore-tlog` (else it fetches Rekor keys via TUF and fails);
 * - `--allow-http-registry` always (needed for non-loopback hosts; `--allow-insecure-registry` is TLS skip-verify,
 *   not needed for plain HTTP).
 */
const OFFLINE_FILES = path.join(REPO_ROOT, 'test/fixtures/sigstore/offline')
export const COSIGN_SIGN_OFFLINE_FLAGS: readonly string[] =
  COSIGN_UNDER_TEST === 3
    ? [
        '--signing-config',
        path.join(OFFLINE_FILES, 'signing_config.json'),
        '--trusted-root',
        path.join(OFFLINE_FILES, 'trusted_root.json'),
        '--allow-http-registry',
        '--yes',
      ]
    : ['--tlog-upload=false', '--allow-http-registry', '--yes']
export const COSIGN_VERIFY_OFFLINE_FLAGS: readonly string[] = ['--insecure-ignore-tlog', '--allow-http-registry']
/** `attest`'s flag that keeps one attestation per type (cosign 2); cosign 3 deprecates it (each is a referrer). */
const REPLACE: readonly string[] = COSIGN_UNDER_TEST === 3 ? [] : ['--replace']

export interface CosignKeyPair {
  dir: string
  privateKey: string
  publicKey: string
  /**
   * Env for cosign calls with this key: COSIGN_PASSWORD (the test-only key password), TUF_ROOT inside `dir`
   * (keeps ~/.sigstore untouched), PATH with .tools/bin. Never log it.
   */
  env: Record<string, string>
}

/** Env for cosign: tool PATH, TUF_ROOT in `dir`, plus `extra`. */
export function cosignEnv(dir: string, extra: Record<string, string> = {}): Record<string, string> {
  return toolEnv({TUF_ROOT: path.join(dir, 'tuf'), ...extra})
}

/** Runs cosign (60 s timeout, as a stray network call must not hang a test); returns stdout. */
export async function cosign(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<string> {
  const {stdout} = await execa(requireTool('cosign'), args, {env, extendEnv: false, timeout: timeoutMs})
  return stdout
}

/**
 * `cosign generate-key-pair` in `dir` (a temp dir: keys never go anywhere else), with the password passed
 * through COSIGN_PASSWORD in the environment. Returns the paths of cosign.key / cosign.pub.
 */
export async function generateKeyPair(dir: string, password: string): Promise<CosignKeyPair> {
  await mkdir(dir, {recursive: true})
  const env = cosignEnv(dir, {COSIGN_PASSWORD: password})
  await execa(requireTool('cosign'), ['generate-key-pair'], {cwd: dir, env, extendEnv: false, timeout: 60_000})
  return {dir, privateKey: path.join(dir, 'cosign.key'), publicKey: path.join(dir, 'cosign.pub'), env}
}

/** `cosign sign --key … <ref>` offline; `ref` should be digest-pinned (`host/repo@sha256:…`). */
export async function signImage(
  keys: CosignKeyPair,
  ref: string,
  extraEnv: Record<string, string> = {},
): Promise<void> {
  await cosign(['sign', '--key', keys.privateKey, ...COSIGN_SIGN_OFFLINE_FLAGS, ref], {...keys.env, ...extraEnv})
}

/** `cosign verify --key … <ref>` offline; returns the parsed JSON payloads (throws if verification fails). */
export async function verifyImage(
  keys: CosignKeyPair,
  ref: string,
  extraEnv: Record<string, string> = {},
): Promise<unknown[]> {
  const stdout = await cosign(
    ['verify', '--key', keys.publicKey, ...COSIGN_VERIFY_OFFLINE_FLAGS, '--output', 'json', ref],
    {
      ...keys.env,
      ...extraEnv,
    },
  )
  return JSON.parse(stdout) as unknown[]
}

/** `cosign verify-attestation --type TYPE` of `ref` with the test key, offline; its stdout (one line per attestation). */
export async function verifyAttestation(keys: CosignKeyPair, ref: string, type: string): Promise<string> {
  return cosign(
    ['verify-attestation', '--key', keys.publicKey, ...COSIGN_VERIFY_OFFLINE_FLAGS, '--type', type, ref],
    keys.env,
  )
}

/** `cosign attest` (`--replace` with cosign 2) of `predicate` as `type` on `ref`, with `keys`, offline. */
export async function attestImage(keys: CosignKeyPair, ref: string, type: string, predicate: unknown): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ameide-predicate-'))
  const file = path.join(dir, 'predicate.json')
  await writeFile(file, JSON.stringify(predicate))
  const args = ['attest', '--key', keys.privateKey, ...COSIGN_SIGN_OFFLINE_FLAGS, ...REPLACE, '--type', type]
  await cosign([...args, '--predicate', file, ref], keys.env).finally(() => rm(dir, {recursive: true, force: true}))
}
