import {prerequisiteError, remoteError} from '../core/errors.js'
import {DEFAULT_RETRY_POLICY, RetryBudgetExhausted, type RetryPolicy, withRetry} from '../core/retry.js'
import {redact, registerSecret} from '../core/secrets.js'

/**
 * GitHub Actions' OIDC token endpoint, asked once before any build of a keyless run: cosign fetches its own token
 * for every signature, but when the endpoint refuses (a job without `permissions: id-token: write`) cosign falls
 * back to an interactive login it cannot do and says nothing about the refusal. Asking first turns that into exit 3
 * `OIDC_TOKEN_REFUSED` with the fix. The token is registered as a secret and dropped; the request token never
 * leaves the Authorization header.
 */
export async function probeActionsIdToken(
  env: Record<string, string | undefined>,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): Promise<void> {
  const base = env.ACTIONS_ID_TOKEN_REQUEST_URL
  const requestToken = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN
  if (!base || !requestToken) return
  registerSecret(requestToken)
  const url = `${base}${base.includes('?') ? '&' : '?'}audience=sigstore`
  let status: number
  try {
    status = await withRetry(
      async () => {
        const response = await fetch(url, {
          headers: {Authorization: `bearer ${requestToken}`, Accept: 'application/json'},
          signal: AbortSignal.timeout(15_000),
        })
        const text = await response.text()
        if (response.status === 429 || response.status >= 500) throw new TransientStatus(response.status)
        if (response.ok) {
          const value = (JSON.parse(text) as {value?: unknown}).value
          if (typeof value === 'string') registerSecret(value)
        }
        return response.status
      },
      (error) => ({transient: error instanceof TransientStatus || error instanceof TypeError || isAbort(error)}),
      policy,
    )
  } catch (error) {
    if (error instanceof RetryBudgetExhausted) {
      throw remoteError(
        'OIDC_TOKEN_ENDPOINT_FAILED',
        redact(`The OIDC token endpoint kept failing (${describe(error.lastError)}) after ${error.attempts} attempts.`),
        ['GitHub Actions could not issue an identity token; rerun the job.'],
      )
    }
    throw prerequisiteError(
      'OIDC_TOKEN_REFUSED',
      redact(`The OIDC token endpoint did not answer a token: ${describe(error)}.`),
      ['Add `permissions: id-token: write` to the workflow job that publishes.'],
    )
  }
  if (status === 401 || status === 403) {
    throw prerequisiteError(
      'OIDC_TOKEN_REFUSED',
      `The OIDC token endpoint answered ${status}: this job may not request an identity token for keyless signing.`,
      [
        'Add `permissions: id-token: write` to the workflow job that publishes (a pull request from a fork gets no token; sign with --key there, or skip publishing).',
      ],
    )
  }
  if (status < 200 || status >= 300) {
    throw prerequisiteError('OIDC_TOKEN_REFUSED', `The OIDC token endpoint answered ${status}.`, [
      'Add `permissions: id-token: write` to the workflow job that publishes.',
    ])
  }
}

class TransientStatus extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`)
  }
}

function isAbort(error: unknown): boolean {
  return (error as {name?: string})?.name === 'TimeoutError' || (error as {name?: string})?.name === 'AbortError'
}

function describe(error: unknown): string {
  const e = error as {message?: string; cause?: {code?: string}}
  return e?.cause?.code ?? e?.message ?? String(error)
}
