/**
 * A container without privileges: seccomp refuses new namespaces and mounts (testdata/no-namespaces, the filter a
 * container runtime's default profile applies), so bubblewrap cannot start there. `gitops diff` renders the same there
 * as on the host — its charts through the render module, which needs neither — and a revision's link out of itself
 * and the environment's secrets stay out of what it says, in both places.
 */
import {execa} from 'execa'
import {symlinkSync} from 'node:fs'
import {writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {buildGo} from '../../support/argo-render.js'
import {CLI} from '../../support/cli.js'
import {prRepo} from '../../support/diff-repo.js'
import {commitAll, makeTempDir, runCleanups} from '../../support/tmp.js'

afterAll(runCleanups)

const CANARY_ENV = 'canary-env-4f1d7c'
const CANARY_FILE = 'canary-file-9a2e61'

let filter: string
beforeAll(async () => {
  filter = await buildGo('test/gitops/render-module/testdata/no-namespaces', 'no-namespaces')
}, 180_000)

/** `ameide gitops diff --json` in `repo`, through `wrapper` when given; its output whole. */
async function diff(repo: string, wrapper?: string) {
  const argv = [process.execPath, CLI, 'gitops', 'diff', '--base', 'main', '--head', 'pr', '--no-cache', '--json']
  const [cmd, ...args] = wrapper ? [wrapper, ...argv] : argv
  const r = await execa(cmd!, args, {
    cwd: repo,
    reject: false,
    env: {CI: 'true', NO_COLOR: '1', AMEIDE_TOKEN_CANARY: CANARY_ENV},
  })
  return {exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr)}
}

describe('gitops diff where no namespace can be made (seccomp, no bubblewrap)', () => {
  it('the filter holds: unshare and bubblewrap are refused under it', async () => {
    const unshare = await execa(filter, ['unshare', '-U', 'true'], {reject: false})
    expect(unshare.exitCode).not.toBe(0)
    expect(String(unshare.stderr)).toMatch(/Operation not permitted/)
  })

  it('renders as on the host: the same JSON, another chart’s change shown, the link out refused, no canary', async () => {
    const outside = await makeTempDir('ameide-no-ns-outside-')
    await writeFile(path.join(outside, 'secret.yaml'), `kind: ConfigMap\nmetadata: {name: ${CANARY_FILE}}\n`)
    const repo = await prRepo({
      'sources/values/_shared/apps/api/values.yaml': 'enabled: true\nimage:\n  ref: ghcr.io/acme/api:2.1.0\n',
    })
    symlinkSync(path.join(outside, 'secret.yaml'), path.join(repo, 'sources/charts/apps/web/templates/leak.yaml'))
    await commitAll(repo, 'a template that is a link out of the revision')

    const host = await diff(repo)
    const contained = await diff(repo, filter)
    expect(contained.exitCode, contained.stderr).toBe(host.exitCode)
    expect(JSON.parse(contained.stdout)).toEqual(JSON.parse(host.stdout))
    const result = JSON.parse(contained.stdout) as {failures: Array<{rule: string; message: string}>}
    expect(result.failures.some((f) => f.rule === 'render-refused' && f.message.includes('leak.yaml'))).toBe(true)
    expect(contained.stdout).toContain('ghcr.io/acme/api:2.1.0')
    for (const said of [host, contained]) {
      expect(said.stdout + said.stderr).not.toContain(CANARY_ENV)
      expect(said.stdout + said.stderr).not.toContain(CANARY_FILE)
    }
  })
})
