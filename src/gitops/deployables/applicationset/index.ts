/**
 * ApplicationSets evaluated offline: the Applications Argo CD's ApplicationSet controller would generate from the
 * checkout (`applicationset/controllers/template/{template,patch}.go`): each top-level generator's parameter sets
 * (list, git files/directories of this repository, matrix, merge), the template rendered string by string with each
 * set (goTemplate or fasttemplate), `templatePatch` applied, the namespace forced to the ApplicationSet's.
 * Generators that need a cluster or an API are listed as not rendered; a template or generator error is an
 * ExpansionError (Argo CD then generates nothing for the ApplicationSet, and neither does this).
 */
import type {
  ApplicationSetExpansion,
  ArgoApplication,
  ExpansionContext,
  ExpansionError,
  NotRendered,
  SpecPath,
} from '../types.js'
import {GenerationError, Generators, goString, NotEvaluable, type Path} from './generators.js'
import {parseGoTemplateOptions} from './gotemplate.js'
import {changedPaths, isObject, strategicMerge, type Json, type JsonObject} from './merge.js'
import {renderStrings, replace, type Params, type Templating} from './templating.js'
import {UnsupportedTemplate} from './values.js'
import {parseYamlText} from './yaml-values.js'

export {renderGoTemplate, parseGoTemplateOptions} from './gotemplate.js'
export {pathspecMatches, goPathMatch} from './match.js'

type LineOf = (path: ReadonlyArray<string | number>) => number | undefined

export function expandApplicationSet(
  ctx: ExpansionContext,
  file: string,
  doc: unknown,
  lineOf: LineOf,
): ApplicationSetExpansion {
  const out: ApplicationSetExpansion = {applications: [], notRendered: [], errors: []}
  if (!isObject(doc)) return out
  const metadata = isObject(doc.metadata) ? doc.metadata : {}
  const name = typeof metadata.name === 'string' ? metadata.name : ''
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : undefined
  const docLine = lineOf([]) ?? 1
  const at = (path: ReadonlyArray<string | number>) => nearestLine(lineOf, path) ?? docLine
  const error = (message: string, path: ReadonlyArray<string | number>): ExpansionError => ({
    file,
    line: at(path),
    applicationSet: name,
    message,
  })
  const spec = isObject(doc.spec) ? doc.spec : {}
  let t: Templating
  try {
    t = {goTemplate: spec.goTemplate === true, options: parseGoTemplateOptions(spec.goTemplateOptions)}
  } catch (e) {
    out.errors.push(error((e as Error).message, ['spec', 'goTemplateOptions']))
    return out
  }
  const base = isObject(spec.template) ? spec.template : {}
  const generators = Array.isArray(spec.generators) ? spec.generators : []
  if (generators.length === 0) {
    out.errors.push(error('the ApplicationSet has no generators', ['spec']))
    return out
  }
  const engine = new Generators(ctx, t)
  const applications: ArgoApplication[] = []
  generators.forEach((g, i) => {
    const path: Path = ['spec', 'generators', i]
    let results
    try {
      results = engine.transform(g, path, base, undefined, 0)
    } catch (e) {
      if (e instanceof NotEvaluable) {
        out.notRendered.push(notRendered(file, at(e.path), name, e.path.slice(3), e.generator, e.why))
        return
      }
      if (e instanceof GenerationError) {
        out.errors.push(error(`error generating params: ${e.message}`, e.path))
        return
      }
      // Anything else (a value too deep, a bug) fails closed on this ApplicationSet, never the run.
      out.errors.push(error(e instanceof Error ? e.message : String(e), path))
      return
    }
    for (const r of results) {
      for (const params of r.params) {
        try {
          applications.push(
            render(r.template, params, {t, spec, file, name, namespace, docLine, lineOf, templatePath: r.templatePath}),
          )
        } catch (e) {
          if (!(e instanceof Error)) throw e
          const where = e instanceof PatchError ? ['spec', 'templatePatch'] : ['spec', 'template']
          const kind =
            e instanceof UnsupportedTemplate ? '' : e instanceof PatchError ? '' : 'failed to execute template: '
          out.errors.push(error(`${kind}${e.message} (params ${describeParams(params)})`, where))
        }
        if (applications.length > MAX_APPLICATIONS) {
          out.errors.push(error(`more than ${MAX_APPLICATIONS} Applications: not evaluated offline`, path))
          return
        }
      }
    }
  })
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
  // Argo CD applies nothing of an ApplicationSet whose generation failed.
  if (out.errors.length === 0) out.applications = applications
  return out
}

class PatchError extends Error {}

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
}

/** RenderTemplateParams, then templatePatch, then the ApplicationSet's namespace. */
function render(template: JsonObject, params: Params, input: RenderInput): ArgoApplication {
  const {t, spec} = input
  const app: JsonObject = {
    metadata: isObject(template.metadata) ? template.metadata : {},
    spec: isObject(template.spec) ? template.spec : {},
  }
  // RenderTemplateParams returns the template untouched when the parameter set is empty.
  let rendered = Object.keys(params).length === 0 ? app : (renderStrings(app, params, t) as JsonObject)
  let patched: Array<Array<string | number>> = []
  if (typeof spec.templatePatch === 'string') {
    const text = replace(spec.templatePatch, params, t)
    let patch: Json
    try {
      patch = text.trim().startsWith('{') ? (JSON.parse(text) as Json) : (parseYamlText(text) as Json)
    } catch (e) {
      throw new PatchError(`error while converting templatePatch to json: ${(e as Error).message}`)
    }
    if (patch !== null && !isObject(patch)) throw new PatchError('invalid templatePatch: not a map')
    let next: JsonObject
    try {
      next = strategicMerge(rendered, patch) as JsonObject
    } catch (e) {
      throw new PatchError((e as Error).message)
    }
    // templatePatch cannot change spec.project.
    const project = isObject(rendered.spec) ? rendered.spec.project : undefined
    if (isObject(next.spec)) {
      if (project === undefined) delete next.spec.project
      else next.spec.project = project
    }
    patched = changedPaths(rendered.spec, next.spec)
    rendered = next
  }
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
  const application: ArgoApplication = {
    name: typeof meta.name === 'string' ? meta.name : '',
    spec: appSpec,
    file: input.file,
    line: input.docLine,
    lineOf,
    generatedBy: {applicationSet: input.name, params},
  }
  if (input.namespace !== undefined) application.namespace = input.namespace
  const environment = environmentOf(params)
  if (environment) application.environment = environment
  return application
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
    .map(([k, v]) => `${k}=${goString(v)}`)
    .join(', ')
  return text.length > 200 ? `${text.slice(0, 200)}…` : text
}
