/**
 * Credentials, present or not, never printed: the configured registry's (looked up the way publish does:
 * REGISTRY_AUTH_FILE, the docker config and its helpers, GITHUB_TOKEN for ghcr.io), and the GitHub token
 * (GH_TOKEN, GITHUB_TOKEN, `gh auth token`) with one cheap call that says whether it may dispatch the GitOps
 * repository's workflows: skipped with --offline, given up after a short timeout ("unknown").
 */
import type {AmeideConfig} from '../core/config.js'
import {createGitHubClient} from '../effects/github/client.js'
import {GitHubApiError} from '../effects/github/errors.js'
import {findToken} from '../effects/github/token.js'
import {DockerStyleCredentials} from '../effects/registry/credentials.js'
import {isPlainHttp} from '../effects/registry/hosts.js'
import {registryApiHost, tryParseImageReference} from '../images/reference.js'
import type {ProbedCheck} from './types.js'

type Line = ProbedCheck
type Env = Record<string, string | undefined>

/** How long the GitHub call may take before its answer is "unknown". */
export const NETWORK_TIMEOUT_MS = 5_000

export async function checkRegistryCredentials(config: AmeideConfig, env: Env, home?: string): Promise<Line> {
  const registry = tryParseImageReference(`${config.registry}/probe`)?.registry ?? config.registry.split('/')[0]
  const host = registryApiHost(registry)
  const title = `registry credentials (${host})`
  const fix = `docker login ${host} (or podman login --authfile "$REGISTRY_AUTH_FILE" ${host}; GitHub Actions: GITHUB_TOKEN for ghcr.io)`
  let found
  try {
    found = await new DockerStyleCredentials({env, home}).get(host)
  } catch (error) {
    return {id: 'registry-credentials', title, status: 'unusable', version: null, detail: (error as Error).message, fix}
  }
  if (found) {
    return {
      id: 'registry-credentials',
      title,
      status: 'ok',
      version: null,
      detail: `credentials for ${host} from ${found.source}`,
      fix: null,
    }
  }
  const plain = isPlainHttp(host, config.insecureRegistries)
  return {
    id: 'registry-credentials',
    title,
    status: plain ? 'ok' : 'missing',
    version: null,
    detail: plain
      ? `none for ${host}, a plain-HTTP registry (none needed if it allows anonymous pushes)`
      : `none for ${host} (REGISTRY_AUTH_FILE, docker config, GITHUB_TOKEN for ghcr.io)`,
    fix: plain ? null : fix,
  }
}

export interface TokenCheckOptions {
  config: AmeideConfig
  env: Env
  apiUrl: string
  offline: boolean
  timeoutMs?: number
}

export async function checkGitHubToken(options: TokenCheckOptions): Promise<Line> {
  const repository = options.config.gitops.repository
  const title = 'GitHub token'
  const base = {id: 'github-token' as const, title, version: null}
  const found = await findToken(options.env, options.apiUrl)
  if (!found) {
    return {
      ...base,
      status: 'missing',
      detail: 'GH_TOKEN and GITHUB_TOKEN are unset and `gh auth token` gave none',
      fix: 'gh auth login (or export GH_TOKEN with actions:write and contents:read on the GitOps repository)',
    }
  }
  if (options.offline) {
    return {...base, status: 'unknown', detail: `${found.source} is set; not asked (--offline)`, fix: null}
  }
  const [owner, repo] = repository.split('/')
  const timeoutMs = options.timeoutMs ?? NETWORK_TIMEOUT_MS
  try {
    const client = await createGitHubClient({
      token: found.token,
      baseUrl: options.apiUrl,
      transport: {serverErrorRetries: 0, rateLimitRetries: 0, maxRateLimitWaitMs: 0},
    })
    const permissions = await client.repositoryPermissions({owner, repo}, {signal: AbortSignal.timeout(timeoutMs)})
    if (!permissions) {
      return {
        ...base,
        status: 'unknown',
        detail: `GitHub gives no permissions of ${found.source} on ${repository}`,
        fix: null,
      }
    }
    if (permissions.push) {
      return {
        ...base,
        status: 'ok',
        detail: `${found.source} may dispatch the workflows of ${repository} (push access; a fine-grained token also needs Actions: write)`,
        fix: null,
      }
    }
    return {
      ...base,
      status: 'unusable',
      detail: `${found.source} may only read ${repository}: it cannot dispatch its workflows`,
      fix: `Use a token with actions:write and contents:read on ${repository} (classic: the repo scope)`,
    }
  } catch (error) {
    const status = error instanceof GitHubApiError ? error.status : 0
    if (status === 401) {
      return {
        ...base,
        status: 'unusable',
        detail: `GitHub rejected ${found.source} (401)`,
        fix: 'gh auth login, or a new GH_TOKEN',
      }
    }
    if (status === 403 || status === 404) {
      return {
        ...base,
        status: 'unusable',
        detail: `${found.source} cannot see ${repository} (${status})`,
        fix: `Use a token with access to ${repository}, or set gitops.repository in ameide.yaml`,
      }
    }
    const why = aborted(error) ? `no answer in ${timeoutMs / 1000} s` : (error as Error).message
    return {...base, status: 'unknown', detail: `${found.source} is set; GitHub could not be asked: ${why}`, fix: null}
  }
}

function aborted(error: unknown): boolean {
  return /abort|timeout/i.test(`${(error as Error)?.name ?? ''} ${(error as Error)?.message ?? ''}`)
}
