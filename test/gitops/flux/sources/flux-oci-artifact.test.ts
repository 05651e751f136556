/**
 * A HelmRelease's chart from an OCIRepository (`chartRef`) is what source-controller v1.9.1 makes of the manifest
 * (internal/controller/ocirepository_controller.go), not the chart as Helm pulls it: `selectLayer` takes the first
 * layer of `layerSelector.mediaType` (none: the first layer; a type the manifest lacks fails), then `extract` (the
 * default) untars it and archives it without what its `.sourceignore` files, `spec.ignore` and the default excludes
 * leave out (`*.png` among them) — the render module's `flux artifact`, fluxcd/pkg/sourceignore as source-controller
 * pins it, held natively by flux-git-artifact.test.ts — while `copy` keeps the layer as it is; `getTagBySemver` keeps
 * the tags `ref.semverFilter` (Go's regexp) matches. Each case's expectation is the rule cited beside it. Real parts:
 * Debian's docker-registry, a chart pushed with the real `helm push`, real git.
 */
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {chartClientEnv, packageChart} from '../../../support/chart-server.js'
import {diffLast, history} from '../../../support/diff-repo.js'
import {startRegistry, type Registry} from '../../../support/registry.js'
import {makeTempDir, runCleanups} from '../../../support/tmp.js'
import {requireTool} from '../../../support/toolchain.js'

afterAll(runCleanups)

interface Result {
  summary: string
  deployables: Array<{objects: Array<{change: string; kind: string; name: string; diff: string}>}>
  failures: Array<{revision: string; rule: string; message: string}>
}

const CHART_LAYER = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip'

/** The chart `site`: a ConfigMap of what `.Files.Get` reads of its files (a picture and notes). */
const siteChart = {
  'Chart.yaml': 'apiVersion: v2\nname: site\nversion: 1.0.0\n',
  'values.yaml': 'title: hello\n',
  'files/logo.png': 'a picture',
  'files/notes.txt': 'some notes',
  'templates/configmap.yaml': [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata: {name: {{ .Release.Name }}-files}',
    'data:',
    '  title: {{ .Values.title | quote }}',
    '  logo: {{ .Files.Get "files/logo.png" | quote }}',
    '  notes: {{ .Files.Get "files/notes.txt" | quote }}',
    '',
  ].join('\n'),
}

let env: Record<string, string>
let registry: Registry
beforeAll(async () => {
  requireTool('docker-registry')
  env = await chartClientEnv('ameide-oci-artifact-home-')
  registry = await startRegistry()
  const {tgz} = await packageChart(await makeTempDir('ameide-oci-artifact-chart-'), siteChart)
  await execa(requireTool('helm'), ['push', tgz, `oci://${registry.host}/charts`, '--plain-http'], {env})
})

/** A Flux repository whose HelmRelease's chartRef names OCIRepository `site`, its spec lines `spec` besides the url. */
const fleet = (spec: string[]): Record<string, string> => ({
  'clusters/production/apps.yaml': [
    'apiVersion: kustomize.toolkit.fluxcd.io/v1',
    'kind: Kustomization',
    'metadata: {name: apps, namespace: flux-system}',
    'spec: {interval: 10m, path: ./apps, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}',
    '',
  ].join('\n'),
  'apps/kustomization.yaml': 'resources: [repository.yaml, release.yaml]\n',
  'apps/repository.yaml': [
    'apiVersion: source.toolkit.fluxcd.io/v1',
    'kind: OCIRepository',
    'metadata: {name: site, namespace: flux-system}',
    'spec:',
    '  interval: 10m',
    `  url: oci://${registry.host}/charts/site`,
    '  insecure: true',
    ...spec.map((l) => `  ${l}`),
    '',
  ].join('\n'),
  'apps/release.yaml': [
    'apiVersion: helm.toolkit.fluxcd.io/v2',
    'kind: HelmRelease',
    'metadata: {name: site, namespace: site}',
    'spec:',
    '  interval: 10m',
    '  chartRef: {kind: OCIRepository, name: site, namespace: flux-system}',
    '',
  ].join('\n'),
})

/** The layer as Helm pushed it, copied: the chart exactly as packaged (the base of every case). */
const COPIED = ['ref: {semver: "1.0.0"}', `layerSelector: {mediaType: "${CHART_LAYER}", operation: copy}`]

/** `gitops diff` of a base over COPIED and a head whose OCIRepository spec is `head`. */
async function diffTo(head: string[]): Promise<Result> {
  const repo = await history(fleet(COPIED), {'apps/repository.yaml': fleet(head)['apps/repository.yaml']})
  const {result} = await diffLast<Result>(repo, env, ['--no-cache'])
  return result
}

/** The ConfigMap's data lines the diff removes and adds. */
function dataChanges(result: Result): {removed: string[]; added: string[]} {
  const diff = result.deployables.flatMap((d) => d.objects).find((o) => o.kind === 'ConfigMap')?.diff ?? ''
  const lines = diff.split('\n')
  const data = (sign: string) =>
    lines.filter((l) => l.startsWith(`${sign} `) || l.startsWith(`${sign}  `)).map((l) => l.slice(1).trim())
  return {removed: data('-'), added: data('+')}
}

describe("an OCIRepository's chart as source-controller makes its artifact", () => {
  it('OCIRepository layerSelector operation extract (the default) leaves out what the default excludes name', async () => {
    // reconcileArtifact, extract: SourceIgnoreFilter with no pattern holds the default excludes, `*.png` among them;
    // `.Files.Get` of the picture then reads nothing. copy (the base) archives the layer as it is.
    const result = await diffTo(['ref: {semver: "1.0.0"}'])
    expect(result.failures).toEqual([])
    expect(dataChanges(result)).toEqual({removed: ['logo: a picture'], added: ['logo: ""']})
  })

  it('OCIRepository spec.ignore leaves its files out of an extracted chart (and the defaults no longer apply)', async () => {
    // With any pattern SourceIgnoreFilter keeps only the VCS defaults and the patterns: the picture stays.
    const result = await diffTo(['ref: {semver: "1.0.0"}', 'ignore: |', '  # no notes', '  *.txt'])
    expect(result.failures).toEqual([])
    expect(dataChanges(result)).toEqual({removed: ['notes: some notes'], added: ['notes: ""']})
  })

  it('OCIRepository layerSelector mediaType picks the layer; one the manifest lacks fails as the controller fails', async () => {
    // selectLayer: the chart's own media type is the layer Helm pushed: the chart as the base copies it.
    const same = await diffTo(['ref: {semver: "1.0.0"}', `layerSelector: {mediaType: "${CHART_LAYER}"}`])
    expect(same.failures).toEqual([])
    expect(dataChanges(same).removed).toEqual(['logo: a picture']) // extracted: the picture left out
    const provenance = 'application/vnd.cncf.helm.chart.provenance.v1.prov'
    const missing = await diffTo([
      'ref: {semver: "1.0.0"}',
      `layerSelector: {mediaType: "${provenance}", operation: copy}`,
    ])
    expect(missing.failures).toEqual([
      expect.objectContaining({
        revision: 'head',
        rule: 'render-failed',
        message: expect.stringContaining(`failed to find layer with media type '${provenance}' in artifact`),
      }),
    ])
  })

  it("OCIRepository ref.semverFilter keeps the tags Go's regexp matches: a version it leaves out fails", async () => {
    // getTagBySemver: filterTags first (regexp.MatchString), then the constraint; no tag left fails.
    const kept = await diffTo([...COPIED.slice(1), 'ref: {semver: "1.0.0", semverFilter: "^1\\\\.0"}'])
    expect(kept.failures).toEqual([])
    expect(kept.deployables.flatMap((d) => d.objects).map((o) => o.kind)).toEqual(['OCIRepository'])
    const left = await diffTo([...COPIED.slice(1), 'ref: {semver: "1.0.0", semverFilter: "^1\\\\.1"}'])
    expect(left.failures).toEqual([
      expect.objectContaining({
        rule: 'render-failed',
        message: expect.stringContaining('no match found for semver: 1.0.0'),
      }),
    ])
    // RE2, not JavaScript's: a lookahead does not compile in Go, and the release does not render.
    const perl = await diffTo([...COPIED.slice(1), 'ref: {semver: "1.0.0", semverFilter: "1(?=\\\\.0)"}'])
    expect(perl.failures).toEqual([
      expect.objectContaining({
        rule: 'render-failed',
        message: expect.stringContaining('invalid or unsupported Perl syntax'),
      }),
    ])
  })
})
