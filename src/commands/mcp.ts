import {Command, Flags} from '@oclif/core'

import {describeCommand} from '../core/base-command.js'
import {TOOLS, toolName} from '../mcp/catalogue.js'

/** The read-only tools, as `--read-only` offers them. */
const READERS = TOOLS.filter((t) => t.annotations.readOnlyHint)
  .map((t) => toolName(t.id))
  .join(', ')

export default class Mcp extends Command {
  static override summary = 'Serve the commands as Model Context Protocol tools over stdio, for AI agents.'

  static override description = describeCommand(
    'An MCP server on stdin/stdout (register it in an agent client as `ameide mcp`). Tools: every other command, ' +
      `${TOOLS.map((t) => toolName(t.id)).join(', ')}. Each ` +
      "tool's input schema is derived from the command's flags, its output schema is the command's --json schema, " +
      'and a call runs the command with --json: its structuredContent is that document. A failed command is a ' +
      "result with isError and the error document. A tool's root (and path arguments) must lie inside the client's " +
      'roots; without roots, inside the current directory. stdout carries protocol messages only; logs go to stderr.',
    {
      ROOT_OUTSIDE_ROOTS: "a tool's root or path argument is outside the client's roots (a tool result, nothing read)",
    },
  )

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --read-only   # only the tools that write nothing',
    'claude mcp add ameide -- ameide mcp',
  ]

  static override flags = {
    'read-only': Flags.boolean({
      description: `Offer only the tools that write nothing (${READERS}).`,
      default: false,
    }),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Mcp)
    const {serveMcp} = await import('../mcp/server.js')
    await serveMcp({readOnly: flags['read-only']})
  }
}
