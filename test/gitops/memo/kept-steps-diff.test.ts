/**
 * The kept ApplicationSet expansions through the built CLI (src/gitops/memo, `<git dir>/ameide/cache/gitops-steps.json`):
 * `gitops diff --json` warm prints the same bytes as cold and as `--no-cache`; a warm run needs no template engine at
 * all (its kept answers removed and its glue broken, the expansions come from the kept steps); another pull request
 * against the same base, and a truncated file, answer as a fresh run does.
 */
import {existsSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {writeFile} from 'node:fs/promises'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../../support/cli.js'
import {edit, prRepo} from '../../support/diff-repo.js'
import {commitAll, git, makeTempDir, runCleanups} from '../../support/tmp.js'
import {requireTool, toolEnv} from '../../support/toolchain.js'

afterAll(runCleanups)

let env: Record<string, string | undefined>
beforeAll(() => {
  requireTool('kustomize')
  requireTool('helm')
  // The engine in WebAssembly, so that a broken glue shows whether it started.
  env = {...toolEnv(), AMEIDE_RENDER_ENGINE: 'wasm'}
})

const cache = (repo: string, name: string) => path.join(repo, '.git', 'ameide', 'cache', `${name}.json`)

async function diff(repo: string, head: string, extra: Record<string, string> = {}, args: string[] = []) {
  const run = await runCli(['gitops', 'diff', '--json', '--base', 'main', '--head', head, ...args], {
    cwd: repo,
    env: {...env, ...extra},
  })
  expect(run.stdout, run.stderr).toMatch(/^\{/)
  return run.stdout
}

/** The diff without what says how it rendered (a warm run renders nothing: the render cache answers). */
const verdictOf = (stdout: string) => ({...(JSON.parse(stdout) as Record<string, unknown>), renders: undefined})

describe('gitops diff with kept ApplicationSet expansions', () => {
  it('warm prints what it prints without them, with no template engine; another pull request too', async () => {
    const repo = await prRepo({
      'sources/values/env/dev/apps/web/values.yaml': 'image:\n  ref: ghcr.io/acme/web:1.5.0\n',
      'environments/production/components/api/component.yaml': 'name: api\n',
    })
    const cold = await diff(repo, 'pr')
    expect(JSON.parse(cold).summary, cold).toBe('changed')
    expect(existsSync(cache(repo, 'gitops-steps'))).toBe(true)
    // No answers kept and an engine that cannot start: only kept expansions answer as the cold run did.
    rmSync(cache(repo, 'gitops-templates'))
    const broken = path.join(await makeTempDir('ameide-broken-engine-'), 'wasm_exec.js')
    await writeFile(broken, "throw new Error('the engine was started')\n")
    const warm = await diff(repo, 'pr', {AMEIDE_GOTEMPLATE_GLUE: broken})
    expect(verdictOf(warm)).toEqual(verdictOf(cold))
    // Without the kept expansions (the render cache as warm): the same bytes.
    rmSync(cache(repo, 'gitops-steps'))
    expect(await diff(repo, 'pr')).toBe(warm)
    expect(verdictOf(await diff(repo, 'pr', {}, ['--no-cache']))).toEqual(verdictOf(cold))

    // Another pull request against the same base, the first one's cache kept: the base's expansion reused.
    await git(repo, ['checkout', '-q', '-b', 'pr2', 'main'])
    await edit(repo, {'environments/staging/components/api/component.yaml': null})
    await commitAll(repo, 'another change')
    const second = await diff(repo, 'pr2')
    expect(JSON.parse(second).summary).toBe('changed')
    rmSync(cache(repo, 'gitops-steps'))
    expect(await diff(repo, 'pr2')).toBe(await diff(repo, 'pr2'))
    expect(verdictOf(await diff(repo, 'pr2'))).toEqual(verdictOf(second))
  }, 240_000)

  it('a truncated or edited file of kept steps answers as a fresh run', async () => {
    const repo = await prRepo({
      'sources/values/env/dev/apps/web/values.yaml': 'image:\n  ref: ghcr.io/acme/web:1.6.0\n',
    })
    await diff(repo, 'pr')
    const warm = await diff(repo, 'pr')
    const kept = readFileSync(cache(repo, 'gitops-steps'), 'utf8')
    writeFileSync(cache(repo, 'gitops-steps'), kept.slice(0, kept.length >> 1))
    expect(await diff(repo, 'pr')).toBe(warm)
    // Every recorded digest of a file's text edited (the checksum left as it was: the file reads as empty too).
    writeFileSync(cache(repo, 'gitops-steps'), kept.replace(/"text","([^"]+)","[0-9a-f]{64}"/g, '"text","$1","0"'))
    expect(await diff(repo, 'pr')).toBe(warm)
  }, 240_000)

  it('gitops verify --render --json prints the same bytes with its kept expansions and without them', async () => {
    const repo = await prRepo({'environments/production/components/api/component.yaml': 'name: api\n'})
    const verify = async () => {
      const run = await runCli(['gitops', 'verify', '--render', '--json'], {cwd: repo, env})
      expect(run.stdout, run.stderr).toMatch(/^\{/)
      return run.stdout
    }
    await verify()
    expect(existsSync(cache(repo, 'gitops-steps'))).toBe(true)
    const warm = await verify()
    rmSync(cache(repo, 'gitops-steps'))
    expect(await verify()).toBe(warm)
    expect(JSON.parse(warm).render.deployables.length).toBeGreaterThan(0)
  }, 240_000)
})
