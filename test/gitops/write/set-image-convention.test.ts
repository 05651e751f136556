// set-image and promote pin a map the way its chart reads it: evidence in order — a local chart's templates, the
// pinned sibling maps of the file, the release (folder), the repository, then gitopsPolicy.mapDigest — and each
// change says which convention it used and why. The gate flags a digest key the local chart never reads.
import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {runCli} from '../../support/cli.js'
import {gitopsTree} from '../../support/gitops-fixture.js'
import {assertMatchesSchema} from '../../support/schema.js'
import {runCleanups} from '../../support/tmp.js'

afterAll(runCleanups)

const A = 'a'.repeat(64)
const E = 'e'.repeat(64)

const treeOf = gitopsTree

type Change = {file: string; to: string; convention: {form: string; evidence: string; why: string}}

/** A Flux HelmRelease of bjw-s's app-template: containers pinned as `tag: <version>@sha256:…`, one not yet pinned. */
const appTemplate = (worker: string) =>
  [
    'apiVersion: helm.toolkit.fluxcd.io/v2',
    'kind: HelmRelease',
    'metadata:',
    '  name: media',
    'spec:',
    '  chartRef: {kind: OCIRepository, name: app-template}',
    '  values:',
    '    controllers:',
    '      media:',
    '        containers:',
    '          app:',
    '            image:',
    '              repository: ghcr.io/home-operations/jellyfin',
    `              tag: 10.10.7@sha256:${A}`,
    '          worker:',
    '            image:',
    `              repository: ${worker}`,
    '              tag: 1.0.0',
    '',
  ].join('\n')

const ref = (repository: string) => `${repository}:2.0.0@sha256:${E}`

describe('gitops set-image: a map is pinned the way its chart reads it', () => {
  it('follows, in order, the local chart, the file, the release folder, the repository, then mapDigest', async () => {
    const repo = await treeOf({
      // The same file pins its other container with the digest in the tag (app-template renders repository:tag).
      'sources/values/env/staging/media/helmrelease.yaml': appTemplate('ghcr.io/home/worker'),
      // A file alone in its folder beside a values file whose maps carry a digest key: the release decides.
      'sources/values/env/staging/api/helmrelease.yaml': 'values:\n  image:\n    repository: ghcr.io/home/api\n',
      'sources/values/env/staging/api/values.yaml': `sidecar:\n  image: {repository: ghcr.io/home/sidecar, tag: "1", digest: "sha256:${A}"}\n`,
      // Nothing pinned in its file or folder: the repository's maps (three with the digest in the tag,
      // two with a digest key) decide.
      'sources/values/env/staging/lone/values.yaml': 'image:\n  repository: ghcr.io/home/lone\n  tag: 1.0.0\n',
      'sources/values/_shared/more.yaml': [
        `a:\n  image: {repository: ghcr.io/home/a, tag: "1@sha256:${A}"}`,
        `b:\n  image: {repository: ghcr.io/home/b, tag: "1@sha256:${A}"}\n`,
      ].join('\n'),
      // A local chart whose templates read no digest value, beside sibling maps with a digest key: the chart wins.
      'sources/values/env/staging/chart/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 1.0.0\n',
      'sources/values/env/staging/chart/templates/deploy.yaml':
        'image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"\n',
      'sources/values/env/staging/chart/values.yaml': [
        'image:',
        '  repository: ghcr.io/home/web',
        '  tag: 1.0.0',
        'db:',
        `  image: {repository: ghcr.io/home/db, tag: "1", digest: "sha256:${A}"}`,
        '',
      ].join('\n'),
    })
    const refs = ['worker', 'api', 'lone', 'web'].map((r) => ref(`ghcr.io/home/${r}`))
    const run = await runCli(
      ['gitops', 'set-image', '--json', '--env', 'staging', ...refs.flatMap((r) => ['--ref', r])],
      {
        cwd: repo,
      },
    )
    expect(run.exitCode, run.stderr).toBe(0)
    const result = run.json<{changes: Change[]}>()
    assertMatchesSchema('gitops-set-image.schema.json', result)
    expect(result.changes.map((c) => [c.file, c.convention.form, c.convention.evidence])).toEqual([
      ['sources/values/env/staging/api/helmrelease.yaml', 'digest-field', 'release'],
      ['sources/values/env/staging/chart/values.yaml', 'digest-in-tag', 'chart'],
      ['sources/values/env/staging/lone/values.yaml', 'digest-in-tag', 'repository'],
      ['sources/values/env/staging/media/helmrelease.yaml', 'digest-in-tag', 'file'],
    ])
    expect(result.changes[3].convention.why).toBe('1 of 1 pinned maps in this file pin with the digest in the tag')
    expect(result.changes[1].convention.why).toContain('never reads a digest value')
    const media = await readFile(path.join(repo, 'sources/values/env/staging/media/helmrelease.yaml'), 'utf8')
    expect(media).toBe(appTemplate('ghcr.io/home/worker').replace('tag: 1.0.0', `tag: 2.0.0@sha256:${E}`))
    const api = await readFile(path.join(repo, 'sources/values/env/staging/api/helmrelease.yaml'), 'utf8')
    expect(api).toBe(`values:\n  image:\n    repository: ghcr.io/home/api\n    tag: 2.0.0\n    digest: sha256:${E}\n`)
    // What was written passes the gate; only the chart's own `db` map, whose digest key the chart never reads, fails.
    const gate = await runCli(['gitops', 'verify', '--json', '--no-cache', '--rule', 'image-not-pinned'], {cwd: repo})
    const findings = gate.json<{findings: Array<{file: string; line: number}>}>().findings
    expect(findings.map((f) => `${f.file}:${f.line}`)).toEqual(['sources/values/env/staging/chart/values.yaml:5'])
  })

  it('falls back to gitopsPolicy.mapDigest only without any evidence, and the human output names the convention', async () => {
    const files = {'sources/values/env/staging/app.yaml': 'image:\n  repository: ghcr.io/home/app\n  tag: 1.0.0\n'}
    for (const [mapDigest, form] of [
      ['field', 'digest-field'],
      ['tag', 'digest-in-tag'],
    ]) {
      const repo = await treeOf({...files, 'ameide.yaml': `gitopsPolicy:\n  mapDigest: ${mapDigest}\n`})
      const args = ['gitops', 'set-image', '--env', 'staging', '--ref', ref('ghcr.io/home/app'), '--dry-run']
      const json = (await runCli([...args, '--json'], {cwd: repo})).json<{changes: Change[]}>()
      expect(json.changes[0].convention).toEqual({
        form,
        evidence: 'policy',
        why: `gitopsPolicy.mapDigest: ${mapDigest} (no chart or pinned sibling map)`,
      })
      const human = await runCli(args, {cwd: repo})
      expect(human.stdout).toContain(
        `as ${form}: gitopsPolicy.mapDigest: ${mapDigest} (no chart or pinned sibling map)`,
      )
    }
  })
})

describe('gitops verify: a digest key the local chart never reads', () => {
  it('is image-not-pinned; the same map under a chart that reads .digest passes', async () => {
    const values = `image:\n  repository: ghcr.io/home/web\n  tag: 1.0.0\n  digest: sha256:${A}\n`
    const repo = await treeOf({
      'sources/values/env/staging/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 1.0.0\n',
      'sources/values/env/staging/web/templates/deploy.yaml':
        'image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"\n',
      'sources/values/env/staging/web/values.yaml': values,
      'sources/values/env/staging/api/Chart.yaml': 'apiVersion: v2\nname: api\nversion: 1.0.0\n',
      'sources/values/env/staging/api/templates/deploy.yaml':
        'image: "{{ .Values.image.repository }}@{{ .Values.image.digest }}"\n',
      'sources/values/env/staging/api/values.yaml': values.replace('web', 'api'),
    })
    for (const cache of ['--no-cache', '--cache', '--cache']) {
      const run = await runCli(['gitops', 'verify', '--json', cache, '--rule', 'image-not-pinned'], {cwd: repo})
      const findings = run.json<{findings: Array<{file: string; line: number; message: string}>}>().findings
      expect(findings.map((f) => `${f.file}:${f.line}`)).toEqual(['sources/values/env/staging/web/values.yaml:4'])
      expect(findings[0].message).toBe(
        'image in the staging overlay has a digest the chart sources/values/env/staging/web/ never reads (its templates render repository:tag); write it in the tag.',
      )
    }
  })
})
