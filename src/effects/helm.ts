/**
 * `helm template` as Argo CD's repo-server runs it (argoproj/argo-cd `util/helm/cmd.go` template), what the render
 * module (./render-module/helm.ts) is asked: in the chart's folder, the release name (positional, never
 * `--name-template`), `--namespace`, `--kube-version`, one `--api-versions` each, `--include-crds` unless skipCrds,
 * one `--values` per value file in order and one for `values`/`valuesObject`, `--set`/`--set-string`/`--set-file`,
 * `--skip-schema-validation`/`--skip-tests` only when asked. A chart whose `charts/` misses a dependency is rebuilt
 * with `helm dependency build` only when every dependency is `file://` inside the revision, in a copy: nothing is
 * fetched, the checkout is never written.
 */
import {cpSync, existsSync, readFileSync, rmSync, writeFileSync} from '../core/memory-fs/index.js'
import path from 'node:path'

import type {BuildResult} from './kustomize.js'

/** One `helm template` as Argo CD builds it. Paths are absolute. */
export interface HelmTemplateRequest {
  chartDir: string
  release: string
  namespace?: string
  kubeVersion?: string
  apiVersions: readonly string[]
  skipCrds?: boolean
  skipSchemaValidation?: boolean
  skipTests?: boolean
  /** Value files in order (`--values` each). */
  valueFiles: readonly string[]
  /** What replaces the chart's own values.yaml (the render module only). */
  chartValues?: string
  /** `values` / `valuesObject` as YAML text, passed as the last `--values` file. */
  inlineValues?: string
  set?: ReadonlyArray<{name: string; value: string}>
  setString?: ReadonlyArray<{name: string; value: string}>
  setFile?: ReadonlyArray<{name: string; path: string}>
  /** Whether a `file://` dependency's folder (absolute) lies inside the revision, after symlinks: else refused. */
  inRevision: (dir: string) => boolean
  /** The revision, where it is held (absolute). */
  revision?: string
  /**
   * A HelmRelease's post-renderers as helm-controller runs them where Helm runs a post-renderer (its postRenderers'
   * kustomize patches and images, its commonMetadata, the origin labels): the render module's HelmTemplate.fluxPostRender.
   */
  fluxPostRender?: FluxPostRender
  /**
   * An OCIRepository's extracted artifact (its layer untarred into `dir`, the chart's folder inside): what
   * source-controller leaves out of it removed first (`.sourceignore` files, `ignore`, the default excludes) — the
   * render module's `flux artifact`, source-controller's own code.
   */
  sourceArtifact?: {dir: string; ignore?: string}
}

/** What helm-controller's BuildPostRenderers reads of a HelmRelease (go/fluxpostrender/build.go Release). */
export interface FluxPostRender {
  name: string
  namespace: string
  postRenderers?: unknown[]
  commonMetadata?: {labels?: Record<string, string>; annotations?: Record<string, string>}
}

/**
 * A failed render that is not the chart's fault: a dependency the gate will not fetch (`unavailable`), or one that
 * lies outside the revision (`refused`).
 */
export type HelmResult = (
  BuildResult | {ok: false; unavailable: true; message: string} | {ok: false; refused: true; message: string}
) & {dependency?: DependencySite}

/** A chart dependency a failure is about: the chart, the repository it was asked from, and where it was asked. */
export interface DependencySite {
  chart: string
  repository: string
  /** The repo-relative Chart.yaml (or requirements.yaml) and the line of the dependency's entry. */
  file: string
  line: number
}

export interface Helm {
  /** `helm version --short`, e.g. `v4.1.4+g05fa379`. */
  readonly version: string
  template(request: HelmTemplateRequest): Promise<HelmResult>
}

/**
 * A copy of the chart whose `file://` dependencies point at absolute folders inside the repository, ready for an
 * offline `helm dependency build` (its Chart.lock dropped: the rewritten repositories change its digest). Any other
 * dependency is fetched from the network by helm: the render is then unavailable, naming it.
 */
export async function withLocalDependencies(
  request: HelmTemplateRequest,
  copy: string,
): Promise<
  | {ok: true; dir: string}
  | {ok: false; unavailable: true; message: string}
  | {ok: false; refused: true; message: string}
> {
  const yaml = await import('yaml')
  const chartYaml = path.join(request.chartDir, 'Chart.yaml')
  const requirements = path.join(request.chartDir, 'requirements.yaml')
  const file =
    existsSync(requirements) && !/dependencies:/.test(readFileSync(chartYaml, 'utf8')) ? requirements : chartYaml
  const doc = yaml.parseDocument(readFileSync(file, 'utf8'))
  const deps = doc.get('dependencies') as {items?: unknown[]} | undefined
  const items = Array.isArray(deps?.items) ? deps.items : []
  for (let i = 0; i < items.length; i++) {
    const name = String(doc.getIn(['dependencies', i, 'name']) ?? '?')
    const repository = String(doc.getIn(['dependencies', i, 'repository']) ?? '')
    if (!repository.startsWith('file://')) {
      return {
        ok: false,
        unavailable: true,
        message: `dependency ${name} comes from ${repository || 'no repository'} and is missing in charts/: the gate does not fetch charts, so this chart is not rendered (vendor it under charts/).`,
      }
    }
    const target = path.resolve(request.chartDir, repository.slice('file://'.length))
    if (!request.inRevision(target)) {
      return {
        ok: false,
        refused: true,
        message: `dependency ${name} (${JSON.stringify(repository)}) resolves outside the revision: the gate does not read it.`,
      }
    }
    doc.setIn(['dependencies', i, 'repository'], `file://${target}`)
  }
  cpSync(request.chartDir, copy, {recursive: true})
  writeFileSync(path.join(copy, path.basename(file)), doc.toString())
  rmSync(path.join(copy, file === requirements ? 'requirements.lock' : 'Chart.lock'), {force: true})
  return {ok: true, dir: copy}
}
