import {AmeideError, failureError, prerequisiteError, remoteError} from '../core/errors.js'
import {DEFAULT_RETRY_POLICY, RetryBudgetExhausted, type RetryPolicy, withRetry} from '../core/retry.js'
import {redact} from '../core/secrets.js'
import type {CodeWithExit} from '../core/error-codes.js'

/**
 * Running the external tools (buildah, docker, podman, cosign, cdxgen, syft, skopeo) as processes: one place that
 * turns "not installed" into exit 3, classifies transient failures (429, 5xx, resets, timeouts in the tool's stderr)
 * for withRetry, and redacts everything it reports. Secrets reach a tool through its environment (e.g.
 * COSIGN_PASSWORD), never through argv.
 */
export interface ToolRunOptions {
  env?: Record<string, string | undefined>
  cwd?: string
  /** Per invocation; a timeout counts as transient. Default 10 minutes. */
  timeoutMs?: number
}

/** What every effect that drives one external tool (docker, buildah, podman, cosign) is configured with. */
export interface ExternalToolOptions {
  /** Binary name or path; default the tool's own name. */
  binary?: string
  /** Environment for the tool (DOCKER_HOST, DOCKER_CONFIG, COSIGN_PASSWORD, TUF_ROOT…); default process.env. */
  env?: Record<string, string | undefined>
  retryPolicy?: RetryPolicy
  /** Per invocation, ms. */
  timeoutMs?: number
}

export interface ToolResult {
  exitCode: number
  stdout: string
  stderr: string
  timedOut: boolean
}

/** A tool ran and failed. `message` is redacted and carries the tail of stderr. */
export class ToolFailure extends Error {
  constructor(
    readonly tool: string,
    readonly subcommand: string,
    readonly result: ToolResult,
  ) {
    super(
      redact(
        `${tool} ${subcommand} failed (exit ${result.exitCode}${result.timedOut ? ', timed out' : ''}): ${tail(result.stderr || result.stdout)}`,
      ),
    )
    this.name = 'ToolFailure'
  }

  get transient(): boolean {
    return this.result.timedOut || isTransientToolOutput(this.result.stderr + '\n' + this.result.stdout)
  }
}

const TRANSIENT_PATTERNS = [
  /\b429\b/,
  /too many requests/i,
  /\b50[0-4]\b/,
  /service unavailable/i,
  /bad gateway/i,
  /gateway time-?out/i,
  /internal server error/i,
  /connection reset/i,
  /connection refused/i,
  /broken pipe/i,
  /\bunexpected EOF\b/i,
  /:\s*EOF\b/,
  /i\/o timeout/i,
  /TLS handshake timeout/i,
  /context deadline exceeded/i,
  /\btimed? ?out\b/i, // not "time outside" (a validity window)
  /temporary failure/i,
  /server misbehaving/i,
  /retry later/i,
]

/** True when a tool's output says the remote side failed in a way worth another attempt. */
function isTransientToolOutput(output: string): boolean {
  return TRANSIENT_PATTERNS.some((pattern) => pattern.test(output))
}

/** Runs a tool once. Missing binary → AmeideError(`missingCode`, exit 3) with `installHint`. Never throws on a non-zero exit. */
export async function runTool(
  binary: string,
  args: string[],
  options: ToolRunOptions & {missingCode: CodeWithExit<3>; installHint: string},
): Promise<ToolResult> {
  const {execa} = await import('execa')
  try {
    const result = await execa(binary, args, {
      cwd: options.cwd,
      env: options.env,
      reject: false,
      stdin: 'ignore',
      timeout: options.timeoutMs ?? 600_000,
      maxBuffer: 256 * 1024 * 1024,
    })
    if (
      (result as {code?: string}).code === 'ENOENT' ||
      (result.failed && result.exitCode === undefined && /ENOENT/.test(String(result.message)))
    ) {
      throw missing(binary, options)
    }
    const out: ToolResult = {
      exitCode: result.exitCode ?? -1,
      stdout: String(result.stdout ?? ''),
      stderr: String(result.stderr ?? ''),
      timedOut: Boolean(result.timedOut),
    }
    return out
  } catch (error) {
    if (error instanceof AmeideError) throw error
    if ((error as {code?: string}).code === 'ENOENT') throw missing(binary, options)
    throw error
  }
}

function missing(binary: string, options: {missingCode: CodeWithExit<3>; installHint: string}): AmeideError {
  return prerequisiteError(options.missingCode, `${binary} was not found on PATH.`, [options.installHint])
}

/** True when `binary` runs (`args`, e.g. ['--version']) and exits 0. */
export async function toolAnswers(binary: string, args: string[], options: ToolRunOptions = {}): Promise<boolean> {
  try {
    const result = await runTool(binary, args, {
      ...options,
      timeoutMs: options.timeoutMs ?? 20_000,
      missingCode: 'TOOL_NOT_FOUND',
      installHint: '',
    })
    return result.exitCode === 0
  } catch {
    return false
  }
}

export interface RetriedStep {
  /** e.g. 'buildah' */
  tool: string
  /** e.g. 'push' (for messages) */
  subcommand: string
  /** Error code when the tool failed for a non-transient reason (exit 1). */
  failureCode: CodeWithExit<1>
  /** Error code when transient failures outlasted the retry budget (exit 4). */
  remoteCode: CodeWithExit<4>
  policy?: RetryPolicy
}

/**
 * Runs `attempt` (one tool invocation that throws ToolFailure on a non-zero exit) under withRetry. A
 * non-transient failure → failureError(failureCode) (exit 1); the budget spent on transient failures →
 * remoteError(remoteCode) (exit 4). AmeideErrors pass through.
 */
export async function retryTool<T>(step: RetriedStep, attempt: () => Promise<T>): Promise<T> {
  try {
    return await withRetry(
      () => attempt(),
      (error) => ({transient: error instanceof ToolFailure && error.transient}),
      step.policy ?? DEFAULT_RETRY_POLICY,
    )
  } catch (error) {
    if (error instanceof AmeideError) throw error
    if (error instanceof RetryBudgetExhausted) {
      const last = error.lastError as Error
      throw remoteError(
        step.remoteCode,
        redact(
          `${step.tool} ${step.subcommand}: gave up after ${error.attempts} attempts: ${last?.message ?? String(last)}`,
        ),
        ['The registry or service kept failing (429/5xx/connection errors); rerun later — a rerun converges.'],
      )
    }
    if (error instanceof ToolFailure) throw failureError(step.failureCode, error.message)
    throw error
  }
}

/** Throws ToolFailure unless the result is exit 0. */
export function check(tool: string, subcommand: string, result: ToolResult): ToolResult {
  if (result.exitCode !== 0) throw new ToolFailure(tool, subcommand, result)
  return result
}

function tail(text: string, maxLines = 8): string {
  const lines = text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.length > 0)
  return lines.slice(-maxLines).join('\n').slice(-2000)
}
