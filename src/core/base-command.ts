import {Command, Flags} from '@oclif/core'

import {ERROR_CODES, exitsOf, type ErrorCode} from './error-codes.js'
import {toAmeideError, toErrorDocument} from './errors.js'
import {EXIT_CODES_HELP, type ExitCodeValue} from './exit-codes.js'
import {createProgress, type Progress} from './output/progress.js'
import {makeStyle, type Style} from './output/style.js'
import {colorEnabled, currentTerminal, spinnersEnabled, type TerminalFacts} from './output/terminal.js'
import {humanOutput, jsonForRunner} from './output/untrusted.js'
import {redact} from './secrets.js'

/** The global `--repo-root` flag. */
function repoRootFlag() {
  return Flags.string({
    description: 'Root of the monorepo. Default: the git top-level of the current directory.',
    helpValue: 'DIR',
    helpGroup: 'GLOBAL',
  })
}

/** The global `--repo-root` flag's codes: no monorepo where it (or the current directory) points. */
export const REPO_ROOT_CODES = {
  REPO_ROOT_NOT_FOUND: '--repo-root is not a directory',
  NOT_A_GIT_REPOSITORY: 'no --repo-root and the current directory is not in a git repository',
} as const satisfies Partial<Record<ErrorCode, string>>

/**
 * The base of every ameide command. It owns the conventions so that commands stay thin:
 * - `--json` prints exactly one document on stdout: the result, or `{"error": {…}}`;
 * - exit codes follow `ExitCode` in both modes (oclif's own JSON error path would always exit 1);
 * - every byte printed passes through the secret redactor, then is made safe for a terminal and a CI runner: human
 *   text with its controls escaped and never a workflow command (./output/untrusted.ts), JSON with `::` and `##[`
 *   escaped inside strings;
 * - progress goes to stderr, as a spinner only on an interactive, non-CI terminal.
 */
export abstract class AmeideCommand<TResult extends object> extends Command {
  static override enableJsonFlag = true

  /** `--repo-root` on every command but those on a GitOps checkout, whose one name for it is `--root`. */
  static override baseFlags: {'repo-root'?: ReturnType<typeof repoRootFlag>} = {'repo-root': repoRootFlag()}

  protected terminal: TerminalFacts = currentTerminal()

  /** Styling for stdout (human mode). */
  protected get style(): Style {
    return makeStyle(!this.jsonEnabled() && colorEnabled(this.terminal, 'stdout'))
  }

  /** Does the command's work and returns its result object (printed as JSON with --json). */
  protected abstract execute(): Promise<TResult>

  async run(): Promise<TResult> {
    if (process.channel) underParent()
    return this.execute()
  }

  /** Sets the process exit code without throwing, for results that are failures (e.g. checks failed). */
  protected setExitCode(code: ExitCodeValue): void {
    process.exitCode = code
  }

  protected async progress(): Promise<Progress> {
    const json = this.jsonEnabled()
    if (json) return createProgress(process.channel ? 'channel' : 'silent')
    return createProgress(spinnersEnabled(this.terminal, json) ? 'spinner' : 'lines')
  }

  override log(message = '', ...args: unknown[]): void {
    super.log(humanOutput(message), ...args)
  }

  override logJson(json: unknown): void {
    process.stdout.write(`${jsonForRunner(redact(JSON.stringify(json, null, 2)))}\n`)
  }

  protected override async catch(err: Error & {exitCode?: number}): Promise<void> {
    const error = toAmeideError(err)
    process.exitCode = error.exitCode
    // What the INTERNAL_ERROR hint promises: with DEBUG=ameide*, where it was thrown.
    if (error.code === 'INTERNAL_ERROR' && /(^|,)\s*ameide/.test(process.env.DEBUG ?? ''))
      process.stderr.write(`${err.stack}\n`)
    if (this.jsonEnabled()) {
      this.logJson(toErrorDocument(error))
      return
    }
    const style = makeStyle(colorEnabled(this.terminal, 'stderr'))
    const lines = [`${style.red('Error')} ${style.dim(`(${error.code}, exit ${error.exitCode})`)}: ${error.message}`]
    for (const hint of error.hints) lines.push(`  ${style.cyan('hint')}: ${hint}`)
    process.stderr.write(`${humanOutput(lines.join('\n'))}\n`)
  }
}

/** What a command's help says, given once: its one-line summary, description body, error codes and examples. */
export interface CommandHelp {
  summary: string
  /** The body: describeCommand appends the exit-code table and the error codes. */
  description: string
  errorCodes: Partial<Record<ErrorCode, string | true>>
  examples: string[]
}

/**
 * Sets a command's help statics from `help`, once, from its `static {}` block: the summary, the description (the
 * body, then the exit and error codes: describeCommand) and the examples. They stay the command's own statics:
 * `oclif manifest` merges statics up the class chain only until a class with none of its own (DispatchCommand), so
 * a class between a command and its base that carried them would change what the manifest holds.
 */
export function declareHelp(
  command: {summary?: string; description?: string; examples?: Command.Example[]},
  help: CommandHelp,
): void {
  command.summary = help.summary
  command.description = describeCommand(help.description, help.errorCodes)
  command.examples = help.examples
}

/**
 * The base of the commands on a GitOps checkout: their one name for it is `--root` (GITOPS_ROOT_FLAG takes
 * --repo-root as its alias), so they have no `--repo-root`.
 */
export abstract class GitopsCommand<TResult extends object> extends AmeideCommand<TResult> {
  static override baseFlags = {}
}

/**
 * Run by a parent with an IPC channel (`ameide mcp`): the channel must not keep the process alive, and the parent's
 * SIGTERM (a cancelled tool call) ends the process between two steps, never inside a synchronous one (a set of
 * renames); a command with its own handler (scaffold's rollback) keeps it.
 */
function underParent(): void {
  process.channel?.unref()
  // Once per process: `ameide mcp`'s resident process runs command after command (src/mcp/resident.ts), each
  // command its own build with its own copy of this module, so the handler is known by a mark, not by identity.
  if (process.listeners('SIGTERM').some((listener) => END_ON_TERM in listener)) return
  const endOnTerm = () => {
    if (process.listenerCount('SIGTERM') === 1) process.exit(143)
  }
  process.on('SIGTERM', Object.assign(endOnTerm, {[END_ON_TERM]: true}))
}

const END_ON_TERM = Symbol.for('ameide.end-on-term')

/** Codes every command can raise (parse errors, an unreadable file, a bug): listed in every help. */
const COMMON_CODES: Partial<Record<ErrorCode, string>> = {
  INVALID_USAGE: 'a flag is unknown, missing or combined wrongly',
  PERMISSION_DENIED: 'the operating system refused access to a file',
  INTERNAL_ERROR: 'an unexpected error (a bug in ameide if it repeats)',
}

/**
 * The codes the evidence (cosign, Sigstore) and registry modules a GitOps reader loads can raise, each with its
 * registry summary: spread into the error codes of the commands that load them.
 */
export const EVIDENCE_READER_CODES: Partial<Record<ErrorCode, true>> = Object.fromEntries(
  (
    [
      'ATTESTATION_INVALID',
      'ATTEST_FAILED',
      'ATTEST_REMOTE_FAILED',
      'CERTIFICATE_CHAIN_UNTRUSTED',
      'COSIGN_FAILED',
      'COSIGN_KEY_INVALID',
      'COSIGN_KEY_UNREADABLE',
      'COSIGN_NOT_USABLE',
      'COSIGN_PASSWORD_MISSING',
      'COSIGN_VERSION_UNSUPPORTED',
      'FULCIO_REFUSED_TOKEN',
      'INVALID_SIGSTORE_SETTING',
      'KEYLESS_REQUIRES_TLOG',
      'NOT_A_DIGEST_REFERENCE',
      'OIDC_TOKEN_ENDPOINT_FAILED',
      'OIDC_TOKEN_REFUSED',
      'OIDC_TOKEN_UNAVAILABLE',
      'REGISTRY_DIGEST_MISMATCH',
      'REGISTRY_REQUEST_FAILED',
      'SIGNATURE_INVALID',
      'SIGNER_IDENTITY_MISMATCH',
      'SIGNING_KEY_MISSING',
      'SIGN_FAILED',
      'SIGN_REMOTE_FAILED',
      'SIGSTORE_FILE_UNREADABLE',
      'VERIFY_FAILED',
      'VERIFY_REMOTE_FAILED',
    ] as const
  ).map((code) => [code, true]),
)

/**
 * A command's description: its body, then the shared exit-code table and the command's error codes. Each code's
 * exit comes from the registry (src/core/error-codes.ts); the text says what the code means for this command
 * (the registry's summary when omitted).
 */
function describeCommand(body: string, errorCodes: Partial<Record<ErrorCode, string | true>>): string {
  const entries = {
    ...errorCodes,
    ...Object.fromEntries(Object.entries(COMMON_CODES).filter(([c]) => !(c in errorCodes))),
  }
  const codes = Object.entries(entries)
    .map(([code, meaning]) => {
      const text = meaning === true || meaning === undefined ? ERROR_CODES[code as ErrorCode].summary : meaning
      return `  ${code}: exit ${exitsOf(code as ErrorCode).join(' or ')}: ${text}`
    })
    .join('\n')
  return [
    body,
    '',
    'EXIT CODES',
    EXIT_CODES_HELP.split('\n')
      .map((l) => `  ${l}`)
      .join('\n'),
    '',
    'ERROR CODES (in --json: .error.code)',
    codes,
  ].join('\n')
}
