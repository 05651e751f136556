import type {CallToolResult} from '@modelcontextprotocol/sdk/types.js'
import {existsSync} from 'node:fs'
import {cp, readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {gitopsRepo} from '../support/gitops-fixture.js'
import {commitAll, makeTempDir, runCleanups} from '../support/tmp.js'
import {connect} from './client.js'
import {children, until} from './processes.js'

afterAll(runCleanups)

describe('ameide mcp: each call runs in a process started ahead', () => {
  // The GitOps readers' calls run in the resident process (./resident.test.ts); without it, in these processes too.
  it('tools/list starts one; a call runs in it and the next waits; after a render it holds the render module', async () => {
    const work = await makeTempDir('ameide-mcp-ahead-')
    const repo = path.join(work, 'gitops')
    await cp(await gitopsRepo(), repo, {recursive: true})
    const s = await connect(work, {env: {AMEIDE_MCP_RESIDENT: '0'}})
    expect(children(s.pid)).toEqual([])

    await s.client.listTools()
    const first = await until(() => children(s.pid).find((c) => c.ahead === '1'))
    expect(children(s.pid)).toHaveLength(1)

    const verified = (await s.client.callTool({
      name: 'gitops_verify',
      arguments: {root: repo, cache: false},
    })) as CallToolResult
    expect(verified.isError).toBeFalsy()
    // The call ran in the process started ahead (it has ended); the next one is started with the render module.
    const next = await until(() => children(s.pid).find((c) => c.ahead === 'render'))
    expect(children(s.pid).map((c) => c.pid)).not.toContain(first.pid)
    expect(next.pid).not.toBe(first.pid)
    // Its render module starts while it waits: where `helm template` renders natively, the confined helper (a process
    // of its own); else the WebAssembly module's thread (more threads than the process that loaded oclif only).
    await until(() => {
      const waiting = children(s.pid).find((c) => c.pid === next.pid)!
      return children(next.pid).length > 0 || waiting.threads > first.threads ? true : undefined
    })

    // A diff there renders the revisions it holds in memory: the render module the start path made and the
    // command's own build share the process's mounts (src/core/memory-fs), none "not held in memory any more".
    const kustomization = path.join(repo, 'sources/values/env/staging/kustomization.yaml')
    await writeFile(
      kustomization,
      (await readFile(kustomization, 'utf8')).replace('newTag: "1.4.0"', 'newTag: "1.5.0"'),
    )
    await commitAll(repo, 'gateway 1.5.0')
    const diff = (await s.client.callTool({
      name: 'gitops_diff',
      arguments: {root: repo, base: 'HEAD~1', head: 'HEAD'},
    })) as CallToolResult
    expect(diff.isError).toBeFalsy()
    expect(JSON.stringify(diff.structuredContent)).not.toContain("the render's files could not be read")
    expect(children(s.pid).map((c) => c.pid)).not.toContain(next.pid)
    await until(() => children(s.pid).find((c) => c.ahead === 'render'))

    const doctor = (await s.client.callTool({name: 'doctor', arguments: {root: repo, offline: true}})) as CallToolResult
    expect(doctor.structuredContent).toHaveProperty('checks')
    expect(children(s.pid).map((c) => c.pid)).not.toContain(next.pid)
    const waiting = await until(() => children(s.pid).find((c) => c.ahead === '1'))

    // Closing the session ends the process that waits for a call that will not come (not left behind, reparented).
    await s.client.close()
    await until(() => (existsSync(`/proc/${waiting.pid}`) ? undefined : true))
  })
})
