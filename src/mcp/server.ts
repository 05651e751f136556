import {Server} from '@modelcontextprotocol/sdk/server/index.js'
import {StdioServerTransport} from '@modelcontextprotocol/sdk/server/stdio.js'
import {
  CallToolRequestSchema,
  ErrorCode,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js'
import {readFileSync, statSync} from 'node:fs'
import path from 'node:path'

import {AmeideError, toErrorDocument} from '../core/errors.js'
import {LONG_TOOLS, GITOPS_READERS} from './catalogue.js'
import {toArgv} from './input-schema.js'
import {PACKAGE_ROOT} from '../core/package-root.js'
import {DEFAULT_MAX_BYTES, withinBudget, type Detail} from './budget.js'
import {Results} from './results.js'
import {confine, realPath, rootsFromUris} from './roots.js'
import {CommandRunner} from './run-command.js'
import {loadTools, type Tool} from './tools.js'
import {checkArguments} from './validate.js'

export interface ServeOptions {
  readOnly?: boolean
  /** Only these tools (`--tools`), by name. */
  tools?: readonly string[]
}

/**
 * `ameide mcp`: the commands as MCP tools over stdio, until the client closes stdin. stdout carries protocol
 * messages only: each tool runs its command in a process of its own, and the server's own logs go to stderr.
 */
export async function serveMcp(options: ServeOptions = {}): Promise<void> {
  // Nothing but the transport may write to stdout.
  console.log = console.info = console.debug = console.error
  const root = PACKAGE_ROOT
  const tools = loadTools(root, {
    ...(options.readOnly ? {readOnly: true} : {}),
    ...(options.tools ? {only: options.tools} : {}),
  })
  const byName = new Map(tools.map((t) => [t.listing.name, t]))
  const {version} = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {version: string}
  const server = new Server(
    {name: 'ameide', version},
    {
      capabilities: {tools: {listChanged: false}, resources: {listChanged: false}},
      instructions:
        'Each tool is an ameide command; its result is what `ameide <command> --json` prints. A failed command is ' +
        'a result with isError and the error document (code, message, hints). Writers take dryRun to see the plan. ' +
        'gitops_diff and gitops_verify answer within maxBytes, summary first: a truncated answer names the detail ' +
        'to ask next and the resource (resources/read) holding the whole document.',
    },
  )
  const runner = new CommandRunner(root)
  const results = new Results()
  server.setRequestHandler(ListResourcesRequestSchema, () => ({resources: results.list()}))
  server.setRequestHandler(ReadResourceRequestSchema, (request) => {
    const text = results.read(request.params.uri)
    if (text === undefined)
      throw invalidParams(
        `No such resource: ${request.params.uri} (results are kept for the server's life, the last ${Results.KEPT}).`,
      )
    return {contents: [{uri: request.params.uri, mimeType: 'application/json', text}]}
  })
  server.setRequestHandler(ListToolsRequestSchema, () => {
    runner.prepare()
    return {tools: tools.map((t) => t.listing)}
  })
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const tool = byName.get(request.params.name)
    if (tool === undefined) throw invalidParams(`Unknown tool: ${request.params.name}`)
    const args = request.params.arguments ?? {}
    const problem = await checkArguments(tool, args)
    if (problem !== undefined) throw invalidParams(`${tool.listing.name}: ${problem}`)
    let roots: string[]
    try {
      roots = server.getClientCapabilities()?.roots
        ? rootsFromUris((await server.listRoots(undefined, {signal: extra.signal})).roots.map((r) => r.uri))
        : [realPath(process.cwd())]
    } catch (error) {
      // Roots that cannot be read confine to nothing: the call is refused, never run unconfined.
      roots = []
      process.stderr.write(`ameide mcp: roots/list failed: ${(error as Error).message}\n`)
    }
    const token = request.params._meta?.progressToken
    let step = 0
    const onProgress =
      token !== undefined && LONG_TOOLS.has(tool.entry.id)
        ? (message: string) =>
            void extra
              .sendNotification({
                method: 'notifications/progress',
                params: {progressToken: token, progress: ++step, message},
              })
              .catch(() => {})
        : undefined
    return callTool(tool, args, roots, {runner, results, signal: extra.signal, onProgress})
  })
  const transport = new StdioServerTransport()
  const closed = new Promise<void>((resolve) => {
    server.onclose = resolve
  })
  await server.connect(transport)
  process.stdin.on('end', () => void server.close())
  await closed
  runner.close()
}

async function callTool(
  tool: Tool,
  args: Record<string, unknown>,
  roots: string[],
  run: {runner: CommandRunner; results: Results; signal: AbortSignal; onProgress?: (text: string) => void},
): Promise<CallToolResult> {
  const kept = (args.detail as Detail | undefined)?.result
  if (tool.entry.paged && kept !== undefined) return keptResult(tool, args, kept, run.results)
  const place = confine(roots, typeof args.root === 'string' ? args.root : undefined, pathArguments(tool, args))
  if (place instanceof AmeideError) return errorResult(toErrorDocument(place))
  const argv = toArgv(tool.input, withPaths(tool, args, place.paths), place.root)
  // A root that is no directory is the command's to report (REPO_ROOT_NOT_FOUND); it then runs from the first root.
  const cwd = statSync(place.root, {throwIfNoEntry: false})?.isDirectory() ? place.root : roots[0]
  const ran = await run.runner.run(tool.entry.id, argv, {...run, cwd}, GITOPS_READERS.has(tool.entry.id))
  if (run.signal.aborted) throw new McpError(ErrorCode.RequestTimeout, 'cancelled')
  const doc = ran.document
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    const how = ran.signal === null ? `exit ${ran.exitCode}` : `signal ${ran.signal}`
    return errorResult(
      toErrorDocument(
        new AmeideError(
          'INTERNAL_ERROR',
          `ameide ${tool.entry.id.replaceAll(':', ' ')} printed no JSON document (${how}).`,
          1,
          ['The server log (stderr) holds what the command wrote there.'],
        ),
      ),
    )
  }
  if ('error' in doc) return errorResult(doc)
  if (tool.entry.paged) return pagedResult(tool, args, doc as Record<string, unknown>, run.results)
  return {
    structuredContent: doc as Record<string, unknown>,
    content: [{type: 'text', text: JSON.stringify(doc, null, 2)}],
  }
}

/** A part of a kept result (`detail.result`): the command is not run again; an unknown one is invalid params. */
function keptResult(tool: Tool, args: Record<string, unknown>, uri: string, results: Results): CallToolResult {
  const text = results.read(uri)
  if (text === undefined || !results.of(uri, tool.listing.name))
    throw invalidParams(
      `${tool.listing.name}: detail.result ${uri} is not a kept ${tool.listing.name} result (the last ${Results.KEPT} are kept): call without detail.result to run it again.`,
    )
  return pagedResult(tool, args, JSON.parse(text) as Record<string, unknown>, results, uri)
}

/** A paged tool's answer: within the call's budget, the whole document kept as a resource. */
function pagedResult(
  tool: Tool,
  args: Record<string, unknown>,
  doc: Record<string, unknown>,
  results: Results,
  keptAs?: string,
): CallToolResult {
  const resource = keptAs ?? results.keep(tool.listing.name, JSON.stringify(doc))
  const shaped = withinBudget(doc, {
    maxBytes: typeof args.maxBytes === 'number' ? args.maxBytes : DEFAULT_MAX_BYTES,
    ...(args.detail ? {detail: args.detail as Detail} : {}),
    main: tool.entry.paged!.main,
    resource,
  })
  return {structuredContent: shaped, content: [{type: 'text', text: JSON.stringify(shaped)}]}
}

/** The call's path arguments, one entry a path: `output`, and `reports[0]`, `reports[1]` … of a list of paths. */
function pathArguments(tool: Tool, args: Record<string, unknown>): Record<string, string> {
  const paths: Record<string, string> = {}
  for (const [name, value] of Object.entries(args)) {
    const arg = tool.input.arguments[name]
    if (arg?.pathAfterEquals === true) {
      // `URL=PATH`: the path after the first `=` (a value without one is the command's to refuse).
      const values = Array.isArray(value) ? value.map(String) : [String(value)]
      values.forEach((v, i) => {
        if (v.indexOf('=') > 0) paths[`${name}[${i}]`] = v.slice(v.indexOf('=') + 1)
      })
      continue
    }
    if (arg?.path !== true) continue
    if (typeof value === 'string') paths[name] = value
    else if (Array.isArray(value)) value.forEach((v, i) => (paths[`${name}[${i}]`] = String(v)))
  }
  return paths
}

/** A `URL=PATH` value with its path replaced by the confined one. */
const withPathAfterEquals = (v: unknown, confined: string | undefined): unknown =>
  confined === undefined ? v : `${String(v).slice(0, String(v).indexOf('=') + 1)}${confined}`

/** The arguments with each path replaced by its confined real path (pathArguments' names). */
function withPaths(tool: Tool, args: Record<string, unknown>, paths: Record<string, string>): Record<string, unknown> {
  const out = {...args}
  for (const [name, value] of Object.entries(args)) {
    if (tool.input.arguments[name]?.pathAfterEquals === true) {
      const values = Array.isArray(value) ? value : [value]
      const replaced = values.map((v: unknown, i) => withPathAfterEquals(v, paths[`${name}[${i}]`]))
      out[name] = Array.isArray(value) ? replaced : replaced[0]
    } else if (Array.isArray(value)) out[name] = value.map((v: unknown, i) => paths[`${name}[${i}]`] ?? v)
    else if (name in paths) out[name] = paths[name]
  }
  return out
}

/** A JSON-RPC invalid-params error whose message is just ours (McpError would prefix "MCP error -32602:" twice). */
const invalidParams = (message: string) => Object.assign(new Error(message), {code: ErrorCode.InvalidParams})

const errorResult = (doc: object): CallToolResult => ({
  isError: true,
  content: [{type: 'text', text: JSON.stringify(doc, null, 2)}],
})
