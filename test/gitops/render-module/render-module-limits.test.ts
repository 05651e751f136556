/**
 * The render module's time limit counts the render's own CPU time (its worker thread's clock, read from /proc by the
 * host: src/effects/render-module/thread-cpu.ts), not the wall-clock time a busy machine stretches: a template that
 * spins is stopped as a `cpu` breach at the limit, and an honest render starved of a core — its thread pinned to one
 * CPU with five busy processes — finishes well past that limit in wall-clock time, judged by the CPU it used.
 */
import {execFileSync, spawn, type ChildProcess} from 'node:child_process'
import {mkdir, writeFile} from 'node:fs/promises'
import {availableParallelism} from 'node:os'
import path from 'node:path'
import {performance} from 'node:perf_hooks'
import {Worker} from 'node:worker_threads'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {openRenderModule, sharedRenderModule, type RenderModule} from '../../../src/effects/render-module/host.js'
import {ownThreadId, threadCpuMs} from '../../../src/effects/render-module/thread-cpu.js'
import {MODULE_LIMITS} from '../../../src/effects/limits.js'
import {makeTempDir} from '../../support/tmp.js'

const linux = process.platform === 'linux' && ownThreadId() !== undefined

let module: RenderModule
beforeAll(() => {
  const built = sharedRenderModule()
  if (!built) throw new Error('the render module is not built: npm run build')
  // The WebAssembly module's limits: its render thread's own CPU clock (the native helper's are render-native's).
  module = openRenderModule(built.build, 'wasm')
})

/** A chart whose one template spins `outer` × `inner` times, then prints a ConfigMap. */
async function spinningChart(outer: number, inner: number): Promise<string> {
  const dir = await makeTempDir('ameide-limit-')
  await mkdir(path.join(dir, 'templates'))
  await writeFile(path.join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: c\nversion: 0.1.0\n')
  await writeFile(
    path.join(dir, 'templates/cm.yaml'),
    `{{- range until ${outer} }}{{ range until ${inner} }}{{ end }}{{ end }}\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n`,
  )
  return dir
}

const render = async (dir: string, cpuSeconds: number) => {
  const t0 = performance.now()
  const run = await module.run(
    {roots: [dir], files: {}, cwd: dir, commands: [{helmTemplate: {release: 'rel', chart: dir}}]},
    {...MODULE_LIMITS, cpuSeconds, timeoutMs: 60_000},
  )
  return {run, wallMs: performance.now() - t0}
}

describe('the render limit counts CPU time', () => {
  it('reads one thread’s CPU clock: another thread’s work does not move it, as it moves the process’s', async () => {
    if (!linux) return
    const tid = ownThreadId()!
    const [thread0, process0] = [threadCpuMs(tid)!, process.cpuUsage()]
    // Another thread spins for 400 ms of its own CPU time.
    const spinner = new Worker(
      `const ms = () => Number(require('node:fs').readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6
       const t = ms(); while (ms() - t < 400);`,
      {eval: true},
    )
    await new Promise((resolve) => spinner.once('exit', resolve))
    const processMs = (({user, system}) => (user + system) / 1000)(process.cpuUsage(process0))
    expect(processMs).toBeGreaterThan(350)
    expect(threadCpuMs(tid)! - thread0).toBeLessThan(processMs - 250)
  })

  it('a template that spins is stopped at the CPU limit, as a cpu breach, and the next render runs', async () => {
    const {run, wallMs} = await render(await spinningChart(200_000, 200_000), 2)
    expect(run).toEqual({ok: false, limit: 'cpu', message: 'stopped after 2 s of CPU'})
    expect(wallMs).toBeGreaterThan(2000)
    expect(wallMs).toBeLessThan(30_000)
    const next = await render(await spinningChart(1, 1), 2)
    expect(next.run.ok && next.run.results[0]!.stdout).toContain('name: cm')
  }, 60_000)
})

describe('a render starved of CPU', () => {
  const busy: ChildProcess[] = []
  let affinity = ''
  afterAll(() => {
    for (const child of busy) child.kill('SIGKILL')
    if (affinity) execFileSync('taskset', ['-a', '-p', affinity, String(process.pid)], {stdio: 'ignore'})
  })

  it('is judged by the CPU it used: past the limit in wall-clock time, within it in CPU', async (ctx) => {
    if (!linux) return ctx.skip()
    const dir = await spinningChart(2000, 2000)
    const alone = await render(dir, 60)
    if (!alone.run.ok) throw new Error(alone.run.message)
    // Every thread of this process (the render thread included) and five spinning processes on one CPU: the render
    // gets about a sixth of it, so it takes about six times its CPU time; the limit, twice what it needed alone (the
    // render may land on a second thread of the pool, whose first render compiles what the first thread had: more CPU,
    // still far below six times the wall-clock time).
    const cpu = String(availableParallelism() - 1)
    affinity = execFileSync('taskset', ['-p', String(process.pid)], {encoding: 'utf8'})
      .trim()
      .split(' ')
      .pop()!
    execFileSync('taskset', ['-a', '-p', '-c', cpu, String(process.pid)], {stdio: 'ignore'})
    for (let i = 0; i < 5; i++) busy.push(spawn('taskset', ['-c', cpu, process.execPath, '-e', 'for(;;){}']))
    const limit = (alone.run.cpuMs * 2) / 1000
    const starved = await render(dir, limit)
    expect(starved.run.ok, JSON.stringify(starved.run).slice(0, 300)).toBe(true)
    if (!starved.run.ok) return
    console.log(
      `alone ${alone.run.cpuMs.toFixed(0)} ms CPU / ${alone.wallMs.toFixed(0)} ms; starved ${starved.run.cpuMs.toFixed(0)} ms CPU / ${starved.wallMs.toFixed(0)} ms; limit ${limit.toFixed(2)} s`,
    )
    expect(starved.run.cpuMs).toBeLessThan(limit * 1000)
    expect(starved.wallMs).toBeGreaterThan(limit * 1000)
  }, 120_000)
})
