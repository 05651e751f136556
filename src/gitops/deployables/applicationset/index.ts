/**
 * ApplicationSets evaluated offline: the Applications Argo CD's ApplicationSet controller would generate from the
 * checkout (`applicationset/controllers/template/{template,patch}.go`): each top-level generator's parameter sets
 * (list, git files/directories of this repository, matrix, merge), the template rendered string by string with each
 * set (goTemplate or fasttemplate), `templatePatch` applied, the namespace forced to the ApplicationSet's.
 * Generators that need a cluster or an API are listed as not rendered; a template or generator error is an
 * ExpansionError (Argo CD then generates nothing for the ApplicationSet, and neither does this).
 */
import {TemplateEngineFailure, TemplateEngineUnavailable} from '../../../effects/gotemplate/index.js'
import type {
  ApplicationSetExpansion,
  ArgoApplication,
  ExpansionContext,
  ExpansionError,
  NotRendered,
  SpecPath,
} from '../types.js'
import {GenerationError, Generators, NotEvaluable, type Path} from './generators.js'
import {changedPaths, isObject, strategicMerge, type Json, type JsonObject} from './merge.js'
import {renderTrees, replaceAll, type Params, type Rendered, type Templating} from './templating.js'

export {pathspecMatches, goPathMatch} from './match.js'

type LineOf = (path: ReadonlyArray<string | number>) => number | undefined

/** One ApplicationSet document: its file, its YAML text (read by the engine as Argo CD reads it) and its lines. */
export interface ApplicationSetSource {
  file: string
  text: string
  lineOf: LineOf
}

export function expandApplicationSet(ctx: ExpansionContext, source: ApplicationSetSource): ApplicationSetExpansion {
  const {file, lineOf} = source
  const out: ApplicationSetExpansion = {applications: [], notRendered: [], errors: [], unavailable: []}
  const docLine = lineOf([]) ?? 1
  const at = (path: ReadonlyArray<string | number>) => nearestLine(lineOf, path) ?? docLine
  let name = ''
  const error = (message: string, path: ReadonlyArray<string | number>): ExpansionError => ({
    file,
    line: at(path),
    applicationSet: name,
    message,
  })
  try {
    expand(ctx, source, out, (n) => (name = n), error, at)
  } catch (e) {
    if (e instanceof TemplateEngineUnavailable) {
      out.unavailable.push(error(`${e.message}. ${e.hint}`, []))
    } else if (e instanceof TemplateEngineFailure) {
      out.errors.push(error(`the Go template engine failed: ${e.message}`, ['spec', 'template']))
    } else throw e
  }
  // Argo CD applies nothing of an ApplicationSet whose generation failed.
  if (out.errors.length > 0 || out.unavailable.length > 0) out.applications = []
  return out
}

function expand(
  ctx: ExpansionContext,
  source: ApplicationSetSource,
  out: ApplicationSetExpansion,
  setName: (name: string) => void,
  error: (message: string, path: ReadonlyArray<string | number>) => ExpansionError,
  at: (path: ReadonlyArray<string | number>) => number,
): void {
  const engine = ctx.templateEngine()
  // kubectl and Argo CD read the manifest with sigs.k8s.io/yaml (YAML 1.1 scalars): the engine reads it so.
  const [read] = engine.yaml([source.text])
  if ('error' in read) {
    out.errors.push(error(`the ApplicationSet is not valid YAML as Argo CD reads it: ${read.error}`, []))
    return
  }
  const doc = read.value
  if (!isObject(doc)) return
  const metadata = isObject(doc.metadata) ? doc.metadata : {}
  const name = typeof metadata.name === 'string' ? metadata.name : ''
  setName(name)
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : undefined
  const spec = isObject(doc.spec) ? doc.spec : {}
  const options = Array.isArray(spec.goTemplateOptions) ? spec.goTemplateOptions.map(String) : []
  const t: Templating = {goTemplate: spec.goTemplate === true, options, engine}
  const base = isObject(spec.template) ? spec.template : {}
  const generators = Array.isArray(spec.generators) ? spec.generators : []
  if (generators.length === 0) {
    out.errors.push(error('the ApplicationSet has no generators', ['spec']))
    return
  }
  const docLine = source.lineOf([]) ?? 1
  const engineOf = new Generators(ctx, t)
  const applications: ArgoApplication[] = []
  generators.forEach((g, i) => {
    const path: Path = ['spec', 'generators', i]
    let results
    try {
      results = engineOf.transform(g, path, base, undefined, 0)
    } catch (e) {
      if (e instanceof NotEvaluable) {
        out.notRendered.push(notRendered(source.file, at(e.path), name, e.path.slice(3), e.generator, e.why))
        return
      }
      if (e instanceof GenerationError) {
        out.errors.push(error(`error generating params: ${e.message}`, e.path))
        return
      }
      if (e instanceof TemplateEngineUnavailable || e instanceof TemplateEngineFailure) throw e
      // Anything else (a value too deep, a bug) fails closed on this ApplicationSet, never the run.
      out.errors.push(error(e instanceof Error ? e.message : String(e), path))
      return
    }
    const pullRequest = ctx.pullRequest !== undefined && mentions(g, 'pullRequest')
    const input = {t, spec, file: source.file, name, namespace, docLine, lineOf: source.lineOf, pullRequest}
    for (const r of results) {
      const rendered = render(r.template, r.params, {...input, templatePath: r.templatePath})
      rendered.forEach((one, k) => {
        if ('application' in one) applications.push(one.application)
        else out.errors.push(error(`${one.error} (params ${describeParams(r.params[k])})`, one.where))
      })
      if (applications.length > MAX_APPLICATIONS) {
        out.errors.push(error(`more than ${MAX_APPLICATIONS} Applications: not evaluated offline`, path))
        return
      }
    }
  })
  for (const d of engineOf.dropped) {
    out.notPreviewed ??= []
    out.notPreviewed.push({file: source.file, line: at(d.path), applicationSet: name, reason: d.reason})
  }
  const seen = new Set<string>()
  for (const app of applications) {
    if (seen.has(app.name))
      out.errors.push(
        error(`ApplicationSet ${name} contains applications with duplicate name: ${app.name}`, [
          'spec',
          'template',
          'metadata',
          'name',
        ]),
      )
    seen.add(app.name)
  }
  out.applications = applications
}

/** Applications one ApplicationSet may generate offline (a matrix can multiply without bound). */
const MAX_APPLICATIONS = 10_000

interface RenderInput {
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

type OneApplication = {application: ArgoApplication} | {error: string; where: Path}

/**
 * RenderTemplateParams for every parameter set (one engine call for the template, one for templatePatch), then
 * templatePatch, then the ApplicationSet's namespace (controllers/template/template.go GenerateApplications).
 */
function render(template: JsonObject, sets: Params[], input: RenderInput): OneApplication[] {
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
  const patchLine = input.lineOf(['spec', 'templatePatch'])
  const lineOf = (path: SpecPath): number | undefined => {
    if (patched.some((p) => isPrefix(p, path))) return patchLine
    for (let n = path.length; n >= 0; n--) {
      const sub = path.slice(0, n)
      const own = input.templatePath ? input.lineOf([...input.templatePath, 'spec', ...sub]) : undefined
      if (own !== undefined) return own
      const line = input.lineOf(['spec', 'template', 'spec', ...sub])
      if (line !== undefined) return line
      if (patched.some((p) => isPrefix(p, sub))) return patchLine
    }
    return undefined
  }
  const out: ArgoApplication = {
    name: typeof meta.name === 'string' ? meta.name : '',
    spec: appSpec,
    file: input.file,
    line: input.docLine,
    lineOf,
    generatedBy: {applicationSet: input.name, params, ...(input.pullRequest ? {pullRequest: true} : {})},
    metadata: controllerMetadata(meta, params, input),
  }
  if (input.namespace !== undefined) out.namespace = input.namespace
  const environment = environmentOf(params)
  if (environment) out.environment = environment
  return out
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

/** Whether a generator (or a matrix/merge child of it) has a `key` generator. */
function mentions(g: Json | undefined, key: string, depth = 0): boolean {
  if (!isObject(g) || depth > 8) return false
  if (g[key] !== undefined && g[key] !== null) return true
  return ['matrix', 'merge'].some((k) => {
    const inner = g[k]
    return (
      isObject(inner) && Array.isArray(inner.generators) && inner.generators.some((c) => mentions(c, key, depth + 1))
    )
  })
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

function notRendered(
  file: string,
  line: number,
  applicationSet: string,
  at: Path,
  generator: string,
  why: string,
): NotRendered {
  // `matrix.generators.1.pullRequest` → `matrix.pullRequest`
  const chain = at.filter((p) => typeof p === 'string' && p !== 'generators') as string[]
  const key = chain.length > 0 && chain.at(-1) === 'repoURL' ? chain.slice(0, -1) : chain
  return {file, line, applicationSet, generator: key.join('.') || generator, why}
}

function nearestLine(lineOf: LineOf, path: ReadonlyArray<string | number>): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const line = lineOf(path.slice(0, n))
    if (line !== undefined) return line
  }
  return undefined
}

function describeParams(params: Params): string {
  const text = Object.entries(params)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ')
  return text.length > 200 ? `${text.slice(0, 200)}…` : text
}
