import type {CallToolResult} from '@modelcontextprotocol/sdk/types.js'
import {existsSync} from 'node:fs'
import {mkdir, readFile, writeFile} from 'node:fs/promises'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../support/cli.js'
import {startRegistry, type Registry} from '../support/registry.js'
import {commitAll, initGitRepo, makeTempDir, registerCleanup, runCleanups} from '../support/tmp.js'
import {allTags, buildSetup} from '../publish/fixture.js'
import {assertMatchesOutputSchema, connect} from './client.js'
import {TOOLS} from '../../src/mcp/catalogue.js'

afterAll(runCleanups)

const FAST = JSON.stringify({retryAttempts: 1, retryDelayMs: 5})

/**
 * A loopback proxy in front of the real registry that holds every request `delayMs` before passing it on
 * unchanged: a slow registry, so a publish is still planning when it is cancelled. Counts what arrives.
 */
async function slowProxy(target: Registry, delayMs: number): Promise<{host: string; arrived: () => number}> {
  let arrived = 0
  const server = http.createServer((req, res) => {
    arrived++
    const body: Buffer[] = []
    req.on('data', (c: Buffer) => body.push(c))
    req.on('end', () => {
      setTimeout(() => {
        const upstream = http.request(
          `${target.url}${req.url}`,
          {method: req.method, headers: {...req.headers, host: target.host}},
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers)
            answer.pipe(res)
          },
        )
        upstream.on('error', () => res.destroy())
        upstream.end(Buffer.concat(body))
      }, delayMs)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  registerCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())))
  server.unref()
  return {host: `127.0.0.1:${(server.address() as AddressInfo).port}`, arrived: () => arrived}
}

let registry: Registry
let repo: string
let work: string

beforeAll(async () => {
  registry = await startRegistry()
  work = await makeTempDir('ameide-mcp-publish-')
  repo = path.join(work, 'mono')
  await mkdir(repo)
  await initGitRepo(repo)
  for (const c of ['domain/orders', 'agent/triage', 'process/billing']) {
    await mkdir(path.join(repo, 'primitives', c), {recursive: true})
    await writeFile(
      path.join(repo, 'primitives', c, 'Dockerfile'),
      `FROM scratch\nCOPY primitives/${c}/app.txt /app.txt\n`,
    )
    await writeFile(path.join(repo, 'primitives', c, 'app.txt'), `${c}\n`)
  }
  await commitAll(repo, 'three primitives')
})

const publishArgs = (registryHost: string) => ({
  root: repo,
  registry: `${registryHost}/mcp`,
  all: true,
  builder: 'buildah',
  sign: false,
  sbom: 'none',
  provenance: false,
})

describe('ameide mcp: primitive_publish', () => {
  it('dryRun returns the plan (the CLI --json), relays progress, and pushes nothing', async () => {
    const s = await connect(work, {env: {AMEIDE_TEST_TIMINGS: FAST}})
    const tool = (await s.client.listTools()).tools.find((t) => t.name === 'primitive_publish')!
    const progress: string[] = []
    const result = (await s.client.callTool(
      {name: 'primitive_publish', arguments: {...publishArgs(registry.host), dryRun: true}},
      undefined,
      {onprogress: (p) => progress.push(p.message ?? '')},
    )) as CallToolResult
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy()
    assertMatchesOutputSchema(tool, result.structuredContent)
    expect(result.structuredContent).toMatchObject({dryRun: true})
    expect(progress).toContain(`Planning 3 component(s) against ${registry.host}/mcp`)
    const cli = await runCli(
      [
        'primitive',
        'publish',
        ...['--registry', `${registry.host}/mcp`, '--all', '--builder', 'buildah', '--no-sign', '--sbom', 'none'],
        ...['--no-provenance', '--dry-run', '--json'],
      ],
      {cwd: repo, env: {AMEIDE_TEST_TIMINGS: FAST}},
    )
    // the same plan; only the time it took differs
    const withoutDuration = ({durationMs: _, ...rest}: {durationMs?: number}) => rest
    expect(withoutDuration(result.structuredContent!)).toEqual(withoutDuration(cli.json()))
    expect(await allTags(registry.url)).toEqual({})
  })

  it('a cancelled publish stops its command at once: no request after it, no tag, no report file', async () => {
    const proxy = await slowProxy(registry, 1500)
    const s = await connect(work, {env: {AMEIDE_TEST_TIMINGS: FAST}})
    const controller = new AbortController()
    const call = s.client.callTool(
      {name: 'primitive_publish', arguments: {...publishArgs(proxy.host), output: 'publish.json'}},
      undefined,
      {
        signal: controller.signal,
        onprogress: (p) => {
          if (p.message?.startsWith('Planning')) setTimeout(() => controller.abort('changed my mind'), 200)
        },
      },
    )
    await expect(call).rejects.toThrow(/changed my mind|abort/i)
    const atCancel = proxy.arrived()
    await new Promise((resolve) => setTimeout(resolve, 4000))
    expect(proxy.arrived()).toBe(atCancel) // the command is gone: nothing more reaches the registry
    expect(await allTags(registry.url)).toEqual({})
    expect(existsSync(path.join(repo, 'publish.json'))).toBe(false)
    // the server is still there for the next call
    expect((await s.client.listTools()).tools).toHaveLength(TOOLS.length)
  })

  it('cancelled while building: the image under way is finished, the next is never started (CANCELLED)', async () => {
    const tmp = await makeTempDir('ameide-mcp-build-')
    const setup = await buildSetup(tmp, registry)
    const mono = path.join(work, 'build-mono')
    await mkdir(mono)
    await initGitRepo(mono)
    for (const c of ['domain/orders', 'agent/triage']) {
      await mkdir(path.join(mono, 'primitives', c), {recursive: true})
      await writeFile(
        path.join(mono, 'primitives', c, 'Dockerfile'),
        `FROM scratch\nCOPY primitives/${c}/app.txt /app.txt\n`,
      )
      await writeFile(path.join(mono, 'primitives', c, 'app.txt'), `${c} built\n`)
    }
    const sha = await commitAll(mono, 'two primitives')
    const s = await connect(work, {env: {...setup.env, AMEIDE_TEST_TIMINGS: FAST}})
    const controller = new AbortController()
    const call = s.client.callTool(
      {
        name: 'primitive_publish',
        arguments: {
          ...publishArgs(registry.host),
          root: mono,
          registry: `${registry.host}/built`,
          jobs: 1,
          output: 'publish.json',
        },
      },
      undefined,
      {
        signal: controller.signal,
        timeout: 240_000,
        onprogress: (p) => {
          if (p.message?.endsWith(': building')) controller.abort('stop')
        },
      },
    )
    await expect(call).rejects.toThrow(/stop|abort/i)
    // the command finishes what it started, then writes its report (atomically) and ends
    const report = path.join(mono, 'publish.json')
    for (let i = 0; i < 240 && !existsSync(report); i++) await new Promise((resolve) => setTimeout(resolve, 500))
    const doc = JSON.parse(await readFile(report, 'utf8')) as {
      images: Array<{component: string; digest: string}>
      failures: Array<{component: string; code: string}>
    }
    expect(doc.images, JSON.stringify(doc.failures)).toHaveLength(1)
    expect(doc.failures).toEqual([expect.objectContaining({code: 'CANCELLED', exitCode: 1})])
    const [done] = doc.images
    const tags = await allTags(registry.url)
    expect(tags[`built/primitive-${done.component}`]).toEqual([sha])
    expect(tags[`built/primitive-${doc.failures[0].component}`]).toBeUndefined()
  })
})
