import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'

import {ERROR_CODES, isErrorCode} from '../../src/core/error-codes.js'

/**
 * The error-code registry is complete and every command's help lists what it can raise: the codes raised in every
 * module a command reaches through its imports (static, and the lazy `import('…')` ones) must appear in its
 * `--help` ERROR CODES, read from the built manifest.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const SRC = path.join(ROOT, 'src')

const files = (readdirSync(SRC, {recursive: true}) as string[])
  .filter((f) => f.endsWith('.ts'))
  .map((f) => path.join(SRC, f))
const text = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]))

/** Codes a module raises: the helpers' first argument, the tool runner's codes, AmeideError and problem codes. */
const RAISED =
  /(?:usageError|prerequisiteError|remoteError|failureError|new AmeideError)\(\s*'([A-Z][A-Z0-9_]+)'|(?:failureCode|remoteCode|missingCode|code): '([A-Z][A-Z0-9_]+)'/g

function raised(file: string): string[] {
  const out: string[] = []
  for (const m of text.get(file)!.matchAll(RAISED)) out.push(m[1] ?? m[2])
  // Node's own error codes (`code: 'ERR_…'` comparisons) are not ours.
  return out.filter((c) => !c.startsWith('ERR_'))
}

/** Modules reachable from `file` through relative imports (static and dynamic). */
function reachable(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen
  seen.add(file)
  // Type-only imports carry no code.
  const code = text.get(file)!.replace(/^(?:import|export) type [^;]*?from '[^']+'/gms, '')
  for (const m of code.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) {
    const target = path.resolve(path.dirname(file), m[1].replace(/\.js$/, '.ts'))
    if (text.has(target)) reachable(target, seen)
  }
  return seen
}

const manifest = JSON.parse(readFileSync(path.join(ROOT, 'oclif.manifest.json'), 'utf8')) as {
  commands: Record<string, {description: string}>
}
const helpCodes = (id: string) =>
  new Set(
    [...manifest.commands[id].description.split('ERROR CODES')[1].matchAll(/^ {2}([A-Z][A-Z0-9_]+): exit/gm)].map(
      (m) => m[1],
    ),
  )

/**
 * Codes a command reaches through a shared module but cannot raise, with the reason: a module is the unit this
 * test sees, not a function.
 */
/** The codes effects/github/errors.ts and token.ts raise (status and doctor reach them, and report instead). */
const GITHUB_CODES = [
  'GITHUB_BAD_REQUEST',
  'GITHUB_BAD_TOKEN',
  'GITHUB_ERROR',
  'GITHUB_INPUTS_REJECTED',
  'GITHUB_NOT_FOUND',
  'GITHUB_PERMISSION_DENIED',
  'GITHUB_RATE_LIMITED',
  'GITHUB_REJECTED',
  'GITHUB_TOKEN_MISSING',
  'GITHUB_UNAVAILABLE',
]

/** --scm-provider github (src/gitops/argocd/applicationset/scm-providers/listing.ts): every GitHub failure, and no token, is an answer, not a raise. */
const SCM_WHY =
  "the scmProvider generator's GitHub failures and a missing token become that generator's render-failed finding " +
  '(src/gitops/argocd/applicationset/scm-providers/listing.ts catches every GitHubApiError and never calls mapGitHubError or missingTokenError)'

const CANNOT_RAISE: Record<string, {codes: string[]; why: string}> = {
  'gitops:diff': {why: SCM_WHY, codes: GITHUB_CODES},
  'gitops:preview': {why: SCM_WHY, codes: GITHUB_CODES},
  'primitive:status': {
    why:
      'every source (verify, registry, cosign evidence, GitHub, Argo CD) is asked through `ask` in src/status/status.ts: ' +
      'its error becomes an unknown link with the reason (exit 1, or 4 when a remote kept failing), never the command error',
    codes: [
      'ATTESTATION_INVALID',
      'ATTEST_FAILED',
      'ATTEST_REMOTE_FAILED',
      'BASE_NOT_FOUND',
      'COSIGN_KEY_INVALID',
      'COSIGN_KEY_UNREADABLE',
      'COSIGN_NOT_USABLE',
      'COSIGN_PASSWORD_MISSING',
      ...GITHUB_CODES,
      'GIT_DIFF_FAILED',
      'KEYLESS_REQUIRES_TLOG',
      'NOT_A_DIGEST_REFERENCE',
      'OIDC_TOKEN_UNAVAILABLE',
      'REGISTRY_DIGEST_MISMATCH',
      'REGISTRY_REQUEST_FAILED',
      'REGISTRY_UNAUTHORIZED',
      'REGISTRY_UNAVAILABLE',
      'REGISTRY_UNREACHABLE',
      'SHALLOW_CLONE',
      'SHA_NOT_FOUND',
      'SIGNATURE_INVALID',
      'SIGNING_KEY_MISSING',
      'SIGN_FAILED',
      'SIGN_REMOTE_FAILED',
      'TOOL_NOT_FOUND',
      'UNKNOWN_CHECK',
      'UNSUPPORTED_LANGUAGE',
      'UNSUPPORTED_MODE',
      'VERIFY_FAILED',
      'VERIFY_REMOTE_FAILED',
      'CERTIFICATE_CHAIN_UNTRUSTED',
      'FULCIO_REFUSED_TOKEN',
      'OIDC_TOKEN_REFUSED',
      'OIDC_TOKEN_ENDPOINT_FAILED',
      'SIGNER_IDENTITY_MISMATCH',
    ],
  },
  'gitops:verify': {
    why:
      'cosign.ts also signs and attests; gitops verify only asks hasValidSignature / hasValidAttestation; it reads ' +
      'the working tree through src/gitops/revision, whose REVISION_UNREADABLE is for a commit; ' +
      SCM_WHY,
    codes: [
      ...GITHUB_CODES,
      'REVISION_UNREADABLE',
      'COSIGN_NOT_USABLE',
      'OIDC_TOKEN_UNAVAILABLE',
      'KEYLESS_REQUIRES_TLOG',
      'SIGNING_KEY_MISSING',
      'COSIGN_KEY_UNREADABLE',
      'COSIGN_PASSWORD_MISSING',
      'COSIGN_KEY_INVALID',
      'SIGN_FAILED',
      'SIGN_REMOTE_FAILED',
      'SIGNATURE_INVALID',
      'ATTEST_FAILED',
      'ATTEST_REMOTE_FAILED',
      'ATTESTATION_INVALID',
      'VERIFY_FAILED',
      'TOOL_NOT_FOUND',
      'NOT_A_DIGEST_REFERENCE',
      // signing only: the keyless preflight and the explained failures of sign/verify after signing
      'CERTIFICATE_CHAIN_UNTRUSTED',
      'FULCIO_REFUSED_TOKEN',
      'OIDC_TOKEN_REFUSED',
      'OIDC_TOKEN_ENDPOINT_FAILED',
      'SIGNER_IDENTITY_MISMATCH',
    ],
  },
  'gitops:set-image': {
    why: "a 422 while opening the PR is GITHUB_REJECTED (effects/github/errors.ts' 'pr' stage)",
    codes: ['GITHUB_INPUTS_REJECTED'],
  },
  'gitops:promote': {
    why: 'promote reads no publish report; a 422 while opening the PR is GITHUB_REJECTED',
    codes: ['INVALID_REPORT', 'GITHUB_INPUTS_REJECTED'],
  },
  'primitive:gitops:scaffold': {
    why: 'resolveRepoRoot runs only with --repo-root (a directory check); kinds.ts parses --lang for scaffold only; no PR stage',
    codes: ['NOT_A_GIT_REPOSITORY', 'UNSUPPORTED_LANGUAGE', 'GITHUB_REJECTED'],
  },
  'primitive:gitops:update-images': {
    why: 'resolveRepoRoot runs only with --repo-root (a directory check); no PR stage (the workflow opens the PR)',
    codes: ['NOT_A_GIT_REPOSITORY', 'GITHUB_REJECTED'],
  },
  doctor: {
    why:
      'doctor reports, never raises: a probe that fails is a missing or unusable line (src/doctor/probe.ts catches ' +
      'TOOL_NOT_FOUND), an invalid ameide.yaml is the config line, outside a repository is resolveRootMaybe (no ' +
      "NOT_A_GIT_REPOSITORY), the token check reads GitHubApiError's status itself and calls no SBOM generator; the " +
      "cosign line asks cosign's version (effects/cosign/version.ts) only after its probe found cosign running, and a " +
      'failure there leaves the line as probed',
    codes: [
      'CONFIG_INVALID',
      'COSIGN_NOT_FOUND',
      'COSIGN_NOT_USABLE',
      ...GITHUB_CODES,
      'NOT_A_GIT_REPOSITORY',
      'SBOM_FAILED',
      'SBOM_REMOTE_FAILED',
      'SBOM_TOOL_NOT_FOUND',
      'SKOPEO_NOT_FOUND',
      'TOOL_NOT_FOUND',
    ],
  },
  'primitive:publish': {why: 'kinds.ts parses --lang for scaffold only', codes: ['UNSUPPORTED_LANGUAGE']},
  'primitive:verify': {
    why: "kinds.ts parses --lang for scaffold only; change detection's errors (changes/detect.ts) become a buf-breaking skip with the reason",
    codes: [
      'UNSUPPORTED_LANGUAGE',
      'INVALID_SHA',
      'SHA_NOT_FOUND',
      'NO_COMMIT',
      'SHALLOW_CLONE',
      'BASE_NOT_FOUND',
      'GIT_DIFF_FAILED',
    ],
  },
}

const commandFile = (id: string) => path.join(SRC, 'commands', `${id.split(':').join('/')}.ts`)

describe('the error-code registry', () => {
  it('holds every code raised in src/, and every code it holds is raised somewhere', () => {
    const all = new Set(files.flatMap(raised))
    console.log(
      'UNREG',
      [...all].filter((c) => !isErrorCode(c)),
      'UNUSED',
      Object.keys(ERROR_CODES).filter(
        (c) =>
          ![...text.entries()]
            .filter(([f]) => !f.endsWith('error-codes.ts'))
            .map(([, t]) => t)
            .join('\n')
            .includes(`'${c}'`),
      ),
    )
    expect([...all].filter((c) => !isErrorCode(c))).toEqual([])
    const used = [...text.entries()]
      .filter(([f]) => !f.endsWith('error-codes.ts'))
      .map(([, t]) => t)
      .join('\n')
    expect(Object.keys(ERROR_CODES).filter((c) => !used.includes(`'${c}'`))).toEqual([])
  })

  it.each(Object.keys(manifest.commands).filter((id) => text.has(commandFile(id))))(
    '%s: --help lists every code its modules can raise',
    (id) => {
      const listed = helpCodes(id)
      const modules = [...reachable(commandFile(id))]
      const missing = new Map<string, string>()
      const exempt = new Set(CANNOT_RAISE[id]?.codes ?? [])
      for (const m of modules) {
        for (const c of raised(m)) if (!listed.has(c) && !exempt.has(c)) missing.set(c, path.relative(SRC, m))
      }
      expect(Object.fromEntries(missing)).toEqual({})
    },
  )
})
