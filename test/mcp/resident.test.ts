import type {CallToolResult} from '@modelcontextprotocol/sdk/types.js'
import {existsSync} from 'node:fs'
import {appendFile, cp, mkdir, readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {gitopsRepo} from '../support/gitops-fixture.js'
import {commitAll, git, makeTempDir, runCleanups} from '../support/tmp.js'
import {connect, type Session} from './client.js'
import {children as processes, until} from './processes.js'

afterAll(runCleanups)

// The two sessions' repositories are made apart: their commits are the same only at the same dates.
process.env.GIT_AUTHOR_DATE = process.env.GIT_COMMITTER_DATE = '2026-01-01T00:00:00Z'

/** The server's child processes. */
const children = (pid: number): number[] =>
  processes(pid)
    .map((c) => c.pid)
    .sort((a, b) => a - b)

/** A work folder holding two copies of the GitOps fixture: `a` and `b`, `b` with a chart of its own changed. */
async function work(): Promise<{dir: string; a: string; b: string}> {
  const dir = await makeTempDir('ameide-mcp-resident-')
  const a = path.join(dir, 'a')
  const b = path.join(dir, 'b')
  await cp(await gitopsRepo(), a, {recursive: true})
  await cp(await gitopsRepo(), b, {recursive: true})
  for (const repo of [a, b])
    await git(repo, ['remote', 'add', 'origin', 'https://github.com/ameideio/ameide-gitops.git'])
  await retag(b, '1.4.1')
  await commitAll(b, 'gateway 1.4.1')
  return {dir, a, b}
}

const VALUES = 'sources/values/env/staging/kustomization.yaml'

/** The staging gateway image of the repository at `root` moved to `tag` (its kustomization's first `newTag`). */
async function retag(root: string, tag: string): Promise<void> {
  const file = path.join(root, VALUES)
  await writeFile(file, (await readFile(file, 'utf8')).replace(/newTag: "[\d.]+"/, `newTag: "${tag}"`))
}

/**
 * A session's calls, each after the edit it names: diffs and verifications of two repositories, an edit committed, a
 * file broken and then mended, an error. The answers, their folder made `<work>`.
 */
async function calls(s: Session, w: {dir: string; a: string; b: string}, after?: () => void): Promise<unknown[]> {
  const steps: Array<[edit: (() => Promise<unknown>) | undefined, name: string, args: Record<string, unknown>]> = [
    [undefined, 'gitops_diff', {root: w.a, base: 'HEAD', head: 'HEAD'}],
    [undefined, 'gitops_verify', {root: w.a, cache: true}],
    [undefined, 'gitops_diff', {root: w.b, base: 'HEAD~1', head: 'HEAD'}],
    [
      async () => {
        await retag(w.a, '1.5.0')
        await commitAll(w.a, 'gateway 1.5.0')
      },
      'gitops_diff',
      {root: w.a, base: 'HEAD~1', head: 'HEAD'},
    ],
    [() => appendFile(path.join(w.a, VALUES), 'images: [\n'), 'gitops_verify', {root: w.a, cache: true}],
    [undefined, 'gitops_diff', {root: w.a, base: 'HEAD'}],
    [
      () => git(w.a, ['checkout', '--', VALUES]).then(() => retag(w.a, '1.6.0')),
      'gitops_verify',
      {root: w.a, cache: true},
    ],
    [undefined, 'gitops_diff', {root: w.a, base: 'HEAD'}],
    [() => mkdir(path.join(w.dir, 'empty'), {recursive: true}), 'gitops_verify', {root: path.join(w.dir, 'empty')}],
    [undefined, 'gitops_preview', {root: w.b, pr: 7, headSha: 'a'.repeat(40)}],
  ]
  const answers: unknown[] = []
  for (const [edit, name, args] of steps) {
    await edit?.()
    const result = (await s.client.callTool({name, arguments: args})) as CallToolResult
    const text = JSON.stringify([result.isError ?? false, result.structuredContent ?? result.content])
    answers.push(JSON.parse(text.split(w.dir).join('<work>')))
    after?.()
  }
  return answers
}

describe('ameide mcp: the GitOps readers run in one resident process', () => {
  it('each call answers as in a process of its own, byte for byte; one process runs them all', async () => {
    const resident = await work()
    const perCall = await work()
    const r = await connect(resident.dir)
    const p = await connect(perCall.dir, {env: {AMEIDE_MCP_RESIDENT: '0'}})
    await r.client.listTools()
    let first: number[] | undefined
    const seen = new Set<number>()
    const answers = await calls(r, resident, () => {
      // After a call: the resident process and the one started ahead for the other tools; the same two each time.
      const now = children(r.pid)
      first ??= now
      for (const pid of now) seen.add(pid)
    })
    expect(await calls(p, perCall)).toEqual(answers)
    expect(first).toHaveLength(2)
    expect([...seen].sort((x, y) => x - y)).toEqual(first)
    // What the calls answered: a diff that changed, a broken file found, an error document.
    expect(answers.map((a) => (a as [boolean, {summary?: string}])[0])).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      true,
      false,
    ])
    expect(JSON.stringify(answers[3])).toContain('"summary":"changed"')
    expect(JSON.stringify(answers[5])).not.toContain('"summary":"unchanged"')
    expect(JSON.stringify(answers[7])).toContain('"summary":"changed"')
    expect(JSON.stringify(answers[8])).toContain('NOTHING_CHECKED')
    await r.client.close()
    await p.client.close()
    for (const pid of first!) await until(() => (existsSync(`/proc/${pid}`) ? undefined : true))
  })

  it('a cancelled call ends the resident process; the next call makes another, and answers', async () => {
    const w = await work()
    const s = await connect(w.dir, {env: {AMEIDE_MCP_AHEAD: '0'}})
    const controller = new AbortController()
    const call = s.client.callTool(
      {name: 'gitops_diff', arguments: {root: w.b, base: 'HEAD~1', head: 'HEAD'}},
      undefined,
      {
        signal: controller.signal,
      },
    )
    const resident = await until(() => children(s.pid)[0])
    controller.abort('changed my mind')
    await expect(call).rejects.toThrow(/changed my mind|abort/i)
    await until(() => (existsSync(`/proc/${resident}`) ? undefined : true))
    const again = (await s.client.callTool({name: 'gitops_verify', arguments: {root: w.b}})) as CallToolResult
    expect(again.isError).toBeFalsy()
    expect(children(s.pid)).toHaveLength(1)
    expect(children(s.pid)).not.toContain(resident)
    await s.client.close()
  })

  it('a resident process holding more than AMEIDE_MCP_RESIDENT_MB after a call is retired', async () => {
    const w = await work()
    const s = await connect(w.dir, {env: {AMEIDE_MCP_AHEAD: '0', AMEIDE_MCP_RESIDENT_MB: '1'}})
    const pids: number[] = []
    for (let i = 0; i < 2; i++) {
      const call = s.client.callTool({name: 'gitops_verify', arguments: {root: w.a}})
      pids.push(await until(() => children(s.pid)[0]))
      expect(((await call) as CallToolResult).isError).toBeFalsy()
      await until(() => (children(s.pid).length === 0 ? true : undefined))
    }
    expect(pids[1]).not.toBe(pids[0])
    await s.client.close()
  })
})
