import {spawn} from 'node:child_process'
import {watch} from 'node:fs'
import {cp, mkdir, readdir, readFile, writeFile} from 'node:fs/promises'
import {hostname} from 'node:os'
import path from 'node:path'
import {execa} from 'execa'
import {afterAll, describe, expect, it} from 'vitest'

import {CLI, runCli} from '../../support/cli.js'
import {assertMatchesSchema} from '../../support/schema.js'
import {commitAll, git, initGitRepo, makeTempDir, runCleanups} from '../../support/tmp.js'

/**
 * Crashes and concurrent writers on one checkout: the writer killed after every rename of a small plan (the
 * test-only AMEIDE_TEST_KILL_AFTER_RENAMES hook) and SIGKILLed at random points of a large one; after each, every
 * file holds its old or its new bytes and the next writer leaves exactly the expected tree, nothing untracked.
 */
afterAll(runCleanups)

const DIGEST = (n: number) => n.toString(16).padStart(64, '0')
const ref = (i: number, round: number) => `ghcr.io/ameideio/app-${i}:1.${round}.0@sha256:${DIGEST(round + 1)}`
const fileOf = (i: number, env = 'local') => `sources/values/env/${env}/apps/app-${String(i).padStart(4, '0')}.yaml`
/** Each file in a style of its own: comments, quotes, CRLF, no final newline — the bytes around the ref must stay. */
function text(i: number, value: string): string {
  switch (i % 4) {
    case 0:
      return `# app ${i}\nimage:\n  ref: ${value} # pinned by CI\n`
    case 1:
      return `image:\r\n  ref: "${value}"\r\nreplicas: 2\r\n`
    case 2:
      return `image: {ref: '${value}'}`
    default:
      return `spec:\n  containers:\n    - name: app\n      image: ${value}\n`
  }
}

/** A git checkout with `n` overlay files in `envs`, each naming its own image at tag 1.0.0 (committed). */
async function overlayRepo(n: number, envs = ['local']): Promise<string> {
  const dir = path.join(await makeTempDir('ameide-recover-'), 'gitops')
  for (const env of envs) {
    await mkdir(path.join(dir, `sources/values/env/${env}/apps`), {recursive: true})
    for (let i = 0; i < n; i++)
      await writeFile(path.join(dir, fileOf(i, env)), text(i, `ghcr.io/ameideio/app-${i}:1.0.0`))
  }
  await initGitRepo(dir)
  await git(dir, ['config', 'core.autocrlf', 'false'])
  await commitAll(dir, 'overlays')
  return dir
}

const refArgs = (n: number, round: number) => Array.from({length: n}, (_, i) => ['--ref', ref(i, round)]).flat()

async function readAll(repo: string, n: number, env = 'local'): Promise<string[]> {
  return Promise.all(Array.from({length: n}, (_, i) => readFile(path.join(repo, fileOf(i, env)), 'utf8')))
}

/** `git status` of the checkout: only modified overlay files, never an untracked one. */
async function status(repo: string): Promise<string[]> {
  const out = await git(repo, ['status', '--porcelain', '--untracked-files=all'])
  return out === '' ? [] : out.split('\n').map((line) => line.trim()) // `M file`, `?? file`
}

/** What the writer keeps under the git directory: after a finished run only the (empty) temporaries folder. */
async function stateLeft(repo: string): Promise<string[]> {
  const dir = path.join(repo, '.git/ameide/write')
  const top = await readdir(dir).catch(() => [] as string[])
  const tmp = await readdir(path.join(dir, 'tmp')).catch(() => [] as string[])
  return [...top.filter((n) => n !== 'tmp'), ...tmp.map((n) => `tmp/${n}`)]
}

const setImage = (repo: string, args: string[], env: Record<string, string> = {}) =>
  execa(process.execPath, [CLI, 'gitops', 'set-image', '--env', 'local', ...args, '--json'], {
    cwd: repo,
    env: {NO_COLOR: '1', CI: 'true', ...env},
    reject: false,
  })

describe('gitops set-image killed mid-apply', () => {
  it('after every rename of a small plan: old or new bytes, then the next writer finishes it (set-image or promote)', async () => {
    const n = 4
    const template = await overlayRepo(n, ['local', 'staging'])
    const before = await readAll(template, n)
    const after = Array.from({length: n}, (_, i) => text(i, ref(i, 1)))
    // 'temporaries': killed once the temporaries are written, before the journal says so; then after 0…n renames.
    for (const point of ['temporaries', ...Array.from({length: n + 1}, (_, k) => String(k))]) {
      const repo = path.join(await makeTempDir('ameide-recover-n-'), 'gitops')
      await cp(template, repo, {recursive: true})
      const child = setImage(repo, refArgs(n, 1), {AMEIDE_TEST_KILL_AFTER_RENAMES: point})
      const killed = await child
      expect(killed.signal, `${point}: ${killed.stdout}${killed.stderr}`).toBe('SIGKILL')
      const renamed = point === 'temporaries' ? 0 : Number(point)
      // Renames go in path order: the first `renamed` files are new, the others old, byte for byte.
      expect(await readAll(repo, n), point).toEqual([...after.slice(0, renamed), ...before.slice(renamed)])
      expect(await status(repo), point).toEqual(after.slice(0, renamed).map((_, i) => `M ${fileOf(i)}`))
      expect(await stateLeft(repo), point).toContain('journal.json')

      // Half the points are recovered by set-image, the other half by promote (which then copies local's refs).
      const viaPromote = renamed % 2 === 1
      const next = viaPromote
        ? await runCli(['gitops', 'promote', '--from', 'local', '--to', 'staging', '--json'], {cwd: repo})
        : await runCli(['gitops', 'set-image', '--env', 'local', ...refArgs(n, 1), '--json'], {cwd: repo})
      expect(next.exitCode, next.stdout + next.stderr).toBe(0)
      const result = next.json()
      assertMatchesSchema(viaPromote ? 'gitops-promote.schema.json' : 'gitops-set-image.schema.json', result)
      expect(result.recovered, point).toEqual(
        point === 'temporaries'
          ? {action: 'rolled-back', pid: child.pid, files: [], removed: n}
          : {
              action: 'rolled-forward',
              pid: child.pid,
              files: Array.from({length: n - renamed}, (_, k) => fileOf(renamed + k)),
              removed: 0,
            },
      )
      if (!viaPromote) expect(result.status, point).toBe(point === 'temporaries' ? 'applied' : 'none')
      expect(await readAll(repo, n), point).toEqual(after)
      if (viaPromote) expect(await readAll(repo, n, 'staging'), point).toEqual(after)
      expect(await status(repo), point).toEqual([
        ...after.map((_, i) => `M ${fileOf(i)}`),
        ...(viaPromote ? after.map((_, i) => `M ${fileOf(i, 'staging')}`) : []),
      ])
      expect(await stateLeft(repo), point).toEqual([])
    }
  }, 240_000)

  it('SIGKILL at random points of a large apply: old or new bytes, and the next run converges', async () => {
    const n = 300
    const repo = await overlayRepo(n)
    const stateDir = path.join(repo, '.git/ameide/write')
    await mkdir(stateDir, {recursive: true})
    const seed = Number(process.env.AMEIDE_TEST_SEED ?? Date.now() % 100_000)
    let rand = seed
    const random = () => (rand = (rand * 48_271) % 2_147_483_647) / 2_147_483_647 // Park–Miller, seeded
    /**
     * Runs set-image for `round`; with `killAfter`, SIGKILLs it that many ms after its journal appears; with
     * `renames`, the test hook kills it right after that many renames (a random point the clock cannot miss).
     */
    const run = (round: number, killAfter?: number, renames?: number) =>
      new Promise<{signal: string | null; applyMs: number}>((resolve) => {
        const child = spawn(process.execPath, [CLI, 'gitops', 'set-image', '--env', 'local', ...refArgs(n, round)], {
          cwd: repo,
          env: {
            ...process.env,
            NO_COLOR: '1',
            CI: 'true',
            ...(renames === undefined ? {} : {AMEIDE_TEST_KILL_AFTER_RENAMES: String(renames)}),
          },
          stdio: 'ignore',
        })
        let started = 0
        const watcher = watch(stateDir, (_event, name) => {
          if (name !== 'journal.json' || started) return
          started = Date.now()
          if (killAfter !== undefined) setTimeout(() => child.kill('SIGKILL'), killAfter)
        })
        child.on('exit', (_code, signal) => {
          watcher.close()
          resolve({signal, applyMs: started ? Date.now() - started : 0})
        })
      })
    // A whole run first: how long its apply lasts (journal written → exit) sets the window the kills fall in.
    const calibration = await run(1)
    expect(calibration.signal).toBeNull()
    const window = Math.max(calibration.applyMs, 20)
    let hits = 0
    for (let round = 2; round <= 7; round++) {
      const old = await readAll(repo, n)
      const want = Array.from({length: n}, (_, i) => text(i, ref(i, round)))
      // Rounds 2–4: a SIGKILL from outside at a random time of the apply (any phase: temporaries, journal, renames);
      // rounds 5–7: after a random number of renames, 1 to n − 1, so some kills always fall mid-renames.
      const outside = round <= 4
      const delay = Math.floor(random() * window)
      const renames = 1 + Math.floor(random() * (n - 1))
      const killed = outside ? await run(round, delay) : await run(round, undefined, renames)
      const now = await readAll(repo, n)
      const context = outside
        ? `seed ${seed}, round ${round}, killed ${delay} ms into a ${window} ms apply`
        : `seed ${seed}, round ${round}, killed after ${renames} of ${n} renames`
      if (!outside) expect(killed.signal, context).toBe('SIGKILL')
      for (let i = 0; i < n; i++) expect([old[i], want[i]], `${context}: ${fileOf(i)}`).toContain(now[i])
      expect(
        (await status(repo)).filter((l) => !l.startsWith('M ')),
        context,
      ).toEqual([])
      if (killed.signal === 'SIGKILL' && now.some((t, i) => t !== old[i]) && now.some((t, i) => t !== want[i])) hits++
      // The next writer finishes (or undoes) the interrupted apply and writes the round's refs.
      const converge = await runCli(['gitops', 'set-image', '--env', 'local', ...refArgs(n, round), '--json'], {
        cwd: repo,
      })
      expect(converge.exitCode, `${context}: ${converge.stdout}`).toBe(0)
      expect(await readAll(repo, n), context).toEqual(want)
      expect((await status(repo)).length, context).toBe(n)
      expect(await stateLeft(repo), context).toEqual([])
    }
    // The kills after k renames fell between the first and the last rename (else the test proved little).
    expect(hits, `seed ${seed}`).toBeGreaterThanOrEqual(3)
  }, 300_000)

  it('stops with INTERRUPTED_WRITE_CONFLICT when a file of the interrupted apply was edited since', async () => {
    const repo = await overlayRepo(3)
    const killed = await setImage(repo, refArgs(3, 1), {AMEIDE_TEST_KILL_AFTER_RENAMES: '1'})
    expect(killed.signal).toBe('SIGKILL')
    await writeFile(path.join(repo, fileOf(2)), 'image:\n  ref: edited-by-hand:1\n')
    const blocked = await runCli(['gitops', 'set-image', '--env', 'local', ...refArgs(3, 1), '--json'], {cwd: repo})
    expect(blocked.exitCode).toBe(1)
    expect(blocked.json().error.code).toBe('INTERRUPTED_WRITE_CONFLICT')
    expect(blocked.json().error.message).toContain(fileOf(2))
    expect(await readFile(path.join(repo, fileOf(2)), 'utf8')).toBe('image:\n  ref: edited-by-hand:1\n')
    expect(await readFile(path.join(repo, fileOf(1)), 'utf8')).toBe(text(1, 'ghcr.io/ameideio/app-1:1.0.0'))
    // Put back as the hint says: the rerun finishes the write.
    await git(repo, ['checkout', '--', fileOf(2)])
    const rerun = await runCli(['gitops', 'set-image', '--env', 'local', ...refArgs(3, 1), '--json'], {cwd: repo})
    expect(rerun.exitCode, rerun.stdout).toBe(0)
    expect(rerun.json().recovered.files).toEqual([fileOf(1), fileOf(2)])
    expect(await readAll(repo, 3)).toEqual([0, 1, 2].map((i) => text(i, ref(i, 1))))
  }, 60_000)

  it('outside a git checkout the state lives in <root>/.ameide/write and is gone once recovered', async () => {
    const repo = await overlayRepo(2)
    const plain = path.join(await makeTempDir('ameide-recover-plain-'), 'plain')
    await cp(path.join(repo, 'sources'), path.join(plain, 'sources'), {recursive: true})
    const killed = await setImage(plain, ['--root', plain, ...refArgs(2, 1)], {AMEIDE_TEST_KILL_AFTER_RENAMES: '1'})
    expect(killed.signal).toBe('SIGKILL')
    expect((await readdir(path.join(plain, '.ameide/write'))).sort()).toEqual(['journal.json', 'lock', 'tmp'])
    const rerun = await runCli(['gitops', 'set-image', '--env', 'local', '--root', plain, ...refArgs(2, 1), '--json'])
    expect(rerun.exitCode, rerun.stdout).toBe(0)
    expect(rerun.json().recovered).toMatchObject({action: 'rolled-forward', files: [fileOf(1)]})
    expect(await readdir(plain)).toEqual(['sources'])
  }, 60_000)
})

describe('two writers on one checkout', () => {
  /** A lock file as a writer leaves it (lock.ts): pid, host, start time. */
  async function plantLock(repo: string, pid: number, start: string | null): Promise<string> {
    const dir = path.join(repo, '.git/ameide/write')
    await mkdir(dir, {recursive: true})
    const lock = path.join(dir, 'lock')
    const since = new Date().toISOString()
    await writeFile(lock, JSON.stringify({pid, host: hostname(), start, since, nonce: 'planted'}))
    return lock
  }
  const startOf = async (pid: number) => {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
  }

  it('a live holder: the second writer waits, then exits 4 CHECKOUT_LOCKED with nothing written', async () => {
    const repo = await overlayRepo(2)
    const lock = await plantLock(repo, process.pid, await startOf(process.pid))
    const timings = JSON.stringify({lockWaitMs: 300})
    const run = await runCli(['gitops', 'set-image', '--env', 'local', ...refArgs(2, 1), '--json'], {
      cwd: repo,
      env: {AMEIDE_TEST_TIMINGS: timings},
    })
    expect(run.exitCode, run.stdout).toBe(4)
    const error = run.json().error
    expect(error.code).toBe('CHECKOUT_LOCKED')
    expect(error.message).toContain(`pid ${process.pid}`)
    expect(error.hints.join('\n')).toContain(lock)
    expect(await status(repo)).toEqual([])
    // Released while a writer waits: it goes on, and plans on what is there then.
    const waiting = runCli(['gitops', 'set-image', '--env', 'local', ...refArgs(2, 1), '--json'], {cwd: repo})
    await new Promise((resolve) => setTimeout(resolve, 1500))
    expect(await status(repo)).toEqual([]) // still waiting
    await execa('rm', [lock])
    const done = await waiting
    expect(done.exitCode, done.stdout).toBe(0)
    expect(await readAll(repo, 2)).toEqual([0, 1].map((i) => text(i, ref(i, 1))))
  }, 60_000)

  it('a dead holder (no such pid, or the pid reused by another process) does not block', async () => {
    const repo = await overlayRepo(2)
    const gone = execa('true')
    await gone
    expect(gone.pid).toBeGreaterThan(0)
    await plantLock(repo, gone.pid!, null)
    const first = await runCli(['gitops', 'set-image', '--env', 'local', ...refArgs(2, 1), '--json'], {
      cwd: repo,
      env: {AMEIDE_TEST_TIMINGS: JSON.stringify({lockWaitMs: 200})},
    })
    expect(first.exitCode, first.stdout).toBe(0)
    await plantLock(repo, process.pid, '1') // a live pid, started at another time than the holder
    const second = await runCli(['gitops', 'set-image', '--env', 'local', ...refArgs(2, 2), '--json'], {
      cwd: repo,
      env: {AMEIDE_TEST_TIMINGS: JSON.stringify({lockWaitMs: 200})},
    })
    expect(second.exitCode, second.stdout).toBe(0)
    expect(await stateLeft(repo)).toEqual([])
  }, 60_000)

  it('run at once: both succeed one after the other, and the second rewrites what the first wrote', async () => {
    const n = 60
    const repo = await overlayRepo(n)
    const [a, b] = await Promise.all(
      [1, 2].map((round) =>
        runCli(['gitops', 'set-image', '--env', 'local', ...refArgs(n, round), '--json'], {cwd: repo}),
      ),
    )
    expect([a.exitCode, b.exitCode], a.stdout + b.stdout).toEqual([0, 0])
    const [ra, rb] = [a.json(), b.json()]
    // Whichever ran second saw the first one's refs as its `from`: nothing was overwritten unseen.
    const [firstRound, second] = ra.changes[0].from.endsWith(':1.0.0') ? [1, rb] : [2, ra]
    expect(second.changes.map((c: {from: string}) => c.from)).toEqual(
      Array.from({length: n}, (_, i) => ref(i, firstRound)),
    )
    const lastRound = firstRound === 1 ? 2 : 1
    expect(await readAll(repo, n)).toEqual(Array.from({length: n}, (_, i) => text(i, ref(i, lastRound))))
    expect(await stateLeft(repo)).toEqual([])
  }, 120_000)
})
