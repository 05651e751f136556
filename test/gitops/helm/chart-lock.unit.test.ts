/**
 * Chart.lock's digest as Helm computes it (src/gitops/helm/charts/lock.ts): the digests below are the ones the real
 * `helm dependency update` (Helm 4.1.4) wrote for these Chart.yaml files — Go's JSON escaping of a range's `<` and
 * `>`, and of `&`; condition, tags, alias; import-values read as YAML 1.1 (`parent: y` is the boolean true).
 */
import * as yaml from 'yaml'
import {afterAll, describe, expect, it} from 'vitest'

import {dependenciesOf} from '../../../src/gitops/helm/charts/dependencies.js'
import {LOCK_OUT_OF_SYNC, V1_LOCK_OUT_OF_SYNC, lockProblem} from '../../../src/gitops/helm/charts/lock.js'
import type {HelmDeployable} from '../../../src/gitops/model/model.js'
import {edit} from '../../support/diff-repo.js'
import {makeTempDir, runCleanups} from '../../support/tmp.js'

afterAll(runCleanups)

const repo = 'http://127.0.0.1:18931'
const chart = (extra: string, version = '1.0.0') =>
  `apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n  - name: web\n    version: ${version}\n    repository: ${repo}\n${extra}`
const lock = (digest: string) =>
  `dependencies:\n- name: web\n  repository: ${repo}\n  version: 1.0.0\ndigest: sha256:${digest}\ngenerated: "2026-01-01T00:00:00Z"\n`

const written: Array<[string, string, string]> = [
  ['a range', chart('', '">=1.0.0 <2.0.0"'), 'a2646f4def49cc7260b0b35e2573953ef06e26ffc34639c968ae3c6ea3914685'],
  [
    'import-values in YAML 1.1',
    chart('    import-values:\n      - child: x\n        parent: y\n      - data\n'),
    'f9a56c2c56d4e7852ca00a0284a3e2ed86acc608360863f160832072769aa013',
  ],
  [
    'every field',
    chart(
      '    condition: web.enabled\n    tags: [front, "a&b"]\n    import-values:\n      - child: x\n        parent: y\n      - data\n    alias: site\n',
      '">=1.0.0 <2.0.0"',
    ),
    '63065524d580ebd548853f88a416fa233bc66bc65274014f2835c217f873e472',
  ],
]

describe("Chart.lock's digest", () => {
  it.each(written)('%s: the lock helm wrote is in sync', (_, chartYaml, digest) => {
    expect(lockProblem(yaml, 'v2', chartYaml, lock(digest))).toBeUndefined()
  })

  it('a Chart.yaml changed after its lock is out of sync, in helm dependency build words', () => {
    const [, , digest] = written[0]
    expect(lockProblem(yaml, 'v2', chart('', '">=1.0.0 <3.0.0"'), lock(digest))).toBe(LOCK_OUT_OF_SYNC)
    expect(lockProblem(yaml, 'v2', chart('', '">=1.0.0 <2.0.0"'), lock(digest).replace('1.0.0', '1.0.1'))).toBe(
      LOCK_OUT_OF_SYNC,
    )
    expect(lockProblem(yaml, 'v1', chart('', '">=1.0.0 <3.0.0"'), lock(digest))).toBe(V1_LOCK_OUT_OF_SYNC)
    expect(lockProblem(yaml, 'v2', chart(''), 'dependencies: []\n')).toBe(LOCK_OUT_OF_SYNC)
  })
})

describe('which charts list a dependency from a chart repository (dependenciesOf)', () => {
  /** The remote dependencies of a chart at the checkout's root holding `files`. */
  const remoteOf = async (files: Record<string, string>) => {
    const dir = await makeTempDir('ameide-chart-deps-')
    await edit(dir, files)
    const d = {chart: '', remote: undefined} as unknown as HelmDeployable
    return dependenciesOf(yaml, d, dir, Object.keys(files).sort())
  }

  it('Chart.yaml, requirements.yaml, a key spelled with an escape: each read as Helm reads it', async () => {
    const deps = `[{name: web, version: 1.0.0, repository: "${repo}"}]`
    const named = (found: Awaited<ReturnType<typeof remoteOf>>) =>
      Array.isArray(found) ? found.map((r) => `${r.name}@${r.version}`) : found
    expect(named(await remoteOf({'Chart.yaml': `apiVersion: v2\nname: app\nversion: 0.1.0\n`}))).toBeUndefined()
    expect(named(await remoteOf({'Chart.yaml': chart('')}))).toEqual(['web@1.0.0'])
    // A double-quoted key may spell `dependencies` with an escape: Helm's YAML reads the same key.
    const escaped = `apiVersion: v2\nname: app\nversion: 0.1.0\n"depend\\x65ncies": ${deps}\n`
    expect(named(await remoteOf({'Chart.yaml': escaped}))).toEqual(['web@1.0.0'])
    const v1 = {
      'Chart.yaml': 'apiVersion: v1\nname: app\nversion: 0.1.0\n',
      'requirements.yaml': `dependencies: ${deps}\n`,
    }
    expect(named(await remoteOf(v1))).toEqual(['web@1.0.0'])
  })
})
