/**
 * What the Applications of an ApplicationSet's unevaluated part (a generator not rendered: clusters without Argo CD,
 * scmProvider, plugin…) could read of this revision: a `gitops diff` keys its not-rendered finding by these files,
 * and a change to any of them makes the diff incomplete — never "unchanged" over Applications nobody rendered — while
 * a change elsewhere leaves it untouched (the same Applications, whatever the clusters are).
 *
 * The files are those the template's places can name (./template-places.ts: a source's folder, its value files, its
 * jsonnet libraries; a generator's template too) and those its git generators read, whatever the parameters are.
 * Where a place is not bounded (a conditional, a `..`, the root, a folder of Applications, a kustomization or chart
 * that reaches out of its folder), what any source of Argo CD's types could read wherever it points; where anything
 * can be read (a templatePatch, a plugin source, a value file whose name is a parameter), every file of the revision.
 */
import type {DeployablesContext} from '../../model/context.js'
import {kustomizeClosure} from './kustomize-closure.js'
import {kindIn} from '../../kubernetes/manifests.js'
import {templatePlaces, type Places} from './template-places.js'

type Ctx = Pick<DeployablesContext, 'files' | 'isThisRepository' | 'named'> & {
  readText?: (file: string) => string | undefined
  /** The revision's folder and YAML module: a kustomization reaching out is followed (./kustomize-closure.ts). */
  root?: string
  yaml?: DeployablesContext['yaml']
}

export function generatedReads(file: string, doc: unknown, ctx: Ctx): string[] {
  const everything = () => [file, ...[...ctx.files].filter((f) => f !== file).sort()]
  // A repository literally another (and the checkout named, so it can be told apart) is read nowhere here.
  const elsewhere = (url: string) => !/\{\{|\$/.test(url) && ctx.named === true && !ctx.isThisRepository(url)
  const places = templatePlaces(doc, elsewhere)
  if (places === 'anything') return everything()
  const readable = () => [file, ...sourceReadable(ctx).filter((f) => f !== file)]
  if (places === 'unbounded') return readable()
  const read = [...ctx.files].filter((f) => f !== file && reads(places, f)).sort()
  const out = followed(read, ctx)
  return out === undefined ? readable() : [file, ...out.filter((f) => f !== file)]
}

/**
 * The files the places read and what their kustomizations reach through `..` (what kustomize reads of the revision
 * from those folders: kustomize-closure.ts), sorted; undefined when something reaches out in a way not followed (a
 * chart's `file://` dependency, jsonnet, a manifest of deployers, a kustomization that cannot be read or followed).
 */
function followed(read: string[], ctx: Ctx): string[] | undefined {
  const out = new Set(read)
  for (const f of read) {
    if (!reachesOut(f, ctx.readText)) continue
    const reached = KUSTOMIZATION.test(f) ? kustomizeClosure(f, ctx) : undefined
    if (reached === undefined) return undefined
    for (const r of reached) {
      if (!out.has(r) && !KUSTOMIZATION.test(r) && reachesOut(r, ctx.readText)) return undefined
      out.add(r)
    }
  }
  return [...out].sort()
}

/**
 * What any source of Argo CD's types (Helm, kustomize, directory) could read of the revision, wherever it points: a
 * manifest (YAML, JSON), a file of a chart's folder, a file a kustomization names; with jsonnet in the revision (it
 * imports any file), every file. A plugin source reads anything: its template is `anything` (./template-places.ts).
 */
function sourceReadable(ctx: Ctx): string[] {
  const files = [...ctx.files].sort()
  if (files.some((f) => JSONNET.test(f))) return files
  const charts = new Set(files.filter((f) => CHART.test(f)).map(folderOf))
  const kustomizations = files.filter((f) => KUSTOMIZATION.test(f)).map((f) => ctx.readText?.(f))
  const named = (f: string) => {
    const base = f.slice(f.lastIndexOf('/') + 1)
    return kustomizations.some((text) => text === undefined || text.includes(base))
  }
  const inChart = (f: string) => ancestors(f).some((dir) => charts.has(dir))
  return files.filter((f) => MANIFEST.test(f) || inChart(f) || named(f))
}

const MANIFEST = /\.(ya?ml|json)$/
const folderOf = (f: string) => (f.includes('/') ? f.slice(0, f.lastIndexOf('/')) : '')
/** Every folder above a file, the root ('') first. */
const ancestors = (f: string) => {
  const parts = f.split('/').slice(0, -1)
  return ['', ...parts.map((_, i) => parts.slice(0, i + 1).join('/'))]
}

function reads(places: Places, f: string): boolean {
  return places.folders.some((m) => m.test(f)) || places.files.some((m) => m.test(f))
}

const KUSTOMIZATION = /(^|\/)(kustomization\.ya?ml|Kustomization)$/
const CHART = /(^|\/)(Chart|requirements)\.ya?ml$/
const JSONNET = /\.(jsonnet|libsonnet)$/
/** What makes a folder's files deployers of their own (app of apps, Flux): they may name any file of the revision. */
const DEPLOYER = kindIn('Application|ApplicationSet|Kustomization|HelmRelease|GitRepository|OCIRepository')

/**
 * Whether a file the places read may read beyond them: a kustomization naming a parent folder (or unread), a chart
 * with a `file://` dependency, jsonnet (it imports anything), a manifest of Applications or Flux objects.
 */
function reachesOut(f: string, readText: Ctx['readText']): boolean {
  if (JSONNET.test(f)) return true
  const kustomization = KUSTOMIZATION.test(f)
  const chart = CHART.test(f)
  const yaml = /\.ya?ml$/.test(f)
  if (!kustomization && !chart && !yaml) return false
  const text = readText?.(f)
  if (text === undefined) return kustomization || chart
  if (kustomization) return text.includes('..')
  if (chart) return text.includes('file://')
  return DEPLOYER.test(text)
}
