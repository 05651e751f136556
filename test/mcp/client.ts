import {Client} from '@modelcontextprotocol/sdk/client/index.js'
import {StdioClientTransport} from '@modelcontextprotocol/sdk/client/stdio.js'
import {ListRootsRequestSchema, type Tool} from '@modelcontextprotocol/sdk/types.js'
import {Ajv} from 'ajv'
import addFormatsModule from 'ajv-formats'
import {pathToFileURL} from 'node:url'

import {CLI} from '../support/cli.js'
import {registerCleanup} from '../support/tmp.js'

const addFormats = ((addFormatsModule as unknown as {default?: typeof addFormatsModule}).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv

export interface Session {
  client: Client
  /** What the server wrote on stderr so far (its log). */
  stderr(): string
  /** The server's process id. */
  pid: number
}

/**
 * The SDK's own Client over stdio, talking to the built CLI's `ameide mcp` started in `cwd`. With `roots`, the
 * client declares the roots capability and answers roots/list with those directories.
 */
export async function connect(
  cwd: string,
  options: {roots?: string[]; env?: Record<string, string>; args?: string[]} = {},
): Promise<Session> {
  const {roots} = options
  const client = new Client({name: 'ameide-test', version: '1.0.0'}, {capabilities: roots ? {roots: {}} : {}})
  if (roots)
    client.setRequestHandler(ListRootsRequestSchema, () => ({
      roots: roots.map((r) => ({uri: pathToFileURL(r).href, name: r})),
    }))
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'mcp', ...(options.args ?? [])],
    cwd,
    env: {...(process.env as Record<string, string>), NO_COLOR: '1', CI: 'true', ...options.env},
    stderr: 'pipe',
  })
  let stderr = ''
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
  await client.connect(transport)
  registerCleanup(() => client.close())
  return {client, stderr: () => stderr, pid: transport.pid!}
}

/** Validates a tool's structuredContent against the outputSchema it listed (strict ajv, formats checked). */
export function assertMatchesOutputSchema(tool: Tool, doc: unknown): void {
  const ajv = new Ajv({allErrors: true, strict: true, strictRequired: false})
  addFormats(ajv)
  const validate = ajv.compile(tool.outputSchema as object)
  if (!validate(doc)) throw new Error(`${tool.name}: ${ajv.errorsText(validate.errors)}`)
}
