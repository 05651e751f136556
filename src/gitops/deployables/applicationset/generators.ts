/**
 * The parameter sets of an ApplicationSet's generators, evaluated offline as Argo CD's controller does
 * (`applicationset/generators/{generator_spec_processor,list,git,matrix,merge}.go`): list, git files, git
 * directories, matrix and merge. Generators that need a cluster, an SCM API or a plugin are {@link NotEvaluable}.
 */
import type {ExpansionContext} from '../types.js'
import {basePath, dirPath, sanitizeName} from './functions.js'
import {goPathMatch, pathspecMatches} from './match.js'
import {fillEmpty, flattenParams, isObject, mergeOverride, type Json, type JsonObject} from './merge.js'
import {renderStrings, replace, type Params, type Templating} from './templating.js'
import {TemplateError} from './values.js'
import {formatValue, MISSING, type GoValue} from './values.js'
import {parseYamlText, parseYamlValue} from './yaml-values.js'

export type Path = Array<string | number>

/** A generator Argo CD's controller would fail on (its message), at the generator's path in the document. */
export class GenerationError extends Error {
  constructor(
    message: string,
    readonly path: Path,
  ) {
    super(message)
  }
}

/** A generator that cannot be evaluated offline: the whole top-level generator is listed as not rendered. */
export class NotEvaluable extends Error {
  constructor(
    readonly generator: string,
    readonly why: string,
    readonly path: Path,
  ) {
    super(why)
  }
}

export interface Generated {
  params: Params[]
  /** The generator's own `template` merged over `spec.template` (top level only), and where it was written. */
  template: JsonObject
  templatePath?: Path
}

/** Parameter sets one matrix may yield offline. */
const MAX_PARAM_SETS = 10_000

const OFFLINE = ['list', 'git', 'matrix', 'merge'] as const
const NEEDS_CLUSTER: Record<string, string> = {
  clusters: 'lists the clusters registered in Argo CD (cluster Secrets): needs the cluster',
  clusterDecisionResource: 'reads a duck-typed resource (e.g. a Placement decision) from the cluster',
  pullRequest: 'lists open pull requests through the SCM provider API',
  scmProvider: 'lists repositories through the SCM provider API',
  plugin: 'calls a plugin service over HTTP',
}
const GENERATOR_KEYS = [...OFFLINE, ...Object.keys(NEEDS_CLUSTER)]

/** `%v` of a value decoded from JSON/YAML (Go float64, bool, nil…). */
export const goString = (v: unknown): string => (v === undefined ? '<no value>' : formatValue(v as GoValue))

export class Generators {
  constructor(
    private ctx: ExpansionContext,
    private t: Templating,
  ) {}

  /** Transform(): every generator type set in `g` (one result each), with the selector applied. */
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
      if (NEEDS_CLUSTER[key]) throw new NotEvaluable(key, NEEDS_CLUSTER[key], [...path, key])
      const spec = g[key]
      if (!isObject(spec)) throw new GenerationError(`${key} must be a map`, [...path, key])
      const own = isObject(spec.template) ? spec.template : {}
      const template = fillEmpty(own, baseTemplate) as JsonObject
      const generator = genParams && Object.keys(genParams).length > 0 ? this.interpolate(g, genParams, path) : g
      const params = this.generate(key, generator[key] as JsonObject, [...path, key], depth)
      const selected =
        g.selector === undefined || g.selector === null
          ? params
          : params.filter((p) => selects(g.selector, p, [...path, 'selector']))
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
        return this.git(spec, path)
      case 'matrix':
        return this.matrix(spec, path, depth)
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
      let parsed: unknown
      try {
        parsed = parseYamlText(spec.elementsYaml)
      } catch (e) {
        throw new GenerationError(`error unmarshling decoded ElementsYaml: ${(e as Error).message}`, [
          ...path,
          'elementsYaml',
        ])
      }
      if (parsed !== null && (!Array.isArray(parsed) || !parsed.every(isObject))) {
        throw new GenerationError('error unmarshling decoded ElementsYaml: not a list of maps', [
          ...path,
          'elementsYaml',
        ])
      }
      for (const e of (parsed ?? []) as JsonObject[]) out.push({...e})
    }
    return out
  }

  private git(spec: JsonObject, path: Path): Params[] {
    const repoURL = typeof spec.repoURL === 'string' ? spec.repoURL : ''
    if (!repoURL) throw new GenerationError('git.repoURL is required', [...path, 'repoURL'])
    if (!this.ctx.isThisRepository(repoURL)) {
      throw new NotEvaluable('git', `repoURL ${repoURL} is another repository: it is never fetched`, [
        ...path,
        'repoURL',
      ])
    }
    const prefix = typeof spec.pathParamPrefix === 'string' ? spec.pathParamPrefix : ''
    const values = isObject(spec.values) ? spec.values : {}
    const dirs = Array.isArray(spec.directories) && spec.directories.length > 0 ? spec.directories : undefined
    const files = Array.isArray(spec.files) && spec.files.length > 0 ? spec.files : undefined
    let sets: Params[]
    if (dirs) sets = this.directories(dirs, prefix)
    else if (files) sets = this.files(files, prefix, path)
    else throw new GenerationError('git generator needs directories or files', path)
    return sets.map((p) => this.withValues(p, values, [...path, 'values']))
  }

  /** git.go generateParamsForGitFiles: ls-files per include pattern, minus excludes, sorted; one set per object. */
  private files(items: Json[], prefix: string, path: Path): Params[] {
    const include = new Set<string>()
    const patterns = items.filter(isObject)
    for (const item of patterns.filter((i) => i.exclude !== true)) {
      for (const f of this.ctx.trackedFiles) if (pathspecMatches(String(item.path ?? ''), f)) include.add(f)
    }
    for (const item of patterns.filter((i) => i.exclude === true)) {
      for (const f of [...include]) if (pathspecMatches(String(item.path ?? ''), f)) include.delete(f)
    }
    const out: Params[] = []
    for (const file of [...include].sort()) {
      const text = this.ctx.readText(file)
      if (text === undefined) throw new GenerationError(`unable to process file '${file}': it cannot be read`, path)
      let objects: JsonObject[]
      try {
        const v = parseYamlValue(text)
        if (v === undefined || v === null) objects = [{}]
        else if (isObject(v)) objects = [v]
        else if (Array.isArray(v) && v.every((e) => isObject(e) || e === null))
          objects = v.map((e) => (e ?? {}) as JsonObject)
        else throw new Error('the file is neither a map nor a list of maps')
      } catch (e) {
        throw new GenerationError(
          `unable to process file '${file}': unable to parse file: ${(e as Error).message}`,
          path,
        )
      }
      for (const object of objects) out.push(this.pathParams(object, file, prefix, true))
    }
    return out
  }

  /** git.go generateParamsForGitDirectories: every directory of the checkout (hidden ones skipped), path.Match. */
  private directories(items: Json[], prefix: string): Params[] {
    const all = checkoutDirectories(this.ctx.trackedFiles)
    const patterns = items.filter(isObject)
    return all
      .filter((dir) => {
        let include = false
        let exclude = false
        for (const p of patterns) {
          if (!goPathMatch(String(p.path ?? ''), dir)) continue
          if (p.exclude === true) exclude = true
          else include = true
        }
        return include && !exclude
      })
      .map((dir) => this.pathParams({}, dir, prefix, false))
  }

  private pathParams(content: JsonObject, at: string, prefix: string, isFile: boolean): Params {
    const dir = isFile ? dirPath(at) : at
    if (this.t.goTemplate) {
      const p: Params = {...content}
      const info: Params = {path: dir, basename: basePath(dir)}
      if (isFile) info.filename = basePath(at)
      info.basenameNormalized = sanitizeName(basePath(dir))
      if (isFile) info.filenameNormalized = sanitizeName(basePath(at))
      info.segments = dir.split('/')
      if (prefix) p[prefix] = {path: info}
      else p.path = info
      return p
    }
    const p: Params = flattenParams(content, goString)
    const name = prefix ? `${prefix}.path` : 'path'
    p[name] = dir
    p[`${name}.basename`] = basePath(dir)
    if (isFile) p[`${name}.filename`] = basePath(at)
    p[`${name}.basenameNormalized`] = sanitizeName(basePath(dir))
    if (isFile) p[`${name}.filenameNormalized`] = sanitizeName(basePath(at))
    dir.split('/').forEach((seg, i) => {
      if (seg !== '') p[`${name}[${i}]`] = seg
    })
    return p
  }

  /** value_interpolation.go appendTemplatedValues: each `values` entry rendered with the params. */
  private withValues(params: Params, values: JsonObject, path: Path): Params {
    const entries = Object.entries(values)
    if (entries.length === 0) return params
    const rendered: Record<string, string> = {}
    for (const [k, v] of entries) {
      try {
        rendered[k] = replace(typeof v === 'string' ? v : goString(v), params, this.t)
      } catch (e) {
        throw new GenerationError(`failed to append templated values: ${(e as Error).message}`, [...path, k])
      }
    }
    if (this.t.goTemplate) return {...params, values: rendered}
    const out = {...params}
    for (const [k, v] of Object.entries(rendered)) out[`values.${k}`] = v
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
      for (const b of this.child(children[1], [...path, 'generators', 1], a, depth)) {
        if (out.length >= MAX_PARAM_SETS) {
          throw new GenerationError(
            `the matrix yields more than ${MAX_PARAM_SETS} parameter sets: not evaluated offline`,
            path,
          )
        }
        if (this.t.goTemplate) out.push(mergeOverride(mergeOverride({}, b as JsonObject), a as JsonObject))
        else {
          const res: Params = {}
          for (const [k, v] of Object.entries(a)) res[k] = goString(v)
          for (const [k, v] of Object.entries(b)) {
            const s = goString(v)
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
   * InterpolateGenerator: every string of the child generator rendered with the first child's params; a generator's
   * `values` entries are rendered with missingkey=error in goTemplate mode and kept as written on a missing key.
   */
  private interpolate(g: JsonObject, params: Params, path: Path): JsonObject {
    const skip = (p: Path): Json | undefined => {
      if (p.length !== 2 || p[1] !== 'values' || !isObject(g[p[0] as string])) return undefined
      const values = (g[p[0] as string] as JsonObject).values
      if (!isObject(values)) return undefined
      const out: JsonObject = {}
      const strict: Templating = this.t.goTemplate
        ? {goTemplate: true, options: {...this.t.options, missingKey: 'error'}}
        : this.t
      for (const [k, v] of Object.entries(values)) {
        if (typeof v !== 'string') {
          out[k] = v
          continue
        }
        try {
          out[k] = replace(v, params, strict)
        } catch (e) {
          if (!/map has no entry for key|can't evaluate field|no entry for key/.test((e as Error).message)) throw e
          out[k] = v
        }
      }
      return out
    }
    try {
      return renderStrings(g, params, this.t, skip) as JsonObject
    } catch (e) {
      if (e instanceof TemplateError)
        throw new GenerationError(`failed to replace parameters in generator: ${e.message}`, path)
      throw e
    }
  }
}

/** The directories of a fresh checkout (the ancestors of tracked files), walked like filepath.WalkDir, hidden skipped. */
export function checkoutDirectories(tracked: readonly string[]): string[] {
  const dirs = new Set<string>()
  for (const f of tracked) {
    const parts = f.split('/')
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'))
  }
  const visible = [...dirs].filter((d) => !d.split('/').some((s) => s.startsWith('.')))
  // WalkDir order: depth first, entries of a directory in lexical order.
  return visible.sort((a, b) => {
    const pa = a.split('/')
    const pb = b.split('/')
    for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
      if (pa[i] !== pb[i]) return pa[i] < pb[i] ? -1 : 1
    }
    return pa.length - pb.length
  })
}

/** A generator's `selector` (matchLabels, matchExpressions) on the flattened params. */
function selects(selector: Json, params: Params, path: Path): boolean {
  if (!isObject(selector)) throw new GenerationError('error parsing label selector: not a map', path)
  const flat = flattenParams(params, goString)
  const labels = isObject(selector.matchLabels) ? selector.matchLabels : {}
  for (const [k, v] of Object.entries(labels)) if (flat[k] !== String(v)) return false
  for (const expr of Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) {
    if (!isObject(expr)) throw new GenerationError('error parsing label selector: bad expression', path)
    const key = String(expr.key ?? '')
    const values = Array.isArray(expr.values) ? expr.values.map(String) : []
    const has = Object.hasOwn(flat, key)
    switch (expr.operator) {
      case 'In':
        if (!has || !values.includes(flat[key])) return false
        break
      case 'NotIn':
        if (has && values.includes(flat[key])) return false
        break
      case 'Exists':
        if (!has) return false
        break
      case 'DoesNotExist':
        if (has) return false
        break
      default:
        throw new GenerationError(
          `error parsing label selector: ${String(expr.operator)} is not a valid label selector operator`,
          path,
        )
    }
  }
  return true
}

export {MISSING}
