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
} from '../../model/types.js'
import {render, type RenderInput} from './application.js'
import {GenerationError, Generators, NotEvaluable, type Path} from './generators.js'
import {isObject, type Json, type JsonObject} from './merge.js'
import type {Params, Templating} from './templating.js'

export {pathspecMatches} from './match.js'

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
  error: ErrorAt,
  at: LineAt,
): void {
  const engine = ctx.templateEngine()
  const doc = readDocument(engine, source, out, error)
  if (doc === undefined) return
  const metadata = isObject(doc.metadata) ? doc.metadata : {}
  const name = typeof metadata.name === 'string' ? metadata.name : ''
  setName(name)
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : undefined
  const spec = isObject(doc.spec) ? doc.spec : {}
  const options = Array.isArray(spec.goTemplateOptions) ? spec.goTemplateOptions.map(String) : []
  const t: Templating = {goTemplate: spec.goTemplate === true, options, engine}
  const generators = Array.isArray(spec.generators) ? spec.generators : []
  if (generators.length === 0) {
    out.errors.push(error('the ApplicationSet has no generators', ['spec']))
    return
  }
  const docLine = source.lineOf([]) ?? 1
  const engineOf = new Generators(ctx, t)
  const applications: ArgoApplication[] = []
  const run: GeneratorRun = {ctx, source, out, error, at, engineOf, applications, name}
  const base = isObject(spec.template) ? spec.template : {}
  const input = {t, spec, file: source.file, name, namespace, docLine, lineOf: source.lineOf}
  generators.forEach((g, i) => generate(run, g, ['spec', 'generators', i], base, input))
  for (const d of engineOf.dropped) {
    out.notPreviewed ??= []
    out.notPreviewed.push({file: source.file, line: at(d.path), applicationSet: name, reason: d.reason})
  }
  refuseDuplicateNames(applications, name, out, error)
  out.applications = applications
}

type ErrorAt = (message: string, path: ReadonlyArray<string | number>) => ExpansionError
type LineAt = (path: ReadonlyArray<string | number>) => number

/**
 * The ApplicationSet document as kubectl and Argo CD read it, with sigs.k8s.io/yaml (YAML 1.1 scalars): the engine
 * reads it so. Undefined when it is not YAML (an error recorded) or not a mapping.
 */
function readDocument(
  engine: Templating['engine'],
  source: ApplicationSetSource,
  out: ApplicationSetExpansion,
  error: ErrorAt,
): JsonObject | undefined {
  const [read] = engine.yaml([source.text])
  if ('error' in read) {
    out.errors.push(error(`the ApplicationSet is not valid YAML as Argo CD reads it: ${read.error}`, []))
    return undefined
  }
  const doc = read.value
  return isObject(doc) ? doc : undefined
}

/** What each top-level generator of one ApplicationSet shares: where it records, and the Applications so far. */
interface GeneratorRun {
  ctx: ExpansionContext
  source: ApplicationSetSource
  out: ApplicationSetExpansion
  error: ErrorAt
  at: LineAt
  engineOf: Generators
  applications: ArgoApplication[]
  name: string
}

/**
 * One top-level generator: its parameter sets, each rendered into Applications (errors recorded per set). A
 * generator that cannot be evaluated offline is listed as not rendered; past the policy's bound it stops.
 */
function generate(
  run: GeneratorRun,
  g: Json,
  path: Path,
  base: JsonObject,
  input: Omit<RenderInput, 'templatePath' | 'pullRequest'>,
): void {
  const {ctx, out, error, applications} = run
  const results = parameterSets(run, g, path, base)
  if (results === undefined) return
  const pullRequest = ctx.pullRequest !== undefined && mentions(g, 'pullRequest')
  for (const r of results) {
    const rendered = render(r.template, r.params, {...input, pullRequest, templatePath: r.templatePath})
    rendered.forEach((one, k) => {
      if ('application' in one) applications.push(one.application)
      else out.errors.push(error(`${one.error} (params ${describeParams(r.params[k])})`, one.where))
    })
    if (applications.length > ctx.maxApplications) {
      out.errors.push(
        error(
          `more than ${ctx.maxApplications} Applications (gitopsPolicy.maxApplications): not evaluated offline`,
          path,
        ),
      )
      return
    }
  }
}

/**
 * A top-level generator's results, or undefined when it is not evaluable offline (listed as not rendered) or
 * failed (an error). The template engine's own failures propagate: they fail the whole ApplicationSet.
 */
function parameterSets(run: GeneratorRun, g: Json, path: Path, base: JsonObject) {
  const {source, out, error, at, engineOf, name} = run
  try {
    return engineOf.transform(g, path, base, undefined, 0)
  } catch (e) {
    if (e instanceof NotEvaluable) {
      out.notRendered.push(notRendered(source.file, at(e.path), name, e.path.slice(3), e.generator, e.why))
      return undefined
    }
    if (e instanceof GenerationError) {
      out.errors.push(error(`error generating params: ${e.message}`, e.path))
      return undefined
    }
    if (e instanceof TemplateEngineUnavailable || e instanceof TemplateEngineFailure) throw e
    // Anything else (a value too deep, a bug) fails closed on this ApplicationSet, never the run.
    out.errors.push(error(e instanceof Error ? e.message : String(e), path))
    return undefined
  }
}

/** Argo CD refuses an ApplicationSet that generates two Applications of one name: an error per repeat. */
function refuseDuplicateNames(
  applications: ArgoApplication[],
  name: string,
  out: ApplicationSetExpansion,
  error: ErrorAt,
): void {
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
