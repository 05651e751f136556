import {ERROR_CODES, type CodeWithExit, type ErrorCode} from './error-codes.js'
import {ExitCode, type ExitCodeValue} from './exit-codes.js'

/**
 * The one error type commands raise on purpose. `code` is a stable UPPER_SNAKE identifier agents can
 * branch on; `hints` say what to do next. The message must never contain a secret.
 */
export class AmeideError extends Error {
  readonly code: ErrorCode
  readonly exitCode: ExitCodeValue
  readonly hints: string[]

  constructor(code: ErrorCode, message: string, exitCode: ExitCodeValue, hints: string[] = []) {
    super(message)
    this.name = 'AmeideError'
    this.code = code
    this.exitCode = exitCode
    // Every error carries at least one hint: where the raise site gives none, the registry's meaning of the code.
    this.hints = hints.length > 0 ? hints : [registryHint(code)]
  }
}

/** The hint every code has through the registry (src/core/error-codes.ts): what the code means, and where to read on. */
export function registryHint(code: ErrorCode): string {
  const summary = ERROR_CODES[code]?.summary
  return summary
    ? `${code}: ${summary}; the ERROR CODES section of the command's --help says what to do.`
    : `${code}: see the ERROR CODES section of the command's --help.`
}

export const usageError = (code: CodeWithExit<2>, message: string, hints: string[] = []) =>
  new AmeideError(code, message, ExitCode.Usage, hints)

export const prerequisiteError = (code: CodeWithExit<3>, message: string, hints: string[] = []) =>
  new AmeideError(code, message, ExitCode.Prerequisite, hints)

export const remoteError = (code: CodeWithExit<4>, message: string, hints: string[] = []) =>
  new AmeideError(code, message, ExitCode.Remote, hints)

export const failureError = (code: CodeWithExit<1>, message: string, hints: string[] = []) =>
  new AmeideError(code, message, ExitCode.Failure, hints)

/** The `{"error": …}` document printed on stdout in `--json` mode. */
export interface ErrorDocument {
  error: {code: string; message: string; exitCode: number; hints: string[]}
}

/**
 * Turns anything thrown into an AmeideError. oclif's own parse errors (unknown flag, missing
 * required flag, invalid option) are usage errors (exit 2); anything unexpected is exit 1.
 */
export function toAmeideError(err: unknown): AmeideError {
  if (err instanceof AmeideError) return err
  const e = err as {message?: string; oclif?: {exit?: number}; name?: string; code?: string}
  const message = firstLine(e?.message ?? String(err))
  if (isParseError(e)) return usageError('INVALID_USAGE', message, ['Run the command with --help to see its flags.'])
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return prerequisiteError('PERMISSION_DENIED', message)
  return new AmeideError('INTERNAL_ERROR', message, ExitCode.Failure, [
    'This is a bug in ameide if it repeats; rerun with DEBUG=ameide* for details.',
  ])
}

function isParseError(e: {name?: string; oclif?: {exit?: number}} | undefined): boolean {
  if (!e) return false
  const parseErrorNames = new Set([
    'CLIParseError',
    'FailedFlagValidationError',
    'NonExistentFlagsError',
    'RequiredArgsError',
    'UnexpectedArgsError',
    'ArgInvalidOptionError',
    'FlagInvalidOptionError',
  ])
  return parseErrorNames.has(e.name ?? '') || (e.oclif?.exit === 2 && e.name !== 'AmeideError')
}

function firstLine(message: string): string {
  // oclif appends "See more help with --help" on separate lines; keep the statement, drop blank noise.
  return message
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.length > 0)
    .join('\n')
}

export function toErrorDocument(err: AmeideError): ErrorDocument {
  return {error: {code: err.code, message: err.message, exitCode: err.exitCode, hints: err.hints}}
}
