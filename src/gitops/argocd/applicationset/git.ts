/**
 * The git generator over this checkout (argo-cd applicationset/generators/git.go, value_interpolation.go): files
 * listed as the repo-server's `git ls-files` lists them, each read with sigs.k8s.io/yaml by the engine (YAML 1.1:
 * `yes` is true, `0755` is 493), or directories matched with Go's path.Match; the path parameters from Go's `path`
 * and SanitizeName; the generator's `values` rendered with each set.
 */
import type {ExpansionContext} from '../../model/types.js'
import {GenerationError, NotEvaluable, type Path} from './errors.js'
import {goPathMatch, pathspecMatches} from './match.js'
import {flattenParams, isObject, type Json, type JsonObject} from './merge.js'
import {replaceAll, sprintAll, type Params, type Templating} from './templating.js'

export function gitParams(ctx: ExpansionContext, t: Templating, spec: JsonObject, path: Path): Params[] {
  const repoURL = typeof spec.repoURL === 'string' ? spec.repoURL : ''
  if (!repoURL) throw new GenerationError('git.repoURL is required', [...path, 'repoURL'])
  if (!ctx.isThisRepository(repoURL)) {
    throw new NotEvaluable('git', `repoURL ${repoURL} is another repository: it is never fetched`, [...path, 'repoURL'])
  }
  const prefix = typeof spec.pathParamPrefix === 'string' ? spec.pathParamPrefix : ''
  const values = isObject(spec.values) ? spec.values : {}
  const dirs = Array.isArray(spec.directories) && spec.directories.length > 0 ? spec.directories : undefined
  const files = Array.isArray(spec.files) && spec.files.length > 0 ? spec.files : undefined
  let sets: Params[]
  if (dirs) sets = directories(ctx, t, dirs, prefix)
  else if (files) sets = filesParams(ctx, t, files, prefix, path)
  else throw new GenerationError('git generator needs directories or files', path)
  return withValues(t, sets, values, [...path, 'values'])
}

/** generateParamsForGitFiles: ls-files per include pattern, minus excludes, sorted; one set per object found. */
function filesParams(ctx: ExpansionContext, t: Templating, items: Json[], prefix: string, path: Path): Params[] {
  const include = new Set<string>()
  const patterns = items.filter(isObject)
  for (const item of patterns.filter((i) => i.exclude !== true)) {
    for (const f of ctx.trackedFiles) if (pathspecMatches(String(item.path ?? ''), f)) include.add(f)
  }
  for (const item of patterns.filter((i) => i.exclude === true)) {
    for (const f of [...include]) if (pathspecMatches(String(item.path ?? ''), f)) include.delete(f)
  }
  const files = [...include].sort()
  const texts = files.map((file) => {
    const text = ctx.readText(file)
    if (text === undefined) throw new GenerationError(`unable to process file '${file}': it cannot be read`, path)
    return text
  })
  const read = t.engine.yaml(texts)
  const found: Array<{file: string; object: JsonObject}> = []
  files.forEach((file, i) => {
    const r = read[i]
    const fail = (why: string) => {
      throw new GenerationError(`unable to process file '${file}': unable to parse file: ${why}`, path)
    }
    if ('error' in r) return fail(r.error)
    // yaml.Unmarshal into a map (an empty file too), else into a list of maps.
    const v = r.value
    if (v === null || isObject(v)) found.push({file, object: (v ?? {}) as JsonObject})
    else if (Array.isArray(v) && v.every((e) => e === null || isObject(e)))
      for (const e of v) found.push({file, object: (e ?? {}) as JsonObject})
    else fail('the file is neither a map nor a list of maps')
  })
  return pathParams(t, found, prefix, true)
}

/** generateParamsForGitDirectories: every directory of the checkout (hidden ones skipped), path.Match. */
function directories(ctx: ExpansionContext, t: Templating, items: Json[], prefix: string): Params[] {
  const patterns = items.filter(isObject)
  const dirs = checkoutDirectories(ctx.trackedFiles).filter((dir) => {
    let include = false
    let exclude = false
    for (const p of patterns) {
      if (!goPathMatch(String(p.path ?? ''), dir)) continue
      if (p.exclude === true) exclude = true
      else include = true
    }
    return include && !exclude
  })
  return pathParams(
    t,
    dirs.map((file) => ({file, object: {}})),
    prefix,
    false,
  )
}

/** The `path` parameters of each file (or directory) found, with the object's own keys (flattened in fasttemplate). */
function pathParams(
  t: Templating,
  found: ReadonlyArray<{file: string; object: JsonObject}>,
  prefix: string,
  isFile: boolean,
): Params[] {
  const info = t.engine.paths(found.map((f) => f.file))
  const dirs = found.map((f, i) => (isFile ? info[i].dir : f.file))
  const dirInfo = t.engine.paths(dirs)
  const flat = t.goTemplate
    ? []
    : flatten(
        t,
        found.map((f) => f.object),
      )
  return found.map((f, i) => {
    const dir = dirs[i]
    const base = dirInfo[i].base
    if (t.goTemplate) {
      const p: Params = {...f.object}
      const own: Params = {path: dir, basename: base}
      if (isFile) own.filename = info[i].base
      own.basenameNormalized = dirInfo[i].normalized
      if (isFile) own.filenameNormalized = info[i].normalized
      own.segments = dir.split('/')
      if (prefix) p[prefix] = {path: own}
      else p.path = own
      return p
    }
    const p: Params = {...flat[i]}
    const name = prefix ? `${prefix}.path` : 'path'
    p[name] = dir
    p[`${name}.basename`] = base
    if (isFile) p[`${name}.filename`] = info[i].base
    p[`${name}.basenameNormalized`] = dirInfo[i].normalized
    if (isFile) p[`${name}.filenameNormalized`] = info[i].normalized
    dir.split('/').forEach((seg, k) => {
      if (seg !== '') p[`${name}[${k}]`] = seg
    })
    return p
  })
}

/** jeremywohl/flatten DotStyle, each leaf printed with `%v` by the engine (one call for all objects). */
export function flatten(t: Templating, objects: readonly unknown[]): Array<Record<string, string>> {
  const leaves = objects.map((o) => flattenParams(o))
  const printed = sprintAll(
    leaves.flatMap((l) => Object.values(l)),
    t.engine,
  )
  let k = 0
  return leaves.map((l) => Object.fromEntries(Object.keys(l).map((key) => [key, printed[k++]])))
}

/**
 * value_interpolation.go appendTemplatedValues: each `values` entry rendered with the set it joins (never with the
 * other values), added as `values` (goTemplate) or `values.<key>`. `failure`: the message's prefix on an error.
 */
export function withValues(
  t: Templating,
  sets: Params[],
  values: JsonObject,
  path: Path,
  failure = 'failed to append templated values',
): Params[] {
  const entries = Object.entries(values)
  if (entries.length === 0 || sets.length === 0) return sets
  const texts = sprintAll(
    entries.map(([, v]) => v),
    t.engine,
  )
  const rendered = replaceAll(texts, sets, t)
  return sets.map((params, s) => {
    const own: Record<string, string> = {}
    entries.forEach(([k], i) => {
      const r = rendered[s][i]
      if ('error' in r) throw new GenerationError(`${failure}: ${r.error}`, [...path, k])
      own[k] = r.value
    })
    if (t.goTemplate) return {...params, values: own}
    const out = {...params}
    for (const [k, v] of Object.entries(own)) out[`values.${k}`] = v
    return out
  })
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
