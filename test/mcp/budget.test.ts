/**
 * Results an agent can hold, through the official MCP SDK client and the built CLI: a big `gitops_diff` answers
 * within the byte budget the client sets, summary first (every count whole), with `truncated` naming the lists cut,
 * the next detail and the resource; following `next` reaches every deployable, a deployable detail answers that one,
 * the resource holds the whole document; `--tools` offers only the tools named.
 */
import type {CallToolResult, Tool} from '@modelcontextprotocol/sdk/types.js'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../support/cli.js'
import {edit} from '../support/diff-repo.js'
import {ORIGIN, originApplication} from '../support/helm-repo.js'
import {commitAll, git, initGitRepo, makeTempDir, runCleanups} from '../support/tmp.js'
import {requireTool, toolEnv} from '../support/toolchain.js'
import {assertMatchesOutputSchema, connect, type Session} from './client.js'

afterAll(runCleanups)

const APPS = 200
const D = 'd'.repeat(64)
const template = (replicas: number) =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: {{ .Release.Name }}',
    'spec:',
    `  replicas: ${replicas}`,
    '  selector:',
    '    matchLabels: {app: {{ .Release.Name }}}',
    '  template:',
    '    metadata:',
    '      labels: {app: {{ .Release.Name }}}',
    '    spec:',
    '      containers:',
    '        - name: app',
    `          image: ghcr.io/acme/app:1.0.0@sha256:${D}`,
    '---',
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: {{ .Release.Name }}-config',
    'data:',
    `  replicas: "${replicas}"`,
    '',
  ].join('\n')

type Diff = {
  summary: string
  counts: Record<string, number>
  deployables: Array<{application?: string; objects: Array<{diff: string}>}>
  truncated?: {
    maxBytes: number
    bytes: number
    lists: Array<{path: string; from: number; shown: number; total: number}>
    next?: Record<string, unknown>
    resource: string
    how: string
  }
}

let repo: string
let session: Session
let tool: Tool
beforeAll(async () => {
  requireTool('helm')
  repo = await makeTempDir('ameide-mcp-budget-')
  await initGitRepo(repo)
  await git(repo, ['remote', 'add', 'origin', ORIGIN])
  const files: Record<string, string> = {
    'charts/app/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 1.0.0\n',
    'charts/app/templates/all.yaml': template(1),
  }
  for (let i = 1; i <= APPS; i++) files[`apps/app-${i}.yaml`] = originApplication(`app-${i}`, 'path: charts/app')
  await edit(repo, files)
  await commitAll(repo, 'base')
  await git(repo, ['checkout', '-q', '-b', 'pr'])
  await edit(repo, {'charts/app/templates/all.yaml': template(2)})
  await commitAll(repo, 'every Application changes')
  session = await connect(repo, {args: ['--tools', 'gitops_diff'], env: toolEnv() as Record<string, string>})
  tool = (await session.client.listTools()).tools[0]
}, 120_000)

async function diff(args: Record<string, unknown>): Promise<{doc: Diff; bytes: number}> {
  const result = (await session.client.callTool({
    name: 'gitops_diff',
    arguments: {base: 'main', head: 'HEAD', ...args},
  })) as CallToolResult
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy()
  assertMatchesOutputSchema(tool, result.structuredContent)
  const text = (result.content[0] as {text: string}).text
  expect(JSON.parse(text)).toEqual(result.structuredContent)
  return {doc: result.structuredContent as Diff, bytes: Buffer.byteLength(text)}
}

describe('ameide mcp: results within a budget', () => {
  it('--tools offers only the tools named; a name it does not offer is INVALID_TOOLS, exit 2', async () => {
    expect((await session.client.listTools()).tools.map((t) => t.name)).toEqual(['gitops_diff'])
    expect(Object.keys((tool.inputSchema.properties ?? {}) as object)).toEqual(
      expect.arrayContaining(['maxBytes', 'detail']),
    )
    expect(Object.keys((tool.outputSchema?.properties ?? {}) as object)).toContain('truncated')
    const bad = await runCli(['mcp', '--tools', 'gitops_diff,nope'], {cwd: repo})
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr).toContain('INVALID_TOOLS')
    expect(bad.stdout).toBe('')
  })

  it('a big diff answers within the budget, summary first, and the next details reach every deployable', async () => {
    const maxBytes = 40_000
    const first = await diff({maxBytes})
    expect(first.bytes).toBeLessThanOrEqual(maxBytes)
    expect(first.doc.counts).toMatchObject({deployablesChanged: APPS, objectsChanged: APPS * 2})
    const t = first.doc.truncated!
    expect(t.bytes).toBeGreaterThan(maxBytes)
    expect(t.lists).toContainEqual({path: 'deployables', from: 0, shown: first.doc.deployables.length, total: APPS})
    // The next details page through this one result: answered from it, the diff not run again.
    expect(t.next).toEqual({offset: first.doc.deployables.length, result: t.resource})
    expect(t.how).toContain(t.resource)

    const seen = first.doc.deployables.map((d) => d.application)
    let next = t.next
    for (let calls = 0; next && calls < APPS; calls++) {
      const page = await diff({maxBytes, detail: next})
      expect(page.bytes).toBeLessThanOrEqual(maxBytes)
      expect(page.doc.deployables.length).toBeGreaterThan(0)
      seen.push(...page.doc.deployables.map((d) => d.application))
      expect(page.doc.truncated?.resource).toBe(t.resource)
      next = page.doc.truncated?.next
    }
    expect(seen.sort()).toEqual(Array.from({length: APPS}, (_, i) => `app-${i + 1}`).sort())

    const one = await diff({maxBytes, detail: {deployable: 'app-7'}})
    expect(one.doc.truncated).toBeUndefined()
    expect(one.doc.deployables.map((d) => d.application)).toEqual(['app-7'])
    expect(one.doc.deployables[0].objects.map((o) => o.diff).join('')).toMatch(/^\+ {2}replicas: 2$/m)

    const whole = await session.client.readResource({uri: t.resource})
    const doc = JSON.parse((whole.contents[0] as {text: string}).text) as Diff
    expect(doc.deployables).toHaveLength(APPS)
    expect(doc.truncated).toBeUndefined()
    expect((await session.client.listResources()).resources.map((r) => r.uri)).toContain(t.resource)
    await expect(
      session.client.callTool({name: 'gitops_diff', arguments: {detail: {result: 'ameide://results/999'}}}),
    ).rejects.toThrow(/is not a kept gitops_diff result/)
  }, 240_000)

  it('a budget smaller than the summary still shows the deployable asked for, its long strings cut', async () => {
    const {doc} = await diff({maxBytes: 1000, detail: {deployable: 'app-9'}})
    expect(doc.truncated?.maxBytes).toBe(1000)
    expect(doc.truncated?.next).toBeUndefined()
    expect(doc.deployables.map((d) => d.application)).toEqual(['app-9'])
    const text = doc.deployables[0].objects.map((o) => o.diff).join('')
    expect(text).toContain('[cut by ameide mcp: ')
  }, 60_000)
})
