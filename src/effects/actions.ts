import {appendFile} from 'node:fs/promises'

import {printable, printableLines} from '../core/output/untrusted.js'
import {redact} from '../core/secrets.js'

/** node:crypto, loaded at its first use: only under GitHub Actions (docs/performance.md, the fixed cost). */
const crypto = () => process.getBuiltinModule('node:crypto')

/**
 * GitHub Actions, the runner side: workflow commands (annotations), step outputs ($GITHUB_OUTPUT) and the job
 * summary ($GITHUB_STEP_SUMMARY). Every command that talks to the runner goes through this module; outside
 * Actions (GITHUB_ACTIONS is not "true") nothing is written.
 */

export const inActions = (env: NodeJS.ProcessEnv): boolean => env.GITHUB_ACTIONS === 'true'

/**
 * The environment variables that make a run untrusted: a pull request's CI job, or the explicit switch. An untrusted
 * revision may not name what is fetched (a chart from a host only the revision names).
 */
export function untrustedByEnvironment(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.AMEIDE_UNTRUSTED === '1' || env.AMEIDE_UNTRUSTED === 'true') return true
  return env.GITHUB_ACTIONS === 'true' && /^pull_request/.test(env.GITHUB_EVENT_NAME ?? '')
}

/**
 * The branches a GitHub Actions job reviews: a pull request's base and head (GITHUB_BASE_REF, GITHUB_HEAD_REF), a
 * push's branch (GITHUB_REF_NAME). A source of this repository at one of them deploys the revision under review, not a
 * pin (src/gitops/revision/pinned.ts). Outside Actions, none.
 */
export function reviewedBranches(env: NodeJS.ProcessEnv = process.env): string[] {
  if (!inActions(env)) return []
  const pullRequest = /^pull_request/.test(env.GITHUB_EVENT_NAME ?? '')
  const push = env.GITHUB_EVENT_NAME === 'push' && env.GITHUB_REF_TYPE !== 'tag'
  const refs = pullRequest ? [env.GITHUB_BASE_REF, env.GITHUB_HEAD_REF] : push ? [env.GITHUB_REF_NAME] : []
  return refs.filter((r): r is string => r !== undefined && r !== '')
}

/** Escapes an annotation message (`%`, CR, LF). */
const escapeData = (s: string) => s.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A')
/** Escapes an annotation property value (also `:` and `,`). */
const escapeProperty = (s: string) => escapeData(s).replaceAll(':', '%3A').replaceAll(',', '%2C')

/** What an annotation points at; every command's findings have this shape. */
export interface Annotated {
  severity: 'error' | 'warning'
  file: string
  line: number
  column?: number
  message: string
  hint: string
}

/**
 * `::error file=…,line=…,col=…,title=…::message Hint: …` (or `::warning`). The file and the message may be a
 * repository's: their controls are shown escaped (src/core/output/untrusted.ts), then the runner's own escapes keep
 * the command on one line and its properties apart.
 */
export function annotation(f: Annotated, title: string): string {
  const props = [`file=${escapeProperty(printable(f.file))}`]
  if (f.line > 0) props.push(`line=${f.line}`)
  if (f.line > 0 && f.column) props.push(`col=${f.column}`)
  props.push(`title=${escapeProperty(printable(title))}`)
  const message = printableLines(`${f.message} Hint: ${f.hint}`)
  return `::${f.severity === 'error' ? 'error' : 'warning'} ${props.join(',')}::${escapeData(message)}`
}

/** Appends step outputs; a value with a line break, or marked `block`, goes in a heredoc with a random delimiter. */
export async function appendOutputs(
  env: NodeJS.ProcessEnv,
  outputs: Array<{name: string; value: string; block?: boolean}>,
): Promise<void> {
  if (!inActions(env) || !env.GITHUB_OUTPUT) return
  const lines: string[] = []
  for (const {name, value, block} of outputs) {
    if (!block && !/[\r\n]/.test(value)) {
      lines.push(`${name}=${value}`)
      continue
    }
    const delimiter = `ameide_${crypto().randomBytes(8).toString('hex')}`
    lines.push(`${name}<<${delimiter}`, value, delimiter)
  }
  await appendFile(env.GITHUB_OUTPUT, `${lines.join('\n')}\n`)
}

/** Appends Markdown to the job summary. */
export async function appendStepSummary(env: NodeJS.ProcessEnv, markdown: string): Promise<void> {
  if (inActions(env) && env.GITHUB_STEP_SUMMARY) await appendFile(env.GITHUB_STEP_SUMMARY, markdown, 'utf8')
}

/** What a check reports to GitHub Actions, made only under Actions: its annotations and its step summary. */
export interface ActionsReport {
  annotations(): Iterable<string>
  summary(): string
}

/**
 * Under GitHub Actions, a check's report: each annotation on stderr (secrets redacted), then the summary appended to
 * $GITHUB_STEP_SUMMARY; elsewhere nothing (neither is made).
 */
export async function reportToActions(env: NodeJS.ProcessEnv, report: ActionsReport): Promise<void> {
  if (!inActions(env)) return
  for (const line of report.annotations()) process.stderr.write(`${redact(line)}\n`)
  await appendStepSummary(env, report.summary())
}
