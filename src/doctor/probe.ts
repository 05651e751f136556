/** Asking a tool for its version through the external-tool runner: ok, missing (not on PATH) or unusable. */
import {AmeideError} from '../core/errors.js'
import {runTool} from '../effects/tools.js'
import type {CheckStatus} from './types.js'

export interface Probe {
  status: Extract<CheckStatus, 'ok' | 'missing' | 'unusable'>
  version: string | null
  detail: string
}

export interface ProbeOptions {
  env?: Record<string, string | undefined>
  cwd?: string
  /** The oldest version that works (`major.minor[.patch]`); an older one is unusable. */
  min?: string
  timeoutMs?: number
  /** Reads the version from the output (default: the first `major.minor[.patch]`); null when it names none. */
  version?: (stdout: string, stderr: string) => string | null
}

/** A tool answers in seconds; one that does not is unusable, never waited on. */
export const PROBE_TIMEOUT_MS = 15_000

/** Runs `binary args` once: exit 0 is ok (with the version it printed, checked against `min`). */
export async function probe(binary: string, args: string[], options: ProbeOptions = {}): Promise<Probe> {
  const command = [binary, ...args].join(' ')
  let result
  try {
    result = await runTool(binary, args, {
      env: options.env,
      cwd: options.cwd,
      timeoutMs: options.timeoutMs ?? PROBE_TIMEOUT_MS,
      missingCode: 'TOOL_NOT_FOUND',
      installHint: '',
    })
  } catch (error) {
    if (error instanceof AmeideError && error.code === 'TOOL_NOT_FOUND') {
      return {status: 'missing', version: null, detail: `${binary} is not on PATH`}
    }
    return {status: 'unusable', version: null, detail: `${command} could not start: ${(error as Error).message}`}
  }
  if (result.timedOut) {
    return {
      status: 'unusable',
      version: null,
      detail: `${command} did not answer in ${(options.timeoutMs ?? PROBE_TIMEOUT_MS) / 1000} s`,
    }
  }
  if (result.exitCode !== 0) {
    const said = firstLine(result.stderr) || firstLine(result.stdout)
    return {status: 'unusable', version: null, detail: `${command} exited ${result.exitCode}${said ? `: ${said}` : ''}`}
  }
  const version = options.version
    ? options.version(result.stdout, result.stderr)
    : (versionIn(`${result.stdout}\n${result.stderr}`) ?? statedVersion(result.stdout, result.stderr))
  if (options.min && version && versionIn(version) === version && compareVersions(version, options.min) < 0) {
    return {status: 'unusable', version, detail: `${binary} ${version} is older than ${options.min}`}
  }
  return {status: 'ok', version, detail: version ?? 'answers (no version number)'}
}

/**
 * What a tool that names no version number says instead, as it says it (Debian's kustomize: `(devel)`): the first
 * line of its output, at most 80 characters; null when it printed nothing.
 */
export function statedVersion(stdout: string, stderr = ''): string | null {
  const first = firstLine(stdout) || firstLine(stderr)
  return first ? first.slice(0, 80) : null
}

/** The first `major.minor[.patch]` in a tool's output. */
export function versionIn(output: string): string | null {
  return /(?<![\d.])(\d+\.\d+(?:\.\d+)?)/.exec(output)?.[1] ?? null
}

/** Compares dotted versions numerically (missing parts are 0). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number)
  const pb = b.split('.').map(Number)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0)
    if (d !== 0) return Math.sign(d)
  }
  return 0
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.length > 0)
      ?.slice(0, 200) ?? ''
  )
}
