import {Command, Flags} from '@oclif/core'

import {declareHelp} from '../core/base-command.js'
import {usageError, type AmeideError} from '../core/errors.js'
import {TOOLS, toolName} from '../mcp/catalogue.js'

/** The read-only tools, as `--read-only` offers them. */
const READERS = TOOLS.filter((t) => t.annotations.readOnlyHint)
  .map((t) => toolName(t.id))
  .join(', ')

export default class Mcp extends Command {
  static {
    declareHelp(this, {
      summary: 'Serve the commands as Model Context Protocol tools over stdio, for AI agents.',
      description:
        'An MCP server on stdin/stdout (register it in an agent client as `ameide mcp`). Tools: every other command, ' +
        `${TOOLS.map((t) => toolName(t.id)).join(', ')}. Each ` +
        "tool's input schema is derived from the command's flags, its output schema is the command's --json schema, " +
        'and a call runs the command with --json: its structuredContent is that document. A failed command is a ' +
        "result with isError and the error document. A tool's root (and path arguments) must lie inside the client's " +
        'roots; without roots, inside the current directory. gitops_diff and gitops_verify answer within a byte ' +
        'budget (maxBytes, default 24,000), summary first: what does not fit is named in truncated, with the detail ' +
        '(environment, deployable, rule, offset) to ask next; the whole document is an MCP resource. --tools offers ' +
        'only the tools named. stdout carries protocol messages only; logs go to stderr.',
      errorCodes: {
        ROOT_OUTSIDE_ROOTS:
          "a tool's root or path argument is outside the client's roots (a tool result, nothing read)",
        INVALID_TOOLS: '--tools names a tool this server does not offer',
      },
      examples: [
        '<%= config.bin %> <%= command.id %>',
        '<%= config.bin %> <%= command.id %> --read-only   # only the tools that write nothing',
        '<%= config.bin %> <%= command.id %> --tools gitops_diff,gitops_verify',
        'claude mcp add ameide -- ameide mcp',
      ],
    })
  }

  static override flags = {
    'read-only': Flags.boolean({
      description: `Offer only the tools that write nothing (${READERS}).`,
      default: false,
    }),
    tools: Flags.string({
      description: 'Offer only these tools (comma-separated names, e.g. gitops_diff,gitops_verify).',
      helpValue: 'NAMES',
    }),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Mcp)
    let tools: string[] | undefined
    try {
      tools = flags.tools === undefined ? undefined : toolList(flags.tools)
    } catch (error) {
      const e = error as AmeideError
      // Before the server starts: said on stderr with its code and hints, exit 2 (stdout stays silent).
      this.error(e.message, {code: e.code, exit: e.exitCode, suggestions: e.hints})
    }
    const {serveMcp} = await import('../mcp/server.js')
    await serveMcp({readOnly: flags['read-only'], ...(tools ? {tools} : {})})
  }
}

/** `--tools a,b`: names this server offers, else INVALID_TOOLS naming them all. */
function toolList(value: string): string[] {
  const known = TOOLS.map((t) => toolName(t.id))
  const names = value
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean)
  const unknown = names.filter((n) => !known.includes(n))
  if (names.length === 0 || unknown.length > 0)
    throw usageError(
      'INVALID_TOOLS',
      names.length === 0 ? '--tools names no tool.' : `--tools names no such tool: ${unknown.join(', ')}.`,
      [`The tools: ${known.join(', ')}.`],
    )
  return names
}
