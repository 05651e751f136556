/**
 * The Applications one ApplicationSet's template renders, one per parameter set: the template decoded into Argo
 * CD's types, rendered string by string, `templatePatch` applied, and the metadata the controller writes.
 */
import type {ArgoApplication, SpecPath} from '../../model/types.js'
import type {Path} from './generators.js'
import {changedPaths, isObject, strategicMerge, type Json, type JsonObject} from './merge.js'
import {renderTrees, replaceAll, type Params, type Rendered, type Templating} from './templating.js'

type LineOf = (path: ReadonlyArray<string | number>) => number | undefined

/** What rendering needs of the ApplicationSet and of the generator whose parameter sets it renders. */
export interface RenderInput {
  t: Templating
  spec: JsonObject
  file: string
  name: string
  namespace: string | undefined
  docLine: number
  lineOf: LineOf
  templatePath: Path | undefined
  /** The generator includes a pull-request generator, evaluated for a given pull request. */
  pullRequest?: boolean
}

/** ApplicationSetTemplateMeta's and ApplicationSpec's fields (argo-cd pkg/apis/application/v1alpha1). */
const TEMPLATE_META = ['name', 'namespace', 'labels', 'annotations', 'finalizers']
const APPLICATION_SPEC = [
  'source',
  'destination',
  'project',
  'syncPolicy',
  'ignoreDifferences',
  'info',
  'revisionHistoryLimit',
  'sources',
  'sourceHydrator',
]

const known = (v: Json | undefined, fields: readonly string[]): JsonObject =>
  isObject(v) ? Object.fromEntries(Object.entries(v).filter(([k]) => fields.includes(k))) : {}

export type OneApplication = {application: ArgoApplication} | {error: string; where: Path}

/**
 * RenderTemplateParams for every parameter set (one engine call for the template, one for templatePatch), then
 * templatePatch, then the ApplicationSet's namespace (controllers/template/template.go GenerateApplications).
 */
export function render(template: JsonObject, sets: Params[], input: RenderInput): OneApplication[] {
  const {t, spec} = input
  // The template is decoded into Argo CD's types first: a field they do not declare is dropped, never rendered.
  const app: JsonObject = {
    metadata: known(template.metadata, TEMPLATE_META),
    spec: known(template.spec, APPLICATION_SPEC),
  }
  // RenderTemplateParams returns the template untouched when the parameter set is empty.
  const nonEmpty = sets.map((p, i) => [p, i] as const).filter(([p]) => Object.keys(p).length > 0)
  const rendered: Rendered[] = sets.map(() => ({value: app}))
  renderTrees(
    app,
    nonEmpty.map(([p]) => p),
    t,
  ).forEach((r, k) => (rendered[nonEmpty[k][1]] = r))
  const patches = typeof spec.templatePatch === 'string' ? patchesFor(spec.templatePatch, sets, t) : undefined
  return sets.map((params, i) => {
    const r = rendered[i]
    if ('error' in r) return {error: r.error, where: ['spec', 'template']}
    let result = r.value as JsonObject
    let patched: Array<Array<string | number>> = []
    if (patches) {
      const patch = patches[i]
      if ('error' in patch) return {error: patch.error, where: ['spec', 'templatePatch']}
      let next: JsonObject
      try {
        // An empty (or `null`) templatePatch is JSON null: k8s StrategicMergePatch returns the Application as it is.
        next = patch.value === null ? result : (strategicMerge(result, patch.value) as JsonObject)
      } catch (e) {
        return {
          error: `error while applying templatePatch template to json: ${(e as Error).message}`,
          where: ['spec', 'templatePatch'],
        }
      }
      // templatePatch cannot change spec.project.
      const project = isObject(result.spec) ? result.spec.project : undefined
      if (isObject(next.spec)) {
        if (project === undefined) delete next.spec.project
        else next.spec.project = project
      }
      patched = changedPaths(result.spec, next.spec)
      result = next
    }
    return {application: application(result, params, patched, input)}
  })
}

/** renderTemplatePatch's text for each set (Replace, then ConvertYAMLToJSON by the engine), as a JSON value. */
function patchesFor(text: string, sets: Params[], t: Templating): Array<{value: Json} | {error: string}> {
  const replaced = replaceAll([text], sets, t).map((r) => r[0])
  const yamlTexts = replaced.map((r) =>
    'value' in r && r.value.trim().startsWith('{') ? '' : 'value' in r ? r.value : '',
  )
  const read = t.engine.yaml(yamlTexts)
  return replaced.map((r, i) => {
    if ('error' in r) return {error: `error replacing values in templatePatch: ${r.error}`}
    let value: unknown
    if (r.value.trim().startsWith('{')) {
      try {
        value = JSON.parse(r.value)
      } catch (e) {
        return {error: `invalid templatePatch ${JSON.stringify(r.value)}: ${(e as Error).message}`}
      }
    } else {
      const y = read[i]
      if ('error' in y) return {error: `error while converting template to json ${JSON.stringify(r.value)}: ${y.error}`}
      value = y.value
    }
    if (value !== null && !isObject(value))
      return {error: `invalid templatePatch ${JSON.stringify(r.value)}: not a map`}
    return {value: value as Json}
  })
}

function application(
  rendered: JsonObject,
  params: Params,
  patched: Array<Array<string | number>>,
  input: RenderInput,
): ArgoApplication {
  const meta = isObject(rendered.metadata) ? rendered.metadata : {}
  const appSpec = isObject(rendered.spec) ? rendered.spec : {}
  const recipe: LineRecipe = {patched, ...(input.templatePath ? {templatePath: input.templatePath} : {})}
  const out: ArgoApplication = {
    name: typeof meta.name === 'string' ? meta.name : '',
    spec: appSpec,
    file: input.file,
    line: input.docLine,
    lineOf: generatedLineOf(input.lineOf, recipe),
    generatedBy: {applicationSet: input.name, params, ...(input.pullRequest ? {pullRequest: true} : {})},
    metadata: controllerMetadata(meta, params, input),
  }
  if (input.namespace !== undefined) out.namespace = input.namespace
  const environment = environmentOf(params)
  if (environment) out.environment = environment
  recipes.set(out, recipe)
  return out
}

/**
 * What a generated Application's lines are made of besides its ApplicationSet's own lines: where its generator's
 * `template` was written and the paths `templatePatch` changed. Plain data: an expansion kept between runs
 * (src/gitops/memo) keeps it and rebuilds `lineOf` over the ApplicationSet document as it is read now.
 */
export interface LineRecipe {
  templatePath?: Path
  patched: Path[]
}

const recipes = new WeakMap<ArgoApplication, LineRecipe>()

/** The recipe of an Application this module generated (undefined for any other object). */
export const lineRecipeOf = (app: ArgoApplication): LineRecipe | undefined => recipes.get(app)

/**
 * A generated Application's `lineOf` over its ApplicationSet's `lineOf`: a path templatePatch changed is the patch's
 * line; else the nearest line of the generator's template, then of `spec.template`.
 */
export function generatedLineOf(setLineOf: LineOf, recipe: LineRecipe): (path: SpecPath) => number | undefined {
  const {patched, templatePath} = recipe
  const patchLine = () => setLineOf(['spec', 'templatePatch'])
  return (path) => {
    if (patched.some((p) => isPrefix(p, path))) return patchLine()
    for (let n = path.length; n >= 0; n--) {
      const sub = path.slice(0, n)
      const own = templatePath ? setLineOf([...templatePath, 'spec', ...sub]) : undefined
      if (own !== undefined) return own
      const line = setLineOf(['spec', 'template', 'spec', ...sub])
      if (line !== undefined) return line
      if (patched.some((p) => isPrefix(p, sub))) return patchLine()
    }
    return undefined
  }
}

/**
 * The metadata GenerateApplications writes: the template's name, labels, annotations and finalizers, the
 * ApplicationSet's namespace, and RenderTemplateParams' `resources-finalizer.argocd.argoproj.io` when the template
 * names no finalizer and `syncPolicy.preserveResourcesOnDeletion` is not set (not for an empty parameter set, which
 * RenderTemplateParams returns as it is).
 */
function controllerMetadata(meta: JsonObject, params: Params, input: RenderInput): JsonObject {
  const out: JsonObject = {name: typeof meta.name === 'string' ? meta.name : ''}
  if (input.namespace !== undefined) out.namespace = input.namespace
  for (const key of ['labels', 'annotations'] as const) if (isObject(meta[key])) out[key] = meta[key]
  const finalizers = Array.isArray(meta.finalizers) ? meta.finalizers : []
  const sync = isObject(input.spec.syncPolicy) ? input.spec.syncPolicy : {}
  if (finalizers.length > 0) out.finalizers = finalizers
  else if (Object.keys(params).length > 0 && sync.preserveResourcesOnDeletion !== true)
    out.finalizers = ['resources-finalizer.argocd.argoproj.io']
  return out
}

function isPrefix(prefix: ReadonlyArray<string | number>, path: ReadonlyArray<string | number>): boolean {
  return prefix.length <= path.length && prefix.every((p, i) => String(p) === String(path[i]))
}

/**
 * The environment a parameter set names: an `environment` or `env` parameter, else the segment after
 * `environments/` in a path parameter (a segment starting with `_`, such as `_shared`, names no environment).
 */
export function environmentOf(params: Params): string | undefined {
  for (const key of ['environment', 'env']) {
    const v = params[key]
    if (typeof v === 'string' && v !== '') return v
  }
  const flat: Array<[string, unknown]> = []
  const walk = (v: unknown, key: string) => {
    if (isObject(v)) for (const [k, e] of Object.entries(v)) walk(e, key ? `${key}.${k}` : k)
    else flat.push([key, v])
  }
  walk(params, '')
  const paths = flat.filter(([k, v]) => typeof v === 'string' && /(^|\.)path$/.test(k))
  for (const [, v] of paths) {
    const segments = (v as string).split('/')
    const i = segments.indexOf('environments')
    const env = i >= 0 ? segments[i + 1] : undefined
    if (env && !env.startsWith('_') && !env.startsWith('.')) return env
  }
  return undefined
}
