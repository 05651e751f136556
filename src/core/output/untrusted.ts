import {redact} from '../secrets.js'

/** node:crypto, loaded at its first use: most runs print no workflow command to neutralise (docs/performance.md, the fixed cost). */
const crypto = () => process.getBuiltinModule('node:crypto')

/**
 * Text a repository controls (object names and values, file names, tool messages) made safe to print. A revision is
 * written by whoever opened the pull request, so what ameide prints of it must not drive the terminal or the CI
 * runner reading the output:
 * - control characters (ESC sequences such as OSC 52 or a title change, BEL, CR, backspace, the other C0 and C1
 *   controls) and the bidirectional overrides and isolates are shown escaped (`\x1b`, `\u202e`), never raw;
 * - no line forms a GitHub Actions workflow command: the runner reads every line of a step's stdout and stderr, and
 *   takes `::name …::data` at a line's start (after white space) and `##[name …]data` anywhere in a line as a command.
 *   Human output that would form one is wrapped in `::stop-commands::<random token>` … `::<token>::`, which the
 *   runner documents for printing untrusted text (it then parses nothing until the token); `--json` escapes the
 *   characters inside strings instead (`::` as `:\u003a`, `##[` as `##\u005b`), so the document parses back to the
 *   same value.
 */

/** C0 but tab and line feed, DEL, C1, the bidi marks, embeddings, overrides and isolates, line/paragraph separators. */
// eslint-disable-next-line no-control-regex -- matching controls is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g
/** The same, line feed and tab included: for a name or a path, which is one line. */
// eslint-disable-next-line no-control-regex -- matching controls is the point
const CONTROL_OR_BREAK = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g

const escaped = (c: string) => {
  const code = c.codePointAt(0)!
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`
}

/** A one-line repository string (a name, a path, an image) for a terminal: every control and line break escaped. */
export function printable(s: string): string {
  return s.replace(CONTROL_OR_BREAK, escaped)
}

/** A repository text of several lines (a tool's message): line feeds and tabs kept, every other control escaped. */
export function printableLines(s: string): string {
  return s.replace(CONTROL, escaped)
}

/** The SGR sequences ameide's own styles write (./style.ts): kept when the output is finally made safe. */
// eslint-disable-next-line no-control-regex -- ESC starts the sequences matched
const OWN_STYLE = /^\u001b\[(?:1|2|22|31|32|33|36|39)m/

/**
 * Output for a terminal: every control character escaped but line feeds, tabs and the colour sequences of ameide's
 * own styles. Applied to every line the commands print (src/core/base-command.ts, ./progress.ts), after the
 * formatters have escaped the repository's strings themselves.
 */
export function terminalSafe(text: string): string {
  return text.replace(CONTROL, (c, offset: number) =>
    c === '\u001b' && OWN_STYLE.test(text.slice(offset, offset + 6)) ? c : escaped(c),
  )
}

/** The runner's line breaks: LF, CR and CRLF end a line (it reads output line by line). */
const RUNNER_LINES = /\r\n|\r|\n/
/** A workflow command at a line's start: `::` after white space (the runner trims Unicode white space first). */
const COMMAND_AT_START = /^[\s\u0085]*::/

/** Would a GitHub Actions runner read a line of `text` as a workflow command (`::name::` or `##[name]`)? */
export function formsWorkflowCommand(text: string): boolean {
  return text.split(RUNNER_LINES).some((line) => COMMAND_AT_START.test(line) || line.includes('##['))
}

/**
 * Human output with no line the runner parses: unchanged when no line would form a workflow command, else wrapped in
 * `::stop-commands::<token>` … `::<token>::` with a token drawn for this text (never found in it).
 */
export function withoutWorkflowCommands(text: string, token?: string): string {
  if (!formsWorkflowCommand(text)) return text
  let t = token ?? crypto().randomBytes(16).toString('hex')
  while (text.includes(t)) t = crypto().randomBytes(16).toString('hex')
  return `::stop-commands::${t}\n${text}\n::${t}::`
}

/** Characters JSON.stringify leaves raw that a terminal acts on: DEL, C1, bidi controls, line/paragraph separators. */
const JSON_RAW_CONTROL = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g

/**
 * A JSON text (from JSON.stringify) that forms no workflow command and carries no raw control character: inside
 * strings — the only place `::`, `##[` and these characters can occur — `::` becomes `:\u003a`, `##[` becomes
 * `##\u005b` and each control its `\uXXXX` escape. The text parses back to the same value.
 */
export function jsonForRunner(json: string): string {
  return json
    .replaceAll('::', ':\\u003a')
    .replaceAll('##[', '##\\u005b')
    .replace(JSON_RAW_CONTROL, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`)
}

/** Human text as printed (stdout and stderr): secrets redacted, controls escaped, no line a workflow command. */
export const humanOutput = (text: string): string => withoutWorkflowCommands(terminalSafe(redact(text)))
