import {loadConfig, type AmeideConfig} from '../core/config.js'
import {prerequisiteError} from '../core/errors.js'
import {ExitCode, type ExitCodeValue} from '../core/exit-codes.js'
import {DEFAULT_RETRY_POLICY, type RetryPolicy} from '../core/retry.js'
import {registerSecret} from '../core/secrets.js'
import {retryPolicyWithTimings, type TestTimings} from '../core/test-timings.js'
import {gitMaybe} from '../effects/git.js'
import type {EvidenceFlags} from '../gitops/evidence/verifier.js'
import {discoverPrimitives} from '../verify/discover.js'
import type {StatusInput} from './input.js'
import {primitiveStatus, type StatusSources, type Unavailable} from './status.js'
import {argoReader, gitopsReader, verifyVerdict} from './sources.js'
import type {PrimitiveStatus, StatusResult} from './types.js'

export interface RunStatusRequest extends StatusInput {
  repoRoot: string
  skipVerify: boolean
  /** The evidence flags, set up exactly as `gitops verify --evidence` (src/gitops/evidence/verifier.ts). */
  evidence: EvidenceFlags
  apiUrl: string
  env: NodeJS.ProcessEnv
  timings: TestTimings
  onPrimitiveDone?: (p: PrimitiveStatus) => void
}

/** Primitives asked at once; each asks its links at once (registry 2, GitHub 2 + envs, Argo CD envs). */
export const STATUS_CONCURRENCY = 8

/**
 * Resolves everything local (config, commit, primitives; exit 2/3 here), builds the sources (tokens registered as
 * secrets; a missing token makes its links unknown, never an error), asks, and says how to exit: 0 all done, 1 not,
 * 4 a remote kept failing.
 */
export async function runStatus(request: RunStatusRequest): Promise<{result: StatusResult; exitCode: ExitCodeValue}> {
  const {config} = await loadConfig(request.repoRoot)
  const refs = await discoverPrimitives(request.repoRoot, request.selection)
  const sha = request.sha ?? (await headSha(request.repoRoot))
  const retryPolicy = retryPolicyWithTimings(DEFAULT_RETRY_POLICY, request.timings)

  const [{RegistryClient}] = await Promise.all([import('../effects/registry/client.js')])
  const registry = new RegistryClient({insecureHosts: config.insecureRegistries, retryPolicy, timeoutMs: 15_000})
  const evidence = await evidenceSource(request, config)
  const gitops = await gitopsSource(request, config, retryPolicy)
  const argo = await argocdSource(request, retryPolicy)

  const baseBranch = config.publish.baseBranch
  const outcome = await primitiveStatus(
    {
      primitives: refs.map((r) => ({kind: r.kind, name: r.name})),
      registry: config.registry,
      sha,
      version: request.version,
      environments: request.environments,
      branchPattern: config.gitops.branchPattern,
      gitopsRepository: config.gitops.repository,
      gitopsRef: config.gitops.ref,
      argocdServer: request.argocdServer,
      concurrency: STATUS_CONCURRENCY,
      onPrimitiveDone: request.onPrimitiveDone,
    },
    {
      verify: request.skipVerify ? null : (p) => verifyVerdict(request.repoRoot, p, baseBranch),
      registry,
      evidence,
      gitops,
      argocd: argo.argocd,
    },
  )
  const result: StatusResult = {
    ...outcome.result,
    requests: {
      registry: registry.requests,
      github: 'requests' in gitops ? gitops.requests : 0,
      argocd: argo.requests(),
    },
  }
  const exitCode = outcome.remoteFailed
    ? ExitCode.Remote
    : result.summary === 'done'
      ? ExitCode.Success
      : ExitCode.Failure
  return {result, exitCode}
}

/** `--evidence`: the verifier `gitops verify --evidence` would use, set up from the same flags; null without it. */
async function evidenceSource(request: RunStatusRequest, config: AmeideConfig): Promise<StatusSources['evidence']> {
  if (!request.evidence.evidence) return null
  const {evidenceFromFlags} = await import('../gitops/evidence/verifier.js')
  return (
    (
      await evidenceFromFlags(
        request.evidence,
        {
          insecureRegistries: config.insecureRegistries,
          sigstore: config.signing.sigstore,
          root: request.repoRoot,
          evidencePolicy: config.evidencePolicy,
        },
        request.env,
      )
    )?.verifier ?? null
  )
}

/** The GitOps repository read through GitHub; unavailable (its links unknown) without a GitHub token. */
async function gitopsSource(
  request: RunStatusRequest,
  config: AmeideConfig,
  retryPolicy: RetryPolicy,
): Promise<(ReturnType<typeof gitopsReader> & {requests: number}) | Unavailable> {
  const [owner, repo] = config.gitops.repository.split('/')
  const {openGitHub} = await import('../effects/github/index.js')
  const opened = await openGitHub({
    env: request.env,
    apiUrl: request.apiUrl,
    required: false,
    transport:
      request.timings.retryDelayMs !== undefined
        ? {retryBaseMs: request.timings.retryDelayMs, serverErrorRetries: Math.max(0, retryPolicy.attempts - 1)}
        : {},
  })
  if (!opened) {
    return {unavailable: 'no GitHub token (GH_TOKEN, GITHUB_TOKEN, gh auth token) to read the GitOps repository'}
  }
  return gitopsReader(opened.client, {owner, repo}, config.gitops.ref)
}

/**
 * `--argocd-server`: the Argo CD reader (its token registered as a secret) and how many requests it made; null
 * without the flag, unavailable without ARGOCD_AUTH_TOKEN.
 */
async function argocdSource(
  request: RunStatusRequest,
  retryPolicy: RetryPolicy,
): Promise<{argocd: StatusSources['argocd']; requests: () => number}> {
  if (!request.argocdServer) return {argocd: null, requests: () => 0}
  const argoToken = request.env.ARGOCD_AUTH_TOKEN?.trim()
  if (!argoToken) return {argocd: {unavailable: 'ARGOCD_AUTH_TOKEN is not set'}, requests: () => 0}
  registerSecret(argoToken)
  const {createArgoCdClient} = await import('../effects/argocd/argocd.js')
  const client = createArgoCdClient({server: request.argocdServer, token: argoToken, retryPolicy})
  return {argocd: argoReader(client), requests: () => client.requests}
}

async function headSha(repoRoot: string): Promise<string> {
  const head = await gitMaybe(repoRoot, ['rev-parse', 'HEAD'])
  if (!head.ok) {
    throw prerequisiteError('NO_COMMIT', `${repoRoot} has no commit, so there is no image to look for.`, [
      'Commit first, or pass --sha with the commit the image was published for.',
    ])
  }
  return head.stdout.trim()
}
