/**
 * A Helm deployable's render-cache key: what the render reads — the chart's files, the value files, what helm is given
 * (release, namespace, values, --set, flags) and the declaring object's spec, keys in any order — not the bytes of the
 * file that declares it (an apiVersion moving from helm.toolkit.fluxcd.io/v2beta2 to v2 renders the same). Made of
 * what it is given (`KeyGiven`: plain data) and what it reads of the revision through `KeyReads` only (the files under
 * the chart's folder, what links resolve to, each input's blob id), so src/gitops/memo/render-keys.ts can keep it by
 * those reads.
 */
import {canonicalJson} from '../../core/canonical-json.js'
import type {HelmDeployable} from '../model/model.js'
import {renderKeyDigest} from '../render/cache.js'

/** Everything the key takes but the revision's files: the deployable's parts, the renderers, the cluster's versions. */
export interface KeyGiven {
  id: string
  file: string
  chart: string
  /** The chart is another tree's (its commit, in `tree`): none of this revision's files are its chart's. */
  otherTree: boolean
  valueFiles: string[]
  setFile: Array<{name: string; path: string}>
  reads: string[]
  /** The object the key hashes besides its inputs (canonical JSON). */
  extra: {
    spec: unknown
    chart: string
    release: string
    namespace: string | null
    flags: boolean[]
    valueFiles: string[]
    inlineValues: string | null
    set: Array<{name: string; value: string}>
    setString: Array<{name: string; value: string}>
    setFile: Array<{name: string; path: string}>
    tools: string
    kube: string
    api: readonly string[]
    charts?: string
    remote?: unknown
    tree?: string
  }
}

/** What the key reads of the revision. */
export interface KeyReads {
  /** The revision's files under a folder (`prefix` ends with `/`; '' is every file). */
  filesUnder(prefix: string): string[]
  /** What in-bounds links among these paths resolve to. */
  linked(paths: readonly string[]): string[]
  /** An input's blob id ('missing' when it cannot be read). */
  blobId(file: string): string
}

/** What the key of `d` is given; `tools`: the renderers' versions; `preparedKey`: the chart repositories' versions. */
export function keyGiven(
  d: HelmDeployable,
  id: string,
  context: {tools: string; kube: string; api: readonly string[]; preparedKey?: string},
): KeyGiven {
  return {
    id,
    file: d.file,
    chart: d.chart,
    otherTree: d.tree !== undefined,
    valueFiles: d.valueFiles,
    setFile: d.setFile,
    reads: d.reads,
    extra: {
      spec: d.spec,
      chart: d.chart,
      release: d.release,
      namespace: d.namespace ?? null,
      flags: [d.skipCrds, d.skipSchemaValidation, d.skipTests],
      valueFiles: d.valueFiles,
      // Argo CD's `values` is YAML text, valuesObject and Flux's merged values JSON text: the key takes the text as it is.
      inlineValues: d.inlineValues ?? null,
      set: d.set,
      setString: d.setString,
      setFile: d.setFile,
      tools: context.tools,
      kube: d.kubeVersion ?? context.kube,
      api: d.apiVersions ?? context.api,
      ...(context.preparedKey !== undefined ? {charts: context.preparedKey, remote: d.remote ?? null} : {}),
      // A chart of another tree: two commits never share a render.
      ...(d.tree ? {tree: d.tree.commit} : {}),
    },
  }
}

/**
 * Every input of a deployable: the chart's files, the files it reads, what in-bounds links among them resolve to. A
 * chart of another tree has none of this revision's files: its commit is in the key.
 */
export function deployableInputs(
  given: Pick<KeyGiven, 'chart' | 'otherTree' | 'valueFiles' | 'setFile' | 'reads'>,
  read: Pick<KeyReads, 'filesUnder' | 'linked'>,
): string[] {
  const named = [...given.valueFiles, ...given.reads, ...given.setFile.map((s) => s.path)]
  const chart = given.otherTree ? [] : read.filesUnder(given.chart ? `${given.chart}/` : '')
  return [...new Set([...chart, ...named, ...read.linked([...(given.otherTree ? [] : [given.chart]), ...named])])]
}

/** The render-cache key of what `given` names, its inputs read through `read` (the declaring file only if named). */
export function helmRenderKey(given: KeyGiven, read: KeyReads): string {
  const named = new Set([...given.valueFiles, ...given.setFile.map((s) => s.path)])
  const inputs = deployableInputs(given, read).filter(
    (f) => f !== given.file || named.has(f) || f.startsWith(`${given.chart}/`),
  )
  return renderKeyDigest(given.id, inputs, canonicalJson(given.extra), (f) => read.blobId(f))
}
