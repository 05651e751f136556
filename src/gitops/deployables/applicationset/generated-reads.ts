/**
 * What the Applications of an ApplicationSet's unevaluated part (a generator not rendered: clusters without Argo CD,
 * scmProvider, plugin…) could read of this revision: a `gitops diff` keys its not-rendered finding by these files,
 * and a change to any of them makes the diff incomplete — never "unchanged" over Applications nobody rendered — while
 * a change elsewhere leaves it untouched (the same Applications, whatever the clusters are).
 *
 * The files are those the template's places can name (./template-places.ts: a source's folder, its value files, its
 * jsonnet libraries; a generator's template too) and those its git generators read, whatever the parameters are.
 * Where a place is not bounded (a templatePatch, a conditional, a `..`, a folder of Applications, a kustomization or
 * chart that reaches out of its folder), every file of the revision.
 */
import type {DeployablesContext} from '../context.js'
import {templatePlaces, type Places} from './template-places.js'

type Ctx = Pick<DeployablesContext, 'files' | 'isThisRepository' | 'named'> & {
  readText?: (file: string) => string | undefined
}

export function generatedReads(file: string, doc: unknown, ctx: Ctx): string[] {
  const everything = () => [file, ...[...ctx.files].filter((f) => f !== file).sort()]
  // A repository literally another (and the checkout named, so it can be told apart) is read nowhere here.
  const elsewhere = (url: string) => !/\{\{|\$/.test(url) && ctx.named === true && !ctx.isThisRepository(url)
  const places = templatePlaces(doc, elsewhere)
  if (places === 'unbounded') return everything()
  const read = [...ctx.files].filter((f) => f !== file && reads(places, f)).sort()
  if (read.some((f) => reachesOut(f, ctx.readText))) return everything()
  return [file, ...read]
}

function reads(places: Places, f: string): boolean {
  return places.folders.some((m) => m.test(f)) || places.files.some((m) => m.test(f))
}

const KUSTOMIZATION = /(^|\/)(kustomization\.ya?ml|Kustomization)$/
const CHART = /(^|\/)(Chart|requirements)\.ya?ml$/
const JSONNET = /\.(jsonnet|libsonnet)$/
/** What makes a folder's files deployers of their own (app of apps, Flux): they may name any file of the revision. */
const DEPLOYER =
  /^\s*kind:\s*["']?(Application|ApplicationSet|Kustomization|HelmRelease|GitRepository|OCIRepository)\b/m

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
