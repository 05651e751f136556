import type {CallToolResult, Tool} from '@modelcontextprotocol/sdk/types.js'
import {execa} from 'execa'
import {existsSync} from 'node:fs'
import {readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {startFakeGitHub, type FakeGitHub, type FakeGitHubOptions} from '../support/github-server.js'
import {commitAll, initGitRepo, makeTempDir, runCleanups} from '../support/tmp.js'
import {assertMatchesOutputSchema, connect, type Session} from './client.js'

/**
 * The dispatching tools (`primitive_gitops_scaffold`, `primitive_gitops_update-images`) and `primitive_publish_merge`
 * through the SDK's own client, against the fake GitHub that checks every request and answer against GitHub's
 * OpenAPI description: results match the listed output schema, the run and the pull request arrive as progress, and a
 * cancelled call stops its command (no more requests, no process left) while the server takes the next call.
 */
const TOKEN = 'ghp_mcpDispatchCANARY0123456789abcdefghij'
const SHA = '4b1e9f0c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f70'
const E = 'e'.repeat(64)
const EXAMPLE = new URL('../../docs/examples/gitops/update-image-refs.yaml', import.meta.url)

let work: string
const servers: FakeGitHub[] = []

beforeAll(async () => {
  work = await makeTempDir('ameide-mcp-dispatch-')
  await initGitRepo(work)
  await writeFile(path.join(work, 'README.md'), '# monorepo\n')
  await commitAll(work, 'init')
})
afterEach(async () => {
  const all = servers.splice(0)
  for (const s of all) await s.close()
  for (const s of all) expect(s.violations).toEqual([])
})
afterAll(runCleanups)

async function fake(options: Partial<FakeGitHubOptions> = {}): Promise<FakeGitHub> {
  const server = await startFakeGitHub({token: TOKEN, ...options})
  servers.push(server)
  return server
}

/**
 * A server whose commands reach the fake with the token: each call's process started ahead (the default), or with
 * `ahead: false` at its call (so that, once a call has ended, no process of the server is left to count).
 */
async function session(server: FakeGitHub, ahead = true): Promise<{s: Session; tools: Map<string, Tool>}> {
  const env = {GH_TOKEN: TOKEN, GITHUB_API_URL: server.url, ...(ahead ? {} : {AMEIDE_MCP_AHEAD: '0'})}
  const s = await connect(work, {env})
  const tools = new Map((await s.client.listTools()).tools.map((t) => [t.name, t]))
  return {s, tools}
}

/** A call with its progress messages, its structuredContent checked against the tool's outputSchema. */
async function callWithProgress(
  s: Session,
  tool: Tool,
  args: Record<string, unknown>,
): Promise<{result: CallToolResult; progress: string[]}> {
  const progress: string[] = []
  const result = (await s.client.callTool({name: tool.name, arguments: args}, undefined, {
    onprogress: (p) => progress.push(p.message ?? ''),
    timeout: 60_000,
  })) as CallToolResult
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy()
  assertMatchesOutputSchema(tool, result.structuredContent)
  return {result, progress}
}

/** The process ids whose parent is `pid`. */
async function childrenOf(pid: number): Promise<string[]> {
  const {stdout} = await execa('ps', ['-o', 'pid=', '--ppid', String(pid)], {reject: false})
  return stdout.split('\n').filter((l) => l.trim() !== '')
}

describe('ameide mcp: the dispatching tools', () => {
  it('primitive_gitops_scaffold follows the run to its pull request: the result, and the run and PR as progress', async () => {
    const server = await fake({runStatuses: ['queued', 'in_progress', 'completed']})
    const {s, tools} = await session(server)
    const tool = tools.get('primitive_gitops_scaffold')!
    expect(tool.annotations).toMatchObject({readOnlyHint: false, idempotentHint: false, openWorldHint: true})
    expect(tool.description).toContain('Not idempotent')
    const {result, progress} = await callWithProgress(s, tool, {kind: 'domain', name: 'orders', wait: true})
    const run = server.runs[0]
    expect(result.structuredContent).toMatchObject({
      run: {id: run.id, status: 'completed', conclusion: 'success', correlation: 'returned'},
      pullRequest: {branch: 'scaffold/domain-orders-v0'},
    })
    const {run: got, pullRequest: pr} = result.structuredContent as {
      run: {htmlUrl: string}
      pullRequest: {number: number; url: string}
    }
    expect(progress).toContain(`Dispatched: run ${run.id} (in_progress) ${got.htmlUrl}`)
    expect(progress).toContain('Run completed: success')
    expect(progress).toContain(`Pull request #${pr.number}: ${pr.url}`)
    expect(server.requestsFor('actions/create-workflow-dispatch')).toHaveLength(1)
  })

  it('primitive_gitops_update-images dispatches a report path confined to the roots, and relays the run and PR', async () => {
    const yaml = await readFile(EXAMPLE, 'utf8')
    const server = await fake({
      workflows: [{id: 7001, file: 'update-image-refs.yaml', yaml}],
      prBranch: `ameide/images-local-${SHA.slice(0, 12)}`,
      runStatuses: ['queued', 'completed'],
    })
    const ref = `ghcr.io/ameideio/primitive-domain-orders:${SHA}@sha256:${E}`
    await writeFile(
      path.join(work, 'publish.json'),
      JSON.stringify({schemaVersion: 1, sha: SHA, images: [{component: 'domain-orders', ref}], failures: []}),
    )
    const {s, tools} = await session(server)
    const tool = tools.get('primitive_gitops_update-images')!
    const {result, progress} = await callWithProgress(s, tool, {report: 'publish.json', env: 'local', wait: true})
    expect(result.structuredContent).toMatchObject({
      inputs: {env: 'local', source_sha: SHA},
      run: {status: 'completed', conclusion: 'success'},
      pullRequest: {branch: `ameide/images-local-${SHA.slice(0, 12)}`},
    })
    expect(progress.some((p) => p.startsWith('Dispatched: run '))).toBe(true)
    expect(progress.some((p) => p.startsWith('Pull request #'))).toBe(true)
    const outside = (await s.client.callTool({
      name: tool.name,
      arguments: {report: '/etc/hostname', env: 'local'},
    })) as CallToolResult
    expect(outside.isError).toBe(true)
    expect(JSON.stringify(outside.content)).toContain('ROOT_OUTSIDE_ROOTS')
    expect(server.requestsFor('actions/create-workflow-dispatch')).toHaveLength(1)
  })

  it('a call cancelled while following the run stops its command at once; the server takes the next call', async () => {
    const server = await fake({runStatuses: ['queued', 'in_progress', 'completed'], pollsPerStep: 1000})
    const {s} = await session(server, false)
    const controller = new AbortController()
    let cancelledAt = 0
    const call = s.client.callTool(
      {name: 'primitive_gitops_scaffold', arguments: {kind: 'domain', name: 'orders', wait: true}},
      undefined,
      {
        signal: controller.signal,
        timeout: 60_000,
        onprogress: (p) => {
          if (p.message?.startsWith('Dispatched: run ')) {
            cancelledAt = Date.now()
            controller.abort('changed my mind')
          }
        },
      },
    )
    await expect(call).rejects.toThrow(/changed my mind|abort/i)
    expect(Date.now() - cancelledAt).toBeLessThan(1000)
    // The command's process ends (SIGTERM → its follow loop's wait is aborted): no process of it is left.
    let children = await childrenOf(s.pid)
    for (let i = 0; i < 50 && children.length > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      children = await childrenOf(s.pid)
    }
    expect(children).toEqual([])
    // …and it polls no more: nothing reaches GitHub after it is gone.
    const atEnd = server.requests.length
    await new Promise((resolve) => setTimeout(resolve, 3000))
    expect(server.requests.length).toBe(atEnd)
    expect(server.requestsFor('actions/create-workflow-dispatch')).toHaveLength(1)
    // The server is still there: a next call runs (a dry run sends no dispatch).
    const next = (await s.client.callTool({
      name: 'primitive_gitops_scaffold',
      arguments: {kind: 'domain', name: 'orders', dryRun: true},
    })) as CallToolResult
    expect(next.isError, JSON.stringify(next.content)).toBeFalsy()
    expect(next.structuredContent).toMatchObject({dryRun: true, run: null})
    expect(server.requestsFor('actions/create-workflow-dispatch')).toHaveLength(1)
  })
})

/** A shard report of `publish --shard I/2` whose one component failed (no registry needed to merge it). */
function shardReport(index: number, component: string): object {
  return {
    schemaVersion: 1,
    sha: SHA,
    base: null,
    baseDescription: '--all',
    registry: '127.0.0.1:5000/mcp',
    dryRun: false,
    builder: 'buildah',
    signing: {enabled: false},
    sbom: {enabled: false},
    provenance: {enabled: false},
    updateMain: false,
    images: [],
    failures: [{component, code: 'BUILD_FAILED', message: `${component} did not build`, exitCode: 1}],
    durationMs: 10 * index,
    shard: {id: `${index}/2`, index, count: 2, plan: `sha256:${E}`, components: [component]},
  }
}

describe('ameide mcp: primitive_publish_merge', () => {
  it('merges the shard reports (paths confined to the roots) into the report a single run writes', async () => {
    const dir = path.join(work, 'shards')
    await execa('mkdir', ['-p', dir])
    await writeFile(path.join(dir, 'a.json'), JSON.stringify(shardReport(1, 'domain-orders')))
    await writeFile(path.join(dir, 'b.json'), JSON.stringify(shardReport(2, 'agent-triage')))
    const server = await fake()
    const {s, tools} = await session(server)
    const tool = tools.get('primitive_publish_merge')!
    expect(tool.inputSchema.required).toEqual(['reports'])
    expect(tool.annotations).toMatchObject({readOnlyHint: false, idempotentHint: true, destructiveHint: false})
    const {result} = await callWithProgress(s, tool, {
      reports: ['shards/b.json', 'shards/a.json'],
      output: 'merged.json',
    })
    expect(result.structuredContent).not.toHaveProperty('shard')
    expect(
      (result.structuredContent as {failures: Array<{component: string}>}).failures.map((f) => f.component),
    ).toEqual(['agent-triage', 'domain-orders'])
    expect(JSON.parse(await readFile(path.join(work, 'merged.json'), 'utf8'))).toEqual(result.structuredContent)
    // One path outside the roots refuses the call before the command runs: nothing is written.
    const refused = (await s.client.callTool({
      name: tool.name,
      arguments: {reports: ['shards/a.json', '/etc/hostname'], output: 'refused.json'},
    })) as CallToolResult
    expect(refused.isError).toBe(true)
    expect(JSON.stringify(refused.content)).toContain('ROOT_OUTSIDE_ROOTS')
    expect(existsSync(path.join(work, 'refused.json'))).toBe(false)
  })
})
