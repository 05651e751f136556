/**
 * The parameter sets of an ApplicationSet's generators, evaluated offline as Argo CD's controller does
 * (`applicationset/generators/{generator_spec_processor,list,git,matrix,merge}.go`): list, git files, git
 * directories (./git.ts), matrix and merge; clusters (./clusters.ts) over the clusters Argo CD's API listed,
 * scmProvider (./scm-provider.ts) over its provider's API, and pullRequest for a given pull request. Generators that
 * need a cluster, an SCM API or a plugin not given are {@link NotEvaluable}. Every template, YAML text and printed value goes through Go's own engine.
 */
import type {ExpansionContext} from '../../model/types.js'
import {clusterParams} from './clusters.js'
import {GenerationError, NotEvaluable, type Path} from './errors.js'
import {flatten, gitParams} from './git.js'
import {fillEmpty, isObject, mergeOverride, type Json, type JsonObject} from './merge.js'
import {pullRequestParams} from './pull-request.js'
import {SCM_PROVIDER_NAMES} from './scm-providers/about.js'
import {scmProviderParams} from './scm-provider.js'
import {renderTrees, replaceAll, sprintAll, type Params, type Templating} from './templating.js'

export {GenerationError, NotEvaluable, type Path} from './errors.js'

export interface Generated {
  params: Params[]
  /** The generator's own `template` merged over `spec.template` (top level only), and where it was written. */
  template: JsonObject
  templatePath?: Path
}

const OFFLINE = ['list', 'git', 'matrix', 'merge'] as const
const NEEDS_CLUSTER: Record<string, string> = {
  clusters:
    'lists the clusters registered in Argo CD (cluster Secrets): needs --argocd-server and ARGOCD_AUTH_TOKEN to list them',
  clusterDecisionResource: 'reads a duck-typed resource (e.g. a Placement decision) from the cluster',
  pullRequest: 'lists open pull requests through the SCM provider API',
  scmProvider: `lists repositories through the SCM provider API: evaluated with --scm-provider ${SCM_PROVIDER_NAMES}`,
  plugin: 'calls a plugin service over HTTP',
}
const GENERATOR_KEYS = [...OFFLINE, ...Object.keys(NEEDS_CLUSTER)]

/** text/template's missing-key errors (utils.go isMissingKeyError). */
const MISSING_KEY = /map has no entry for key|can't evaluate field/

/** A pull-request generator that dropped the given PR, and the filter that did. */
export interface PullRequestDrop {
  path: Path
  reason: string
}

export class Generators {
  /** With a given pull request (ctx.pullRequest): the pull-request generators that dropped it. */
  readonly dropped: PullRequestDrop[] = []

  constructor(
    private ctx: ExpansionContext,
    private t: Templating,
  ) {}

  /**
   * Transform(): every generator type set in `g` (one result each), with the selector applied. `genParams`: the
   * parent's parameter set a matrix's second child is interpolated with.
   */
  transform(
    g: unknown,
    path: Path,
    baseTemplate: JsonObject,
    genParams: Params | undefined,
    depth: number,
  ): Generated[] {
    if (!isObject(g)) throw new GenerationError('a generator must be a map', path)
    const keys = GENERATOR_KEYS.filter((k) => g[k] !== undefined && g[k] !== null)
    if (keys.length === 0) {
      const named = Object.keys(g).filter((k) => k !== 'selector')
      throw new GenerationError(`unrecognized generator${named.length ? ` ${named.join(', ')}` : ''}`, path)
    }
    const out: Generated[] = []
    for (const key of keys) {
      const given =
        (key === 'pullRequest' && this.ctx.pullRequest !== undefined) ||
        (key === 'clusters' && this.ctx.clusters !== undefined) ||
        (key === 'scmProvider' && this.ctx.scm !== undefined)
      if (NEEDS_CLUSTER[key] && !given) throw new NotEvaluable(key, NEEDS_CLUSTER[key], [...path, key])
      const spec = g[key]
      if (!isObject(spec)) throw new GenerationError(`${key} must be a map`, [...path, key])
      const own = isObject(spec.template) ? spec.template : {}
      const template = fillEmpty(own, baseTemplate) as JsonObject
      const generator = genParams && Object.keys(genParams).length > 0 ? this.interpolate(g, [genParams], path)[0] : g
      const params = this.generate(key, generator[key] as JsonObject, [...path, key], depth)
      const selected =
        g.selector === undefined || g.selector === null
          ? params
          : this.select(g.selector, params, [...path, 'selector'])
      out.push({
        params: selected,
        template,
        templatePath: isObject(spec.template) ? [...path, key, 'template'] : undefined,
      })
    }
    return out
  }

  private generate(key: string, spec: JsonObject, path: Path, depth: number): Params[] {
    switch (key) {
      case 'list':
        return this.list(spec, path)
      case 'git':
        return gitParams(this.ctx, this.t, spec, path)
      case 'clusters':
        return clusterParams(spec, this.ctx.clusters!, this.t, path)
      case 'scmProvider':
        return scmProviderParams(spec, this.ctx.scm!, this.t, path)
      case 'matrix':
        return this.matrix(spec, path, depth)
      case 'pullRequest': {
        const outcome = pullRequestParams(spec, this.ctx.pullRequest!, this.t, path)
        if ('params' in outcome) return outcome.params
        this.dropped.push({path, reason: outcome.dropped})
        return []
      }
      default:
        return this.merge(spec, path, depth)
    }
  }

  /** list.go: `elements` (fasttemplate: string values, a `values` map as `values.<k>`), then `elementsYaml`. */
  private list(spec: JsonObject, path: Path): Params[] {
    const out: Params[] = []
    const elements = spec.elements ?? []
    if (!Array.isArray(elements)) throw new GenerationError('list.elements must be a list', [...path, 'elements'])
    elements.forEach((element, i) => {
      if (!isObject(element))
        throw new GenerationError('error unmarshling list element: not a map', [...path, 'elements', i])
      if (this.t.goTemplate) {
        out.push({...element})
        return
      }
      const params: Params = {}
      for (const [k, v] of Object.entries(element)) {
        if (k === 'values') {
          if (!isObject(v)) throw new GenerationError('error parsing values map', [...path, 'elements', i, k])
          for (const [vk, vv] of Object.entries(v)) {
            if (typeof vv !== 'string')
              throw new GenerationError(`error parsing value as string: values.${vk}`, [...path, 'elements', i, k, vk])
            params[`values.${vk}`] = vv
          }
        } else {
          if (typeof v !== 'string')
            throw new GenerationError(`error parsing value as string: ${k}`, [...path, 'elements', i, k])
          params[k] = v
        }
      }
      out.push(params)
    })
    if (typeof spec.elementsYaml === 'string' && spec.elementsYaml !== '') {
      const [read] = this.t.engine.yaml([spec.elementsYaml])
      const at = [...path, 'elementsYaml']
      if ('error' in read) throw new GenerationError(`error unmarshling decoded ElementsYaml: ${read.error}`, at)
      const parsed = read.value
      if (parsed !== null && (!Array.isArray(parsed) || !parsed.every((e) => e === null || isObject(e))))
        throw new GenerationError('error unmarshling decoded ElementsYaml: not a list of maps', at)
      for (const e of (parsed ?? []) as Array<JsonObject | null>) out.push({...(e ?? {})})
    }
    return out
  }

  /** matrix.go: two children; the second interpolated with each set of the first; sets combined. */
  private matrix(spec: JsonObject, path: Path, depth: number): Params[] {
    const children = spec.generators
    if (!Array.isArray(children) || children.length < 2)
      throw new GenerationError('found less than two generators, Matrix support only two', path)
    if (children.length > 2) throw new GenerationError('found more than two generators, Matrix support only two', path)
    if (depth >= 2) throw new GenerationError('matrix and merge generators may be nested only one level', path)
    const out: Params[] = []
    const first = this.child(children[0], [...path, 'generators', 0], undefined, depth)
    for (const a of first) {
      const second = this.child(children[1], [...path, 'generators', 1], a, depth)
      if (out.length + second.length > this.ctx.maxApplications) {
        throw new GenerationError(
          `the matrix yields more than ${this.ctx.maxApplications} parameter sets (gitopsPolicy.maxApplications): not evaluated offline`,
          path,
        )
      }
      if (this.t.goTemplate) {
        for (const b of second) out.push(mergeOverride(mergeOverride({}, b as JsonObject), a as JsonObject))
        continue
      }
      const [printedA, ...printedB] = this.print([a, ...second])
      for (const b of printedB) {
        const res: Params = {...printedA}
        for (const [k, s] of Object.entries(b)) {
          if (k in res && res[k] !== s) {
            throw new GenerationError(
              `failed to combine string maps with merging params for the matrix generator: found duplicate key ${k} with different value, a: ${String(res[k])} ,b: ${s}`,
              path,
            )
          }
          res[k] = s
        }
        out.push(res)
      }
    }
    return out
  }

  /** merge.go: the first child's sets are the base; later children's sets with the same merge-key values override. */
  private merge(spec: JsonObject, path: Path, depth: number): Params[] {
    const children = spec.generators
    if (!Array.isArray(children) || children.length < 2)
      throw new GenerationError('found less than two generators, Merge requires two or more', path)
    if (depth >= 2) throw new GenerationError('matrix and merge generators may be nested only one level', path)
    const mergeKeys = Array.isArray(spec.mergeKeys) ? [...new Set(spec.mergeKeys.map(String))].sort() : []
    if (mergeKeys.length === 0)
      throw new GenerationError('no merge keys were specified, Merge requires at least one', [...path, 'mergeKeys'])
    const sets = children.map((c, i) => this.child(c, [...path, 'generators', i], undefined, depth))
    const byKey = (list: Params[]) => {
      const m = new Map<string, Params>()
      for (const p of list) {
        const key = JSON.stringify(Object.fromEntries(mergeKeys.map((k) => [k, p[k] ?? null])))
        if (m.has(key)) {
          throw new GenerationError(
            `the parameters from a generator were not unique by the given mergeKeys, Merge requires all param sets to be unique. Duplicate key was ${key}`,
            path,
          )
        }
        m.set(key, p)
      }
      return m
    }
    const base = byKey(sets[0])
    for (const later of sets.slice(1)) {
      const overrides = byKey(later)
      for (const [key, set] of base) {
        const o = overrides.get(key)
        if (!o) continue
        base.set(key, this.t.goTemplate ? mergeOverride(set as JsonObject, o as JsonObject) : {...set, ...o})
      }
    }
    return [...base.values()]
  }

  /** A matrix/merge child: Transform with an empty template; exactly one generator type. */
  private child(g: unknown, path: Path, params: Params | undefined, depth: number): Params[] {
    const t = this.transform(g, path, {}, params, depth + 1)
    if (t.length === 0) throw new GenerationError('child generator generated no parameters', path)
    if (t.length > 1) throw new GenerationError('only one generator per child generator is allowed', path)
    return t[0].params
  }

  /**
   * RenderGeneratorParams for each set: every string of the child generator rendered with it; a generator's
   * `values` entries are pre-resolved with missingkey=error (goTemplate) and kept as written on a missing key.
   */
  private interpolate(g: JsonObject, sets: Params[], path: Path): JsonObject[] {
    const strict: Templating = this.t.goTemplate
      ? {...this.t, options: [...this.t.options.filter((o) => !o.startsWith('missingkey=')), 'missingkey=error']}
      : this.t
    const valueMaps = Object.keys(g).filter((k) => isObject(g[k]) && isObject((g[k] as JsonObject).values))
    const entries = valueMaps.flatMap((k) =>
      Object.entries((g[k] as JsonObject).values as JsonObject).map(([key, v]) => ({generator: k, key, v})),
    )
    const texts = entries.map((e) => (typeof e.v === 'string' ? e.v : ''))
    const resolved = replaceAll(texts, sets, strict)
    const keep = {
      at: (p: Path) => p.length === 2 && p[1] === 'values' && valueMaps.includes(p[0] as string),
      value: (p: Path, set: number): Json => {
        const out: JsonObject = {}
        entries.forEach((e, i) => {
          if (e.generator !== p[0]) return
          if (typeof e.v !== 'string') return void (out[e.key] = e.v)
          const r = resolved[set][i]
          if ('error' in r) {
            if (!MISSING_KEY.test(r.error))
              throw new GenerationError(
                `failed to replace parameters in generator: failed to pre-resolve Values key "${e.key}": ${r.error}`,
                path,
              )
            out[e.key] = e.v
          } else out[e.key] = r.value
        })
        return out
      },
    }
    return renderTrees(g, sets, this.t, keep).map((r) => {
      if ('error' in r) throw new GenerationError(`failed to replace parameters in generator: ${r.error}`, path)
      return r.value as JsonObject
    })
  }

  /** Each set's values printed with `%v` (one engine call), keys kept. */
  private print(sets: readonly Params[]): Array<Record<string, string>> {
    const printed = sprintAll(
      sets.flatMap((p) => Object.values(p)),
      this.t.engine,
    )
    let k = 0
    return sets.map((p) => Object.fromEntries(Object.keys(p).map((key) => [key, printed[k++]])))
  }

  /** A generator's `selector` (matchLabels, matchExpressions) on the flattened params. */
  private select(selector: Json, sets: Params[], path: Path): Params[] {
    if (!isObject(selector)) throw new GenerationError('error parsing label selector: not a map', path)
    const flat = flatten(this.t, sets)
    const labels = isObject(selector.matchLabels) ? selector.matchLabels : {}
    const expressions = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []
    const [labelValues, exprValues] = [
      sprintAll(Object.values(labels), this.t.engine),
      expressions.map((e) => (isObject(e) && Array.isArray(e.values) ? sprintAll(e.values, this.t.engine) : [])),
    ]
    return sets.filter((_, i) => {
      const f = flat[i]
      if (Object.keys(labels).some((k, j) => f[k] !== labelValues[j])) return false
      return expressions.every((expr, j) => {
        if (!isObject(expr)) throw new GenerationError('error parsing label selector: bad expression', path)
        const key = String(expr.key ?? '')
        const has = Object.hasOwn(f, key)
        switch (expr.operator) {
          case 'In':
            return has && exprValues[j].includes(f[key])
          case 'NotIn':
            return !(has && exprValues[j].includes(f[key]))
          case 'Exists':
            return has
          case 'DoesNotExist':
            return !has
          default:
            throw new GenerationError(
              `error parsing label selector: ${String(expr.operator)} is not a valid label selector operator`,
              path,
            )
        }
      })
    })
  }
}
