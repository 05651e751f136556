import {McpError, type CallToolResult, type Tool} from '@modelcontextprotocol/sdk/types.js'
import {readFileSync} from 'node:fs'
import {cp, mkdir, readFile, symlink, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {spawn} from 'node:child_process'

import {CLI, runCli} from '../support/cli.js'
import {gitopsRepo} from '../support/gitops-fixture.js'
import {commitAll, git, initGitRepo, makeTempDir, runCleanups} from '../support/tmp.js'
import {assertMatchesOutputSchema, connect, type Session} from './client.js'

afterAll(runCleanups)

const FAST = JSON.stringify({retryAttempts: 1, retryDelayMs: 5})
const E = 'e'.repeat(64)
const ORDERS = `ghcr.io/ameideio/primitive-domain-orders:4b1e9f0@sha256:${E}`
const MANIFEST = JSON.parse(readFileSync(new URL('../../oclif.manifest.json', import.meta.url), 'utf8')) as {
  commands: Record<string, {summary: string}>
}
const NAMES = [
  'primitive_scaffold',
  'primitive_verify',
  'primitive_status',
  'primitive_publish',
  'primitive_publish_merge',
  'primitive_gitops_scaffold',
  'primitive_gitops_update-images',
  'gitops_verify',
  'gitops_diff',
  'gitops_preview',
  'gitops_set-image',
  'gitops_promote',
  'doctor',
]

let session: Session
let tools: Map<string, Tool>
let work: string

/** A call's result, its structuredContent checked against the tool's outputSchema when it is not an error. */
async function call(s: Session, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  const result = (await s.client.callTool({name, arguments: args})) as CallToolResult
  if (!result.isError) assertMatchesOutputSchema(tools.get(name)!, result.structuredContent)
  return result
}

/** The error document a failed call carries. */
const errorOf = (result: CallToolResult) => {
  expect(result.isError).toBe(true)
  expect(result.structuredContent).toBeUndefined()
  return JSON.parse((result.content[0] as {text: string}).text) as {
    error: {code: string; message: string; exitCode: number; hints: string[]}
  }
}

/** A git repository under `work` (the server's only root: its working directory). */
async function repoIn(name: string): Promise<string> {
  const dir = path.join(work, name)
  await mkdir(dir, {recursive: true})
  await initGitRepo(dir)
  return dir
}

beforeAll(async () => {
  work = await makeTempDir('ameide-mcp-')
  session = await connect(work)
  tools = new Map((await session.client.listTools()).tools.map((t) => [t.name, t]))
})

describe('ameide mcp: tools/list', () => {
  it('lists the thirteen commands, described by their summaries, with self-contained output schemas', () => {
    expect([...tools.keys()]).toEqual(NAMES)
    for (const tool of tools.values()) {
      // The summary, then what the annotations cannot say (a dispatch is not idempotent; merge's writes).
      const summary = MANIFEST.commands[tool.name.replaceAll('_', ':')].summary
      expect(tool.description === summary || tool.description!.startsWith(`${summary} `), tool.name).toBe(true)
      expect(JSON.stringify(tool.outputSchema)).not.toContain('$ref')
      expect(tool.outputSchema?.type).toBe('object')
      expect(tool.inputSchema.additionalProperties).toBe(false)
      expect(tool.inputSchema.properties).toHaveProperty('root')
      expect(tool.inputSchema.properties).not.toHaveProperty('json')
    }
  })

  it('derives inputs from the flags: enums from the closed sets, arrays for repeatable flags, dryRun, required', () => {
    const scaffold = tools.get('primitive_scaffold')!.inputSchema
    expect(scaffold.required).toEqual(['kind', 'name'])
    expect(scaffold.properties!.kind).toMatchObject({
      type: 'string',
      enum: ['domain', 'process', 'agent', 'uisurface', 'projection', 'integration'],
    })
    expect(scaffold.properties!.dryRun).toMatchObject({type: 'boolean'})
    const setImage = tools.get('gitops_set-image')!.inputSchema
    expect(setImage.required).toEqual(['env'])
    expect(setImage.properties!.ref).toMatchObject({type: 'array', items: {type: 'string'}})
    expect(setImage.properties!.base).toMatchObject({type: 'string', default: 'main'})
    const publish = tools.get('primitive_publish')!.inputSchema
    expect(publish.properties!.builder).toMatchObject({enum: ['auto', 'docker', 'buildah', 'podman']})
    expect(publish.properties!.jobs).toMatchObject({type: 'integer'})
    const verify = tools.get('primitive_verify')!.inputSchema
    expect(verify.properties!.cache).toMatchObject({type: 'boolean'})
    expect(verify.properties).not.toHaveProperty('sarif') // a second output; structuredContent is the result
    expect((verify.properties!.check as {items: {enum: string[]}}).items.enum).toContain('secrets')
  })

  it('annotations tell the truth: readers are read-only, writers are not, nothing is destructive', () => {
    const hints = Object.fromEntries(
      [...tools.values()].map((t) => [t.name, [t.annotations?.readOnlyHint, t.annotations?.idempotentHint]]),
    )
    expect(hints).toEqual({
      primitive_scaffold: [false, true],
      primitive_verify: [true, true],
      primitive_status: [true, true],
      primitive_publish: [false, true],
      primitive_publish_merge: [false, true],
      primitive_gitops_scaffold: [false, false],
      'primitive_gitops_update-images': [false, false],
      gitops_verify: [true, true],
      gitops_diff: [true, true],
      gitops_preview: [true, true],
      'gitops_set-image': [false, true],
      gitops_promote: [false, true],
      doctor: [true, true],
    })
    for (const tool of tools.values()) expect(tool.annotations?.destructiveHint).toBe(false)
  })

  it('--read-only offers the five readers only', async () => {
    const readOnly = await connect(work, {args: ['--read-only']})
    const names = (await readOnly.client.listTools()).tools.map((t) => t.name)
    expect(names).toEqual([
      'primitive_verify',
      'primitive_status',
      'gitops_verify',
      'gitops_diff',
      'gitops_preview',
      'doctor',
    ])
  })
})

describe('ameide mcp: calls run the commands, results are their --json', () => {
  it('primitive_scaffold creates the files; dryRun writes nothing; a rerun changes nothing', async () => {
    const repo = await repoIn('scaffold')
    const dry = await call(session, 'primitive_scaffold', {root: repo, kind: 'domain', name: 'orders', dryRun: true})
    expect(dry.isError).toBeFalsy()
    expect(await git(repo, ['status', '--porcelain', '--untracked-files=all'])).toBe('')
    const made = await call(session, 'primitive_scaffold', {root: repo, kind: 'domain', name: 'orders'})
    const files = (made.structuredContent as {files: Array<{path: string}>}).files.map((f) => f.path)
    expect(files.length).toBeGreaterThan(3)
    const status = await git(repo, ['status', '--porcelain', '--untracked-files=all'])
    expect(status.split('\n').map((l) => l.slice(3))).toEqual([...files].sort())
    await commitAll(repo, 'orders')
    const again = await call(session, 'primitive_scaffold', {root: repo, kind: 'domain', name: 'orders'})
    expect(new Set((again.structuredContent as {files: Array<{action: string}>}).files.map((f) => f.action))).toEqual(
      new Set(['skip']),
    )
    expect(await git(repo, ['status', '--porcelain', '--untracked-files=all'])).toBe('')
  })

  it('primitive_verify deep-equals the CLI --json, passing and failing (a failing verify is a result)', async () => {
    const repo = await repoIn('verify')
    await call(session, 'primitive_scaffold', {root: repo, kind: 'domain', name: 'orders'})
    await call(session, 'primitive_scaffold', {root: repo, kind: 'agent', name: 'triage'})
    const viaMcp = await call(session, 'primitive_verify', {root: repo, all: true, cache: false})
    const viaCli = await runCli(['primitive', 'verify', '--all', '--no-cache', '--json'], {cwd: repo})
    expect(viaMcp.structuredContent).toEqual(viaCli.json())
    // a hard-coded secret fails the secrets check: a result with summary fail, not an error
    await writeFile(
      path.join(repo, 'primitives/agent/triage/leak.py'),
      'AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"\n',
    )
    const failing = await call(session, 'primitive_verify', {root: repo, kind: 'agent', name: 'triage'})
    const cli = await runCli(['primitive', 'verify', '--kind', 'agent', '--name', 'triage', '--json'], {cwd: repo})
    expect(cli.exitCode).toBe(1)
    expect(failing.isError).toBeFalsy()
    expect((failing.structuredContent as {summary: string}).summary).toBe('fail')
    expect(failing.structuredContent).toEqual(cli.json())
  })

  it('primitive_status relays progress and deep-equals the CLI --json (no token: links unknown, never an error)', async () => {
    const repo = await repoIn('status')
    await call(session, 'primitive_scaffold', {root: repo, kind: 'domain', name: 'orders'})
    // a registry that refuses connections at once: the image link is unknown, offline
    await writeFile(path.join(repo, 'ameide.yaml'), 'registry: 127.0.0.1:9/ameide\n')
    await commitAll(repo, 'orders')
    const env = {GH_TOKEN: '', GITHUB_TOKEN: '', PATH: '/usr/bin:/bin', AMEIDE_TEST_TIMINGS: FAST}
    const s = await connect(work, {env})
    const args = {root: repo, kind: 'domain', name: 'orders', skipVerify: true}
    const progress: string[] = []
    const viaMcp = (await s.client.callTool({name: 'primitive_status', arguments: args}, undefined, {
      onprogress: (p) => progress.push(p.message ?? ''),
    })) as CallToolResult
    expect(progress).toContain('Asked 1: domain/orders')
    assertMatchesOutputSchema(tools.get('primitive_status')!, viaMcp.structuredContent)
    const cli = await runCli(
      ['primitive', 'status', '--kind', 'domain', '--name', 'orders', '--skip-verify', '--json'],
      {
        cwd: repo,
        env,
      },
    )
    expect(viaMcp.structuredContent).toEqual(cli.json())
    expect((viaMcp.structuredContent as {summary: string}).summary).toBe('not-done')
  })

  it('gitops_verify deep-equals the CLI --json on the GitOps fixture', async () => {
    const repo = path.join(work, 'gitops-verify')
    await cp(await gitopsRepo(), repo, {recursive: true})
    const viaMcp = await call(session, 'gitops_verify', {root: repo, cache: false})
    const cli = await runCli(['gitops', 'verify', '--no-cache', '--json'], {cwd: repo})
    expect(viaMcp.structuredContent).toEqual(cli.json())
  })

  it('gitops_set-image: dryRun writes nothing; the write is byte-for-byte the CLI write', async () => {
    const viaMcpRepo = path.join(work, 'set-image-mcp')
    const viaCliRepo = path.join(work, 'set-image-cli')
    const fixture = await gitopsRepo()
    await cp(fixture, viaMcpRepo, {recursive: true})
    await cp(fixture, viaCliRepo, {recursive: true})
    const dry = await call(session, 'gitops_set-image', {root: viaMcpRepo, env: 'local', ref: [ORDERS], dryRun: true})
    expect((dry.structuredContent as {status: string}).status).toBe('planned')
    expect(await git(viaMcpRepo, ['status', '--porcelain'])).toBe('')

    const run = await call(session, 'gitops_set-image', {root: viaMcpRepo, env: 'local', ref: [ORDERS]})
    const cli = await runCli(['gitops', 'set-image', '--env', 'local', '--ref', ORDERS, '--json'], {cwd: viaCliRepo})
    expect(run.structuredContent).toEqual(cli.json())
    const changed = (await git(viaCliRepo, ['diff', '--name-only'])).split('\n')
    expect(changed.length).toBeGreaterThan(0)
    expect(await git(viaMcpRepo, ['diff', '--name-only'])).toBe(changed.join('\n'))
    for (const file of changed)
      expect(await readFile(path.join(viaMcpRepo, file))).toEqual(await readFile(path.join(viaCliRepo, file)))
  })

  it('gitops_promote: dryRun plans, writes nothing, and deep-equals the CLI', async () => {
    const repo = path.join(work, 'promote')
    await cp(await gitopsRepo(), repo, {recursive: true})
    const args = {root: repo, from: 'local', to: 'staging', dryRun: true}
    const viaMcp = await call(session, 'gitops_promote', args)
    const cli = await runCli(['gitops', 'promote', '--from', 'local', '--to', 'staging', '--dry-run', '--json'], {
      cwd: repo,
    })
    expect(viaMcp.structuredContent).toEqual(cli.json())
    expect(await git(repo, ['status', '--porcelain'])).toBe('')
  })

  it('doctor: offline, the report (ready or not, never a tool error) deep-equals the CLI --json', async () => {
    const repo = await repoIn('doctor')
    await commitAll(repo, 'empty')
    const env = {GH_TOKEN: '', GITHUB_TOKEN: ''}
    const s = await connect(work, {env})
    const viaMcp = (await s.client.callTool({name: 'doctor', arguments: {root: repo, offline: true}})) as CallToolResult
    expect(viaMcp.isError).toBeFalsy()
    assertMatchesOutputSchema(tools.get('doctor')!, viaMcp.structuredContent)
    const cli = await runCli(['doctor', '--offline', '--json'], {cwd: repo, env})
    expect(viaMcp.structuredContent).toEqual(cli.json())
    expect((viaMcp.structuredContent as {offline: boolean}).offline).toBe(true)
  })
})

describe('ameide mcp: bad input', () => {
  const invalidParams = async (name: string, args: Record<string, unknown>, pattern: RegExp) => {
    const error = await session.client.callTool({name, arguments: args}).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(McpError)
    expect((error as McpError).code).toBe(-32_602)
    expect((error as McpError).message).toMatch(pattern)
    expect((error as McpError).message).not.toMatch(/\bat .*\.js:\d+/)
  }

  it('arguments that break the input schema are invalid params, before any command runs', async () => {
    await invalidParams('primitive_scaffold', {kind: 'widget', name: 'x'}, /kind must be equal to one of/)
    await invalidParams('primitive_scaffold', {kind: 'domain'}, /must have required property 'name'/)
    await invalidParams('gitops_set-image', {env: 'local', dryrun: true}, /additional properties \(dryrun\)/)
    await invalidParams('gitops_verify', {cache: 'no'}, /cache must be boolean/)
    await invalidParams('primitive_nope', {}, /Unknown tool/)
  })

  it("a command's own refusal is an isError result with its error document, never a stack trace", async () => {
    const repo = await repoIn('bad-name')
    const result = await call(session, 'primitive_scaffold', {root: repo, kind: 'domain', name: 'Not_Kebab'})
    const doc = errorOf(result)
    expect(doc.error).toMatchObject({code: 'INVALID_NAME', exitCode: 2})
    expect((result.content[0] as {text: string}).text).not.toMatch(/\bat .*\.js:\d+/)
    const cli = await runCli(['primitive', 'scaffold', '--kind', 'domain', '--name', 'Not_Kebab', '--json'], {
      cwd: repo,
    })
    expect(doc).toEqual(cli.json())
  })

  it("a root that is not a directory is the command's own REPO_ROOT_NOT_FOUND", async () => {
    await writeFile(path.join(work, 'a-file'), 'x')
    for (const root of ['no-such-dir', 'a-file']) {
      const doc = errorOf(await call(session, 'gitops_verify', {root}))
      expect(doc.error).toMatchObject({code: 'REPO_ROOT_NOT_FOUND', exitCode: 2})
    }
  })
})

describe('ameide mcp: roots', () => {
  it('without client roots, the working directory is the only root', async () => {
    const outside = await makeTempDir('ameide-mcp-outside-')
    await initGitRepo(outside)
    const doc = errorOf(await call(session, 'primitive_scaffold', {root: outside, kind: 'domain', name: 'orders'}))
    expect(doc.error).toMatchObject({code: 'ROOT_OUTSIDE_ROOTS', exitCode: 2})
    expect(await git(outside, ['status', '--porcelain', '--untracked-files=all'])).toBe('')
    // a relative root resolves against the root; `..` leaves it
    expect(errorOf(await call(session, 'gitops_verify', {root: '..'})).error.code).toBe('ROOT_OUTSIDE_ROOTS')
  })

  it("a root outside the client's roots, or a link out of them, is refused before anything is read or written", async () => {
    const allowed = await makeTempDir('ameide-mcp-allowed-')
    const other = await makeTempDir('ameide-mcp-other-')
    await initGitRepo(other)
    await symlink(other, path.join(allowed, 'link-out'))
    const s = await connect(work, {roots: [allowed]})
    for (const root of [other, path.join(allowed, 'link-out'), work]) {
      const result = (await s.client.callTool({
        name: 'primitive_scaffold',
        arguments: {root, kind: 'domain', name: 'orders'},
      })) as CallToolResult
      expect(errorOf(result).error.code).toBe('ROOT_OUTSIDE_ROOTS')
    }
    expect(await git(other, ['status', '--porcelain', '--untracked-files=all'])).toBe('')
    // a path argument is confined too: a publish report outside the roots is never read
    const repo = path.join(allowed, 'gitops')
    await cp(await gitopsRepo(), repo, {recursive: true})
    const report = path.join(other, 'publish.json')
    await writeFile(report, '{}')
    const refused = (await s.client.callTool({
      name: 'gitops_set-image',
      arguments: {root: repo, env: 'local', report},
    })) as CallToolResult
    expect(errorOf(refused).error).toMatchObject({
      code: 'ROOT_OUTSIDE_ROOTS',
      message: expect.stringContaining('report'),
    })
    // so is the clone a `sourceRepo` (--source-repo URL=PATH) maps: the PATH after the `=`
    for (const sourceRepo of [[`https://github.com/acme/values=${other}`], ['https://github.com/acme/values=../..']]) {
      const mapped = (await s.client.callTool({
        name: 'gitops_diff',
        arguments: {root: repo, sourceRepo},
      })) as CallToolResult
      expect(errorOf(mapped).error).toMatchObject({
        code: 'ROOT_OUTSIDE_ROOTS',
        message: expect.stringContaining('sourceRepo[0]'),
      })
    }
    // inside the roots, the default root is the first root
    const inside = (await s.client.callTool({name: 'gitops_verify', arguments: {root: 'gitops'}})) as CallToolResult
    expect(inside.isError).toBeFalsy()
  })
})

describe('ameide mcp: stdout', () => {
  it('carries protocol messages only, while the commands annotate and warn (on stderr)', async () => {
    const repo = path.join(work, 'stdout')
    await cp(await gitopsRepo(), repo, {recursive: true})
    const server = spawn(process.execPath, [CLI, 'mcp'], {
      cwd: repo,
      env: {...process.env, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: '', NO_COLOR: '1'},
    })
    let stdout = ''
    let stderr = ''
    server.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')))
    server.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')))
    const send = (m: object) => server.stdin.write(`${JSON.stringify({jsonrpc: '2.0', ...m})}\n`)
    const answered = (id: number) => stdout.split('\n').some((l) => l.includes(`"id":${id}`))
    const waitFor = async (id: number) => {
      for (let i = 0; i < 600 && !answered(id); i++) await new Promise((resolve) => setTimeout(resolve, 100))
    }
    send({
      id: 1,
      method: 'initialize',
      params: {protocolVersion: '2025-06-18', capabilities: {}, clientInfo: {name: 'raw', version: '0'}},
    })
    await waitFor(1)
    send({method: 'notifications/initialized'})
    send({id: 2, method: 'tools/list'})
    send({id: 3, method: 'tools/call', params: {name: 'gitops_verify', arguments: {cache: false}}})
    send({id: 4, method: 'tools/call', params: {name: 'gitops_set-image', arguments: {env: 'local', nope: 1}}})
    for (const id of [2, 3, 4]) await waitFor(id)
    server.stdin.end()
    await new Promise((resolve) => server.on('close', resolve))
    const messages = stdout.trimEnd().split('\n')
    expect(messages).toHaveLength(4)
    type Message = {
      jsonrpc: string
      id: number
      result?: {structuredContent: {summary: string}}
      error?: {code: number}
    }
    const byId = new Map<number, Message>()
    for (const line of messages) {
      const message = JSON.parse(line) as Message
      expect(message.jsonrpc).toBe('2.0')
      byId.set(message.id, message)
    }
    expect(byId.get(3)?.result?.structuredContent.summary).toBe('fail')
    expect(byId.get(4)?.error?.code).toBe(-32_602)
    expect(stderr).toContain('::error file=') // the gate's annotations went to the log
  })
})
