import type {ExitCodeValue} from './exit-codes.js'

/**
 * Every error code ameide can raise, with its exit code and a one-line summary: the one registry the errors, each
 * command's `--help` (ERROR CODES) and docs read. A code means the same thing everywhere and never changes meaning.
 * `exit` is a list where one code has two exits by context (BASE_NOT_FOUND: 2 for a bad --base, 3 for none).
 * A test (test/core/error-codes.test.ts) fails when a code raised in src/ is missing here or from the help of a
 * command that can raise it.
 */
// One code a line: the registry reads as a table.
// prettier-ignore
export const ERROR_CODES = {
  AMBIGUOUS_REFERENCE: {exit: 1, summary: 'a reference written with escapes or as a block string (nothing written)'},
  AMBIGUOUS_SOURCE: {exit: 1, summary: 'promote: the source overlay holds two refs for one repository'},
  ATTESTATION_INVALID: {exit: 1, summary: 'an attestation did not verify after it was made'},
  ATTEST_FAILED: {exit: 1, summary: 'cosign attest failed (per component, in failures[])'},
  ATTEST_REMOTE_FAILED: {exit: 4, summary: 'the registry kept failing while attesting'},
  BASE_NOT_FOUND: {exit: [2, 3], summary: 'no base to compare with'},
  BUILDER_NOT_AVAILABLE: {exit: 3, summary: 'the chosen builder is installed but cannot build here'},
  BUILDER_NOT_FOUND: {exit: 3, summary: 'no usable builder (docker buildx, buildah, podman)'},
  BUILD_FAILED: {exit: 1, summary: 'the image build failed (per component, in failures[])'},
  BUILD_REMOTE_FAILED: {exit: 4, summary: 'the registry kept failing during the build push'},
  CANCELLED: {exit: 1, summary: 'a cancelled call (ameide mcp): a component not started; a dispatch not sent or no longer followed'},
  CERTIFICATE_CHAIN_UNTRUSTED: {exit: 3, summary: 'the keyless certificate does not chain to the trusted roots (--ca-roots)'},
  CHECKOUT_LOCKED: {exit: 4, summary: 'another writer held the checkout longer than ameide waits (nothing written)'},
  COMPONENT_DUPLICATED: {exit: 2, summary: 'publish merge: a component is reported by two shards'},
  COMPONENT_MISSING: {exit: 2, summary: 'publish merge: a component of a shard is in none of its images or failures'},
  COMPONENT_NOT_FOUND: {exit: 2, summary: '--component names no folder with a Dockerfile'},
  CONFIG_INVALID: {exit: 3, summary: "the GitOps repository's ameide.yaml is invalid"},
  CONFLICTING_REFS: {exit: 2, summary: 'two different refs for one repository'},
  COSIGN_KEY_INVALID: {exit: 3, summary: 'cosign cannot open the key (wrong key reference or password)'},
  COSIGN_KEY_UNREADABLE: {exit: 3, summary: 'the signing key file or variable is missing'},
  COSIGN_NOT_FOUND: {exit: 3, summary: '--evidence and cosign is not installed'},
  COSIGN_NOT_USABLE: {exit: 3, summary: 'cosign is missing or does not run'},
  COSIGN_PASSWORD_MISSING: {exit: 3, summary: 'the key is encrypted and COSIGN_PASSWORD is not set'},
  ENVIRONMENT_NOT_FOUND: {exit: 2, summary: 'the environment overlay holds no YAML file'},
  FILE_CHANGED: {exit: 1, summary: 'a file changed between planning and writing (nothing written)'},
  FILE_NOT_WRITABLE: {exit: 3, summary: 'a target file or its folder is not writable (nothing written)'},
  FULCIO_REFUSED_TOKEN: {exit: 3, summary: 'Fulcio refused the OIDC token (issuer or audience it does not trust)'},
  GITHUB_BAD_REQUEST: {exit: 2, summary: 'GitHub rejected the request (400)'},
  GITHUB_BAD_TOKEN: {exit: 3, summary: 'GitHub rejected the token (401)'},
  GITHUB_ERROR: {exit: 4, summary: 'another unexpected GitHub answer'},
  GITHUB_INPUTS_REJECTED: {exit: 2, summary: 'GitHub rejected the inputs (422)'},
  GITHUB_NOT_FOUND: {exit: 3, summary: 'the repository or --base does not exist, or the token cannot see it (404)'},
  GITHUB_PERMISSION_DENIED: {exit: 3, summary: 'the token may not write contents or pull requests (403)'},
  GITHUB_RATE_LIMITED: {exit: 4, summary: 'rate limited longer than ameide waits'},
  GITHUB_REJECTED: {exit: 2, summary: 'GitHub rejected a write (422)'},
  GITHUB_TOKEN_MISSING: {exit: 3, summary: '--open-pr and no GH_TOKEN / GITHUB_TOKEN / gh auth token'},
  GITHUB_UNAVAILABLE: {exit: 4, summary: 'GitHub kept failing (5xx, network) after retries'},
  GIT_DIFF_FAILED: {exit: 3, summary: 'git could not compute the change set'},
  INPUTS_NOT_ACCEPTED: {exit: 2, summary: 'several of the above at once'},
  INPUTS_TOO_LARGE: {exit: 2, summary: "the inputs exceed GitHub's 65,535-character limit"},
  INPUT_NOT_ALLOWED: {exit: 2, summary: "a value is outside a choice input's options"},
  INPUT_NOT_DECLARED: {exit: 2, summary: 'the workflow does not declare an input ameide sends'},
  IMAGES_NOT_WIRED: {exit: 1, summary: '--require-all and an image has no reference in the environment (nothing written)'},
  INTERRUPTED_WRITE_CONFLICT: {exit: 1, summary: 'an interrupted write cannot be finished: a file it names was edited since (nothing written)'},
  INTERNAL_ERROR: {exit: 1, summary: 'an unexpected error (a bug in ameide if it repeats)'},
  INVALID_API_URL: {exit: 2, summary: '--api-url / GITHUB_API_URL is not an http(s) URL'},
  INVALID_ARGOCD_SERVER: {exit: 2, summary: '--argocd-server is not an http(s) URL or host[:port]'},
  INVALID_BRANCH: {exit: 2, summary: '--branch is not a branch name'},
  INVALID_BUILDER: {exit: 2, summary: '--builder names no builder'},
  INVALID_BUILD_ARG: {exit: 2, summary: '--build-arg is not KEY=VALUE'},
  INVALID_COMPONENT: {exit: 2, summary: '--component is not KIND/NAME'},
  INVALID_DURATION: {exit: 2, summary: '--timeout is not a positive duration'},
  INVALID_ENVIRONMENT: {exit: 2, summary: 'an environment name is not a lowercase DNS label'},
  INVALID_IMAGE_REF: {exit: 2, summary: 'a ref is not <repository>:<tag>@sha256:<64 hex>, or carries a floating tag'},
  INVALID_KIND: {exit: 2, summary: '--kind is not one of the six kinds'},
  INVALID_NAME: {exit: 2, summary: '--name is not kebab-case or longer than 33 characters'},
  INVALID_PLATFORM: {exit: 2, summary: '--platform is not os/arch[/variant]'},
  INVALID_PULL_REQUEST: {exit: 2, summary: 'gitops preview: no --pr/--head-sha (nor a pull_request event), or one is malformed'},
  INVALID_REGISTRY: {exit: 2, summary: '--registry is not host[:port]/namespace'},
  INVALID_REPORT: {exit: 2, summary: '--report is not a publish report (schemaVersion 1)'},
  INVALID_REPOSITORY: {exit: 2, summary: '--open-pr without --repo OWNER/NAME'},
  INVALID_SELECTION: {exit: 2, summary: '--all with --kind/--name, or only one of --kind/--name'},
  INVALID_SHA: {exit: 2, summary: '--sha is not 40 lowercase hex characters'},
  INVALID_SHARD: {exit: 2, summary: '--shard is not I/N with 1 ≤ I ≤ N ≤ 256, or --max-shards is out of range'},
  INVALID_SIGSTORE_SETTING: {exit: 2, summary: 'a Sigstore URL is not http(s), carries credentials, or a setting is empty'},
  INVALID_TOOLS: {exit: 2, summary: 'mcp: --tools names a tool the server does not offer'},
  INVALID_USAGE: {exit: 2, summary: 'a flag is unknown, missing or combined wrongly'},
  INVALID_VERSION: {exit: 2, summary: '--version does not match ^v[0-9]+$'},
  INVALID_WORKFLOW: {exit: 2, summary: '--workflow is not a .yml/.yaml file name'},
  KEYLESS_IDENTITY_MISSING: {exit: 3, summary: '--evidence without --key needs an identity regexp and an OIDC issuer'},
  KEYLESS_REQUIRES_TLOG: {exit: 2, summary: '--keyless with --no-tlog and no timestamp authority (a trusted time)'},
  NOTHING_CHECKED: {exit: 3, summary: 'no file fell in a checked zone of the layout (or --require-render found nothing to render)'},
  NOTHING_TO_UPDATE: {exit: 2, summary: 'the report holds no published image'},
  NOT_A_DIGEST_REFERENCE: {exit: 2, summary: 'cosign was asked to sign or verify a reference without a digest'},
  NOT_A_GIT_REPOSITORY: {exit: 3, summary: 'no --root and the current directory is not in a git repository'},
  NO_COMMIT: {exit: 3, summary: 'the repository has no commit'},
  NO_PRIMITIVE_SELECTED: {exit: 2, summary: 'no --kind/--name or --all, and the current directory is not inside a primitive'},
  OIDC_TOKEN_ENDPOINT_FAILED: {exit: 4, summary: 'the OIDC token endpoint kept failing (5xx, 429, unreachable) after retries'},
  OIDC_TOKEN_REFUSED: {exit: 3, summary: 'the OIDC token endpoint answered 401/403 (add `permissions: id-token: write`)'},
  OIDC_TOKEN_UNAVAILABLE: {exit: 3, summary: 'keyless signing without an OIDC token (add `permissions: id-token: write`)'},
  OVERLAY_NOT_YAML: {exit: 1, summary: 'a file of the overlay does not parse (nothing written)'},
  PATH_OUTSIDE_REPOSITORY: {exit: 2, summary: 'primitives/<kind>/<name> resolves outside the repository'},
  PERMISSION_DENIED: {exit: 3, summary: 'the operating system refused access to a file'},
  PREREQUISITES_MISSING: {exit: 3, summary: 'ameide doctor: a tool a command of this repository needs is missing or unusable (the report is printed)'},
  PRIMITIVE_NOT_FOUND: {exit: 2, summary: 'primitives/<kind>/<name>/ does not exist'},
  PUSHED_IMAGE_NOT_FOUND: {exit: 1, summary: 'the registry does not have the image just pushed'},
  PUSH_FAILED: {exit: 1, summary: 'pushing the image failed (per component, in failures[])'},
  PUSH_REMOTE_FAILED: {exit: 4, summary: 'the registry kept failing during the push'},
  REGISTRY_DIGEST_MISMATCH: {exit: 1, summary: 'the registry returned other bytes than the digest asked for'},
  REGISTRY_REQUEST_FAILED: {exit: 1, summary: 'the registry answered an unexpected error'},
  REGISTRY_UNAUTHORIZED: {exit: 3, summary: 'the registry refused the credentials'},
  REGISTRY_UNAVAILABLE: {exit: 4, summary: 'the registry kept failing (429/5xx/resets) after retries'},
  REGISTRY_UNREACHABLE: {exit: 4, summary: 'the registry cannot be reached'},
  REPO_ROOT_NOT_FOUND: {exit: 2, summary: '--root is not a directory'},
  REQUIRED_INPUT_MISSING: {exit: 2, summary: 'the workflow requires an input ameide does not send'},
  RETAG_DIGEST_MISMATCH: {exit: 1, summary: 'the registry stored a re-tag under another digest'},
  REVISION_NOT_FOUND: {exit: 2, summary: 'gitops diff: --head names no commit'},
  REVISION_UNREADABLE: {exit: 1, summary: 'gitops diff: a revision could not be read from git objects'},
  REWRITE_CHECK_FAILED: {exit: 1, summary: 'an edited file did not read back as planned (nothing written)'},
  ROOT_OUTSIDE_ROOTS: {exit: 2, summary: "mcp: a tool's root or path is outside the client's roots (nothing read)"},
  RUN_NOT_FOUND: {exit: 4, summary: 'dispatched, but the run could not be found'},
  SBOM_FAILED: {exit: 1, summary: 'generating the SBOM failed (per component, in failures[])'},
  SBOM_REMOTE_FAILED: {exit: 4, summary: 'the registry kept failing while the SBOM tool read the image'},
  SBOM_TOOL_NOT_FOUND: {exit: 3, summary: 'neither syft nor cdxgen is installed (or --sbom none)'},
  SHALLOW_CLONE: {exit: 3, summary: 'the clone is too shallow to detect changes (fetch-depth: 0, or --base/--all)'},
  SHARD_DUPLICATED: {exit: 2, summary: 'publish merge: two reports for one shard'},
  SHARD_MISSING: {exit: 2, summary: 'publish merge: a shard of the plan has no report'},
  SHARD_REPORT_INVALID: {exit: 2, summary: 'publish merge: a REPORT is not a shard report (publish --shard --json)'},
  SHARD_REPORT_MISMATCH: {exit: 2, summary: 'publish merge: the shard reports disagree on sha, registry, base or plan'},
  SHA_NOT_FOUND: {exit: 2, summary: '--sha names no commit in the repository'},
  SIGNATURE_INVALID: {exit: 1, summary: 'a signature did not verify after signing'},
  SIGNER_IDENTITY_MISMATCH: {exit: 1, summary: 'a keyless certificate is for another identity than this run expects'},
  SIGNING_KEY_MISSING: {exit: 2, summary: 'key signing without a key reference'},
  SIGNING_NOT_CONFIGURED: {exit: 3, summary: 'no --key, not in GitHub Actions (keyless), and no --no-sign'},
  SIGN_FAILED: {exit: 1, summary: 'cosign sign failed (per component, in failures[])'},
  SIGN_REMOTE_FAILED: {exit: 4, summary: 'the registry or a Sigstore service (Fulcio, Rekor, TSA) kept failing while signing'},
  SIGSTORE_FILE_UNREADABLE: {exit: 3, summary: 'a Sigstore file (--ca-roots, --rekor-public-key, chain) is missing'},
  SKOPEO_NOT_FOUND: {exit: 3, summary: 'skopeo is not installed (the SBOM tool reads images with it)'},
  STALE_CHECKOUT: {exit: 3, summary: 'the checkout is not at the head of --base (nothing pushed)'},
  TOOL_NOT_FOUND: {exit: 3, summary: 'a required tool is not installed'},
  UNKNOWN_CHECK: {exit: 2, summary: '--check names a check that does not exist'},
  UNKNOWN_RULE: {exit: 2, summary: '--rule names a rule that does not exist'},
  UNSAFE_PATH: {exit: 1, summary: 'a target is a symbolic link or lies outside the repository (nothing written)'},
  UNSUPPORTED_LANGUAGE: {exit: 2, summary: "--lang is not the kind's canonical language"},
  UNSUPPORTED_MODE: {exit: 2, summary: '--mode cluster|all (legacy cluster-health modes; use --mode repo)'},
  UPDATE_MAIN_IN_SHARD: {exit: 2, summary: '--update-main with --shard (only publish merge moves :main)'},
  VERIFY_FAILED: {exit: 1, summary: 'cosign verify failed for another reason than a missing signature'},
  VERIFY_REMOTE_FAILED: {exit: 4, summary: 'the registry kept failing while cosign verified'},
  WAIT_TIMEOUT: {exit: 4, summary: '--wait reached --timeout before the run completed'},
  WORKFLOW_FILE_INVALID: {exit: 3, summary: 'the workflow file is not valid YAML'},
  WORKFLOW_NOT_DISPATCHABLE: {exit: 3, summary: 'the workflow file has no workflow_dispatch trigger'},
} as const satisfies Record<string, {exit: ExitCodeValue | readonly ExitCodeValue[]; summary: string}>

export type ErrorCode = keyof typeof ERROR_CODES

type ExitOf<C extends ErrorCode> = (typeof ERROR_CODES)[C]['exit'] extends readonly (infer E)[]
  ? E
  : (typeof ERROR_CODES)[C]['exit']

/** The codes registered with exit `E` (or with `E` among their exits): what `usageError` etc. accept. */
export type CodeWithExit<E extends ExitCodeValue> = {[C in ErrorCode]: E extends ExitOf<C> ? C : never}[ErrorCode]

/** The exits of a code, for help text. */
export function exitsOf(code: ErrorCode): readonly ExitCodeValue[] {
  const exit = ERROR_CODES[code].exit as ExitCodeValue | readonly ExitCodeValue[]
  return typeof exit === 'number' ? [exit] : exit
}

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(ERROR_CODES, value)
}
