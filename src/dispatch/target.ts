/**
 * Where a dispatch goes, from the flags every dispatching command shares: --repo/--workflow/--ref/--timeout/--api-url
 * checked at the door (exit 2), then `gitops:` of ameide.yaml; the progress display; the error codes for the help.
 */
import {DEFAULT_CONFIG, loadConfig, type AmeideConfig} from '../core/config.js'
import type {ErrorCode} from '../core/error-codes.js'
import {usageError} from '../core/errors.js'
import type {Progress} from '../core/output/progress.js'
import {MONOREPO_ROOT, resolveRootMaybe} from '../effects/repo-root.js'
import {parseDuration} from './duration.js'
import {describeEvent} from './format.js'
import type {DispatchEvent, DispatchRequest} from './types.js'
import {resolveApiUrl, REPOSITORY_PATTERN, WORKFLOW_PATTERN} from '../effects/github/target.js'

/** The flags every workflow-dispatching command shares (`primitive gitops scaffold`, `… update-images`). */
export interface DispatchFlags {
  repo?: string
  workflow?: string
  ref?: string
  timeout: string
  'api-url'?: string
  'repo-root'?: string
}

/**
 * Where a dispatch goes: --repo/--workflow/--ref checked (exit 2), else `gitops:` of ameide.yaml (optional: outside a
 * repository the defaults apply), the API URL and the --wait timeout.
 */
export async function dispatchTarget(
  flags: DispatchFlags,
  defaultWorkflow?: string,
): Promise<{
  repository: string
  workflow: string
  ref: string
  apiUrl: string
  timeoutMs: number
  gitops: AmeideConfig['gitops']
}> {
  if (flags.repo !== undefined && !REPOSITORY_PATTERN.test(flags.repo)) {
    throw usageError('INVALID_REPOSITORY', `--repo ${JSON.stringify(flags.repo)} is not OWNER/NAME.`, [
      'e.g. --repo ameideio/ameide-gitops',
    ])
  }
  if (flags.workflow !== undefined && !WORKFLOW_PATTERN.test(flags.workflow)) {
    throw usageError('INVALID_WORKFLOW', `--workflow ${JSON.stringify(flags.workflow)} is not a workflow file name.`, [
      'Pass the file name under .github/workflows/, e.g. scaffold-primitive-gitops.yaml.',
    ])
  }
  const timeoutMs = parseDuration(flags.timeout)
  const apiUrl = resolveApiUrl(flags['api-url'])
  const root = await resolveRootMaybe(flags['repo-root'], MONOREPO_ROOT)
  const gitops = root ? (await loadConfig(root)).config.gitops : DEFAULT_CONFIG.gitops
  return {
    repository: flags.repo ?? gitops.repository,
    workflow: flags.workflow ?? defaultWorkflow ?? gitops.workflow,
    ref: flags.ref ?? gitops.ref,
    apiUrl,
    timeoutMs,
    gitops,
  }
}

/** The part of a dispatch request every dispatching command fills the same way: its target and shared flags. */
export function targetRequest(
  target: Awaited<ReturnType<typeof dispatchTarget>>,
  flags: {wait: boolean; 'dry-run': boolean},
): Pick<DispatchRequest, 'repository' | 'workflow' | 'ref' | 'apiUrl' | 'wait' | 'timeoutMs' | 'dryRun' | 'env'> {
  return {
    repository: target.repository,
    workflow: target.workflow,
    ref: target.ref,
    apiUrl: target.apiUrl,
    wait: flags.wait,
    timeoutMs: target.timeoutMs,
    dryRun: flags['dry-run'],
    env: process.env,
  }
}

/** Progress lines for a dispatch and, with --wait, the run's status while it is followed. */
export function dispatchProgress(progress: Progress, wait: boolean): (event: DispatchEvent) => void {
  return (event) => {
    const line = describeEvent(event)
    if (line.kind === 'start') progress.start(line.text)
    else if (line.kind === 'done') progress.succeed(line.text)
    else progress.info(line.text)
    if (wait && (event.type === 'dispatched' || (event.type === 'status' && event.status !== 'completed'))) {
      progress.start(
        `Waiting for the run (${event.type === 'status' ? event.status : (event.run?.status ?? 'queued')})`,
      )
    }
  }
}

/** The error codes a workflow dispatch can raise, for the commands' help (exits from the registry). */
export const DISPATCH_ERROR_CODES: Partial<Record<ErrorCode, string>> = {
  INVALID_REPOSITORY: '--repo is not OWNER/NAME',
  INVALID_WORKFLOW: '--workflow is not a .yml/.yaml file name',
  INVALID_DURATION: '--timeout is not a positive duration',
  INVALID_API_URL: '--api-url / GITHUB_API_URL is not an http(s) URL',
  REPO_ROOT_NOT_FOUND: '--repo-root is not a directory',
  INPUT_NOT_DECLARED: 'the workflow does not declare an input ameide sends',
  INPUT_NOT_ALLOWED: "a value is outside a choice/boolean/number input's options",
  REQUIRED_INPUT_MISSING: 'the workflow requires an input ameide does not send',
  INPUTS_NOT_ACCEPTED: 'several of the above at once',
  GITHUB_INPUTS_REJECTED: 'GitHub rejected the inputs (422)',
  GITHUB_BAD_REQUEST: 'GitHub rejected the request (400)',
  GITHUB_TOKEN_MISSING: 'no GH_TOKEN, GITHUB_TOKEN or `gh auth token`',
  GITHUB_BAD_TOKEN: 'GitHub rejected the token (401)',
  GITHUB_PERMISSION_DENIED: 'the token lacks actions:write (or contents:read) (403)',
  GITHUB_NOT_FOUND: 'repository or workflow not found (404)',
  WORKFLOW_NOT_DISPATCHABLE: 'the workflow file has no workflow_dispatch trigger',
  WORKFLOW_FILE_INVALID: 'the workflow file is not valid YAML',
  CONFIG_INVALID: 'ameide.yaml is invalid',
  GITHUB_RATE_LIMITED: 'rate limited for longer than ameide waits',
  GITHUB_UNAVAILABLE: 'GitHub kept failing (5xx, network) after retries',
  GITHUB_ERROR: 'another unexpected GitHub answer',
  RUN_NOT_FOUND: 'dispatched, but the run could not be found',
  WAIT_TIMEOUT: '--wait reached --timeout before the run completed',
  CANCELLED: 'the call was cancelled (ameide mcp): before the dispatch nothing was sent; after it the run goes on',
}
