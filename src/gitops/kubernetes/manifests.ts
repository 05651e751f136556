/**
 * The Kubernetes documents of the checkout the deployables are read from (Argo CD Applications and
 * ApplicationSets, Flux HelmReleases and GitRepositories, ConfigMaps and Secrets a HelmRelease takes values from),
 * each with its file, line and the line of every field. Read once per run; files that cannot hold one are skipped
 * by a cheap text test before parsing.
 */
import {readTextIn, textMatches} from '../../core/memory-fs/index.js'
import path from 'node:path'

import type {YamlModule} from '../../images/yaml/index.js'
import {linedDocuments, type LinedDoc, type UnparsedDoc} from './yaml-lines.js'

export interface Manifest {
  file: string
  line: number
  apiVersion: string
  kind: string
  name: string
  namespace?: string
  doc: Record<string, unknown>
  /** The document's YAML text. */
  text: string
  lineOf: LinedDoc['lineOf']
}

/**
 * A kind in a document's text, in block, flow or JSON form (`{apiVersion: …, kind: Application}` on one line too): a
 * cheap test before parsing, where a false match costs a parse and a miss would hide what a file declares.
 */
export const kindIn = (kinds: string): RegExp =>
  new RegExp(`(?<![\\w.-])["']?kind["']?\\s*:\\s*["']?(${kinds})(?![\\w.-])`)

const KINDS = kindIn(
  'Application|ApplicationSet|HelmRelease|GitRepository|HelmRepository|OCIRepository|HelmChart|ConfigMap|Secret',
)

const APPLICATION_SET = kindIn('ApplicationSet')

/** The kinds that declare what is deployed: a document of one that is not read leaves what it deploys unknown. */
const DECLARING = kindIn('Application|ApplicationSet|HelmRelease|Kustomization')

/**
 * The kinds the API groups of the controllers that deploy define (Argo CD and the other Argo projects, which share
 * `argoproj.io`; Flux's kustomize and helm controllers): a document of another kind there is of a kind nothing defines
 * — a root applying it fails, so what it would declare is unknown, never absent.
 */
const CONTROLLER_KINDS: ReadonlyArray<[RegExp, ReadonlySet<string>]> = [
  [
    /^argoproj\.io\//,
    new Set(
      [
        'Application ApplicationSet AppProject',
        // The Argo CD operator's (argoproj-labs/argocd-operator, OpenShift GitOps): an Argo CD instance is no typo.
        'ArgoCD ArgoCDExport NotificationsConfiguration',
        'Rollout AnalysisTemplate ClusterAnalysisTemplate AnalysisRun Experiment',
        'Workflow WorkflowTemplate ClusterWorkflowTemplate CronWorkflow WorkflowEventBinding WorkflowTaskSet',
        'WorkflowTaskResult WorkflowArtifactGCTask EventBus EventSource Sensor',
      ]
        .join(' ')
        .split(' '),
    ),
  ],
  [/^kustomize\.toolkit\.fluxcd\.io\//, new Set(['Kustomization'])],
  [/^helm\.toolkit\.fluxcd\.io\//, new Set(['HelmRelease'])],
]

/** A document's text naming one of the controllers' API groups (a cheap test before parsing). */
const CONTROLLER_GROUP = /apiVersion["']?\s*:\s*["']?(argoproj\.io|(kustomize|helm)\.toolkit\.fluxcd\.io)\//

/** Whether `apiVersion`'s group is a controller's whose kinds {@link CONTROLLER_KINDS} lists, and `kind` none of them. */
export function undefinedControllerKind(apiVersion: string, kind: string): boolean {
  const group = CONTROLLER_KINDS.find(([g]) => g.test(apiVersion))
  return group !== undefined && !group[1].has(kind)
}

/** A document declaring a deployable that ameide did not read (a YAML error, or past its limits): a named finding. */
export interface UnreadManifest extends UnparsedDoc {
  file: string
  /** The kind and the name, as far as the text says them (`metadata.name` written plainly). */
  kind: string
  name?: string
}

/** The kind and name a document's text declares, read without parsing it (undefined when it declares no deployable). */
export function declared(text: string): {kind: string; name?: string} | undefined {
  const kind = DECLARING.exec(text)?.[1]
  if (!kind) return undefined
  const name =
    /^metadata:\s*\n(?:[ \t]+.*\n)*?[ \t]+name:\s*["']?([a-z0-9][-a-z0-9.]*)["']?\s*$/m.exec(text)?.[1] ??
    /^metadata:\s*\{[^}\n]*?\bname:\s*["']?([a-z0-9][-a-z0-9.]*)/m.exec(text)?.[1]
  return {kind, ...(name ? {name} : {})}
}

/**
 * The chart folder (`dir/`, or `` for the root) whose `templates/`, `charts/` or `crds/` hold `file`: each folder above
 * the file looked up once (a checkout of thousands of charts is not scanned for each of its files).
 */
function chartFolderOf(file: string, charts: ReadonlySet<string>): string | undefined {
  for (let end = 0; end >= 0; end = file.indexOf('/', end) + 1 || -1) {
    const folder = file.slice(0, end)
    if (charts.has(folder) && /^(templates|charts|crds)\//.test(file.slice(end))) return folder
  }
  return undefined
}

/** Whether a YAML file of `files` holds an ApplicationSet, as {@link readManifests} meets one (read up to the first). */
export function holdsApplicationSet(root: string, files: readonly string[]): boolean {
  return files.some((file) => /\.ya?ml$/i.test(file) && textMatches(path.join(root, file), APPLICATION_SET) === true)
}

/**
 * `onApplicationSet`: called when a file holding an ApplicationSet is met, before it is parsed (the template engine
 * starts then, while the rest is read).
 */
export function readManifests(
  root: string,
  files: readonly string[],
  yaml: YamlModule,
  onApplicationSet?: () => void,
  /** Told each document declaring a deployable that did not parse or exceeds ameide's limits. */
  unread?: (m: UnreadManifest) => void,
): Manifest[] {
  const out: Manifest[] = []
  // A chart's templates are Go templates, not manifests of the checkout: never read as such.
  const charts = new Set(
    files.filter((f) => f === 'Chart.yaml' || f.endsWith('/Chart.yaml')).map((f) => f.slice(0, -'Chart.yaml'.length)),
  )
  const inChart = (file: string) => chartFolderOf(file, charts) !== undefined
  for (const file of files) {
    if (!/\.ya?ml$/i.test(file) || inChart(file)) continue
    const text = readTextIn(root, file)
    if (text === undefined) continue // unreadable: the source-level gate reports it
    if (!KINDS.test(text) && !CONTROLLER_GROUP.test(text)) continue
    if (onApplicationSet && APPLICATION_SET.test(text)) onApplicationSet()
    const onUnparsed = (u: UnparsedDoc) => {
      const what = declared(u.text)
      if (what) unread?.({...u, file, ...what})
    }
    for (const d of linedDocuments(yaml, text, onUnparsed)) {
      const doc = d.value
      if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) continue
      const o = doc as Record<string, unknown>
      const meta = (o.metadata ?? {}) as Record<string, unknown>
      if (typeof o.kind !== 'string' || typeof o.apiVersion !== 'string') continue
      if (undefinedControllerKind(o.apiVersion, o.kind)) {
        const name = typeof meta.name === 'string' ? {name: meta.name} : {}
        const message = `${o.apiVersion} ${o.kind} is a kind nothing defines: a root applying it fails`
        unread?.({file, line: d.line, text: d.text, message, kind: o.kind, ...name})
        continue
      }
      out.push({
        file,
        line: d.line,
        apiVersion: o.apiVersion,
        kind: o.kind,
        name: typeof meta.name === 'string' ? meta.name : '',
        ...(typeof meta.namespace === 'string' ? {namespace: meta.namespace} : {}),
        doc: o,
        text: d.text,
        lineOf: d.lineOf,
      })
    }
  }
  return out
}
