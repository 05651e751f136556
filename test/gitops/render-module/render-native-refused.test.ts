/**
 * A lane where seccomp() is refused for real (not AMEIDE_RENDER_ENGINE): the CLI runs under
 * test/support/seccomp-refused, a launcher built here with the pinned Go that installs a seccomp filter answering
 * seccomp(2) and prctl(PR_SET_SECCOMP) with EPERM, then execs node — as a container whose seccomp profile refuses
 * them would. The native helper cannot confine itself there: it says so in its handshake, the host refuses it, the
 * WebAssembly module renders the same result as the native helper renders outside the lane, and the reason is told.
 */
import {execFileSync} from 'node:child_process'
import {writeFile} from 'node:fs/promises'
import path from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'

import {nativeBuild, NATIVE_ENGINE} from '../../../src/effects/render-module/native.js'
import {runCli} from '../../support/cli.js'
import {helmGitopsRepo} from '../../support/helm-repo.js'
import {ONE_CHART} from '../../support/native-package.js'
import {assertMatchesSchema} from '../../support/schema.js'
import {runToEnd} from '../../support/exec.js'
import {commitAll, makeTempDir} from '../../support/tmp.js'

const repoRoot = path.resolve(import.meta.dirname, '../../..')
const linuxX64 = process.platform === 'linux' && process.arch === 'x64'
const REFUSED = 'wasm: the native helper could not confine itself: seccomp: operation not permitted'

let launcher: string
let repo: string

beforeAll(async () => {
  if (!linuxX64) return
  if (!nativeBuild()?.helpers['linux-x64']) throw new Error('the native helper is not built: npm run build')
  const go = execFileSync(process.execPath, [path.join(repoRoot, 'scripts/go-toolchain.mjs')], {encoding: 'utf8'})
  launcher = path.join(await makeTempDir('ameide-seccomp-refused-'), 'seccomp-refused')
  await runToEnd(go.trim(), ['build', '-trimpath', '-o', launcher, '.'], {
    cwd: path.join(repoRoot, 'test/support/seccomp-refused'),
    env: {...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod', CGO_ENABLED: '0'},
    showStderr: true,
  })
  // Two revisions of one chart: its ConfigMap's value changes.
  repo = await helmGitopsRepo(ONE_CHART)
  await writeFile(path.join(repo, 'charts/app/values.yaml'), 'a: "2"\n')
  await commitAll(repo, 'a: 2')
}, 300_000)

/** `ameide <args>` in the repository, in the lane (under the launcher) or not; its JSON, schema-checked. */
async function ameide(args: string[], schema: string, refused: boolean) {
  const run = await runCli(args, {
    cwd: repo,
    env: {AMEIDE_RENDER_ENGINE: undefined, AMEIDE_RENDER_NATIVE: undefined},
    launcher: refused ? launcher : undefined,
  })
  const json = run.json()
  assertMatchesSchema(schema, json)
  return json
}

describe.runIf(linuxX64)('where seccomp() is refused, WebAssembly renders the same and says why', () => {
  it('the lane is real: a process under the launcher is in seccomp filter mode and cannot add a filter', () => {
    const status = execFileSync(launcher, ['cat', '/proc/self/status'], {encoding: 'utf8'})
    expect(status).toMatch(/^Seccomp:\s+2$/m)
    expect(status).toMatch(/^NoNewPrivs:\s+1$/m)
    // The launcher's filter refuses a second one: the helper itself, run there, says so and ends.
    let said = ''
    try {
      execFileSync(launcher, [path.join(repoRoot, 'dist/render-module', nativeBuild()!.helpers['linux-x64']!.file)], {
        input: '',
        env: {},
        encoding: 'utf8',
      })
    } catch (e) {
      said = String((e as {stdout: string}).stdout)
    }
    expect(JSON.parse(said.split('\n')[0]!)).toMatchObject({error: 'seccomp: operation not permitted'})
  })

  it('gitops verify --render --json: rendered in WebAssembly, the reason named', async () => {
    const args = ['gitops', 'verify', '--render', '--no-cache', '--json']
    const [native, refused] = [
      await ameide(args, 'gitops-verify.schema.json', false),
      await ameide(args, 'gitops-verify.schema.json', true),
    ]
    expect(native.render.tools.engine).toBe(NATIVE_ENGINE)
    expect(refused.render.tools.engine).toBe(REFUSED)
    for (const json of [native, refused])
      expect(json.render.deployables.map((d: {status: string}) => d.status)).toEqual(['rendered'])
    expect(refused.findings).toEqual(native.findings)
  }, 300_000)

  it('gitops diff --json: the same rendered change as the native helper renders, the engine and why', async () => {
    const args = ['gitops', 'diff', '--base', 'HEAD~1', '--head', 'HEAD', '--no-cache', '--json']
    const [native, refused] = [
      await ameide(args, 'gitops-diff.schema.json', false),
      await ameide(args, 'gitops-diff.schema.json', true),
    ]
    expect(native.renders.engine).toBe(NATIVE_ENGINE)
    expect(refused.renders.engine).toBe(REFUSED)
    const rendered = (json: {renders: Record<string, unknown>}) => ({...json, renders: {...json.renders, engine: 0}})
    expect(refused.deployables[0].objects[0].diff).toContain('-  a: "1"\n+  a: "2"\n')
    expect(rendered(refused)).toEqual(rendered(native))
  }, 300_000)
})
