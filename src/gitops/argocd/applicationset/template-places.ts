/**
 * The places of this repository an ApplicationSet's Applications can read, whatever its generators' parameters are:
 * each template's sources (a source's `path` folder, `$ref/…` value files, jsonnet libraries, a Source Hydrator's dry
 * source; `spec.template` and every generator's own `template`) and its git generators' files and directories. A
 * template string is a pattern: each `{{ … }}` stands for any text, but a source path that is wholly a git
 * directories generator's folder is that generator's places (gitDirectoryPath). Sources and git generators of a repository that is
 * literally another read nothing here. Unbounded: a `templatePatch` (it can set any source), a conditional or loop in a
 * place (its text is not a pattern), a `..`, a source at the repository's root.
 */
import {goPathMatch, pathspecMatches} from './match.js'
import {isObject, type Json, type JsonObject} from './merge.js'

export interface Matcher {
  test(file: string): boolean
}

/** Folders (every file under one, at any depth) and single files. */
export interface Places {
  folders: Matcher[]
  files: Matcher[]
}

/** Thrown inside: a place that is not bounded (but read as Argo CD's source types read). */
class Unbounded extends Error {}
/** Thrown inside: a file named wholly by a parameter (a value file): any file of the revision. */
class Anything extends Error {}

export function templatePlaces(doc: unknown, elsewhere: (url: string) => boolean): Places | 'unbounded' | 'anything' {
  const spec = isObject(doc) ? doc.spec : undefined
  if (!isObject(spec) || mentionsKey(spec, 'templatePatch')) return 'anything'
  const places: Places = {folders: [], files: []}
  try {
    const templates = templatesOf(spec)
    // A config-management plugin reads whatever it likes.
    if (templates.some((t) => mentionsKey(t, 'plugin'))) return 'anything'
    const gitFolder = gitDirectoryPath(spec, elsewhere)
    for (const template of templates) templateSources(template, elsewhere, places, gitFolder)
    for (const git of objectsUnder(spec.generators, 'git')) gitGeneratorPlaces(git, elsewhere, places)
  } catch (error) {
    if (error instanceof Anything) return 'anything'
    if (error instanceof Unbounded) return 'unbounded'
    throw error
  }
  return places
}

/** `spec.template` and every generator's `template` (matrix and merge children included). */
function templatesOf(spec: JsonObject): JsonObject[] {
  const own = isObject(spec.template) ? [spec.template] : []
  return [...own, ...objectsUnder(spec.generators, 'template')]
}

function templateSources(
  template: JsonObject,
  elsewhere: (url: string) => boolean,
  places: Places,
  gitFolder: (path: Json | undefined) => boolean,
): void {
  const spec = isObject(template.spec) ? template.spec : undefined
  if (!spec) return
  const sources = [spec.source, ...(Array.isArray(spec.sources) ? spec.sources : [])].filter(isObject)
  const hydrator = isObject(spec.sourceHydrator) ? spec.sourceHydrator.drySource : undefined
  if (isObject(hydrator)) sources.push(hydrator)
  const here = (s: JsonObject) => !(typeof s.repoURL === 'string' && elsewhere(s.repoURL))
  // `$name/…` value files read the source whose `ref` is name: unknown or templated names may be this repository.
  const refsElsewhere = new Set(sources.filter((s) => typeof s.ref === 'string' && !here(s)).map((s) => s.ref))
  for (const source of sources) {
    const chart = typeof source.chart === 'string' && source.chart !== ''
    const refOnly = source.ref !== undefined && source.path === undefined && !chart
    if (here(source) && !chart && !refOnly) sourcePlaces(source, places, gitFolder(source.path))
    for (const file of stringsAt(source, ['helm', 'valueFiles'])) {
      const ref = /^\$([^/]*)\/(.*)$/.exec(file)
      if (ref && !refsElsewhere.has(ref[1])) places.files.push(named(ref[2]))
    }
  }
}

/**
 * A source of this repository: its folder, its jsonnet libraries; what it names relative to its folder (value files,
 * file parameters, kustomize components) stays inside unless it climbs out (`..`: unbounded) or starts at the root.
 */
function sourcePlaces(source: JsonObject, places: Places, aGitFolder: boolean): void {
  // A git directories generator's folder is among its own places (gitGeneratorPlaces), whatever else is generated.
  if (!aGitFolder) places.folders.push(folder(text(source.path)))
  for (const lib of stringsAt(source, ['directory', 'jsonnet', 'libs'])) places.folders.push(folder(lib))
  const inside = [
    ...stringsAt(source, ['helm', 'valueFiles']).filter((f) => !f.startsWith('$') && !/^https?:\/\//.test(f)),
    ...fileParameters(source),
    ...stringsAt(source, ['kustomize', 'components']),
  ]
  for (const file of inside) {
    named(file)
    if (file.startsWith('/')) places.files.push(named(file.replace(/^\/+/, '')))
  }
}

/**
 * Whether a source's `path` is wholly a git directories generator's folder (`{{path}}`, `{{path.path}}`,
 * `{{.path.path}}`, under its `pathParamPrefix`): so where every git generator lists directories of this repository
 * and no generator can set that parameter otherwise — a list element naming it, a plugin or a duck-typed resource
 * (any parameters); clusters, SCM providers and pull requests name their own — merged or crossed in a matrix.
 */
function gitDirectoryPath(spec: JsonObject, elsewhere: (url: string) => boolean): (path: Json | undefined) => boolean {
  const gits = objectsUnder(spec.generators, 'git')
  const prefixes = new Set(gits.map((g) => (typeof g.pathParamPrefix === 'string' ? g.pathParamPrefix : '')))
  const [prefix] = [...prefixes]
  const directoriesHere = (g: JsonObject) =>
    Array.isArray(g.directories) &&
    g.directories.length > 0 &&
    (g.files === undefined || g.files === null) &&
    !(typeof g.repoURL === 'string' && elsewhere(g.repoURL))
  const key = prefix ? `${prefix}.path` : 'path'
  const root = key.split('.')[0]
  const setElsewhere =
    objectsUnder(spec.generators, 'plugin').length + objectsUnder(spec.generators, 'clusterDecisionResource').length >
      0 ||
    objectsUnder(spec.generators, 'list').some(
      (l) =>
        l.elementsYaml !== undefined ||
        !Array.isArray(l.elements) ||
        l.elements.some((e) => !isObject(e) || root in e || key in e),
    )
  if (gits.length === 0 || prefixes.size !== 1 || !gits.every(directoriesHere) || setElsewhere) return () => false
  const goTemplate = spec.goTemplate === true
  const names = goTemplate ? [`.${key}.path`] : [key, `${key}.path`]
  return (path) => {
    const action = typeof path === 'string' ? /^\{\{-?\s*([^{}]*?)\s*-?\}\}$/.exec(path) : null
    return action !== null && names.includes(action[1])
  }
}

/** A git generator of this repository: its files' pathspecs, its directories' matches (any ancestor folder). */
function gitGeneratorPlaces(git: JsonObject, elsewhere: (url: string) => boolean, places: Places): void {
  if (typeof git.repoURL === 'string' && elsewhere(git.repoURL)) return
  for (const item of (Array.isArray(git.files) ? git.files : []).filter(isObject)) {
    const spec = bounded(text(item.path))
    places.files.push({test: (f) => pathspecMatches(spec, f)})
  }
  for (const item of (Array.isArray(git.directories) ? git.directories : []).filter(isObject)) {
    const spec = bounded(text(item.path))
    places.folders.push({test: (f) => ancestors(f).some((dir) => goPathMatch(spec, dir))})
  }
}

const ancestors = (f: string) =>
  f
    .split('/')
    .slice(0, -1)
    .map((_, i, parts) => parts.slice(0, i + 1).join('/'))

/** A folder's files at any depth; the repository's root is unbounded. */
function folder(place: string): Matcher {
  const parts = parse(place.replace(/^\.\/+/, '').replace(/\/+$/, ''))
  if (parts.length === 1 && (parts[0] === '' || parts[0] === '.')) throw new Unbounded()
  const below = [...parts.slice(0, -1), `${parts.at(-1)}/`, '']
  return {test: (f) => starMatch(parts, f) || starMatch(below, f)}
}

/** A file a source reads by name (a value file): one whose name is a parameter may be any file. */
function named(place: string): Matcher {
  const parts = parse(place.replace(/^\.\/+/, ''))
  const name = parts.at(-1)!
  if (parts.length > 1 && !/[^/]\.[^/]+$/.test(name)) throw new Anything()
  return {test: (f) => starMatch(parts, f)}
}

/** A literal place (a git generator's pathspec): a template in it is not bounded here. */
function bounded(place: string): string {
  if (place.includes('{{') || /(^|\/)\.\.(\/|$)/.test(place)) throw new Unbounded()
  return place
}

/** Control actions (`if`, `range`, …) choose text: no pattern. */
const CONTROL = /^-?\s*(if|else|range|with|end|define|template|block|break|continue)\b/

/** The literal parts of a template string, each `{{ … }}` a wildcard between two of them. */
function parse(place: string): string[] {
  if (/(^|\/)\.\.(\/|$)/.test(place)) throw new Unbounded()
  const parts: string[] = []
  let rest = place
  for (;;) {
    const open = rest.indexOf('{{')
    if (open < 0) break
    const close = rest.indexOf('}}', open + 2)
    if (close < 0) throw new Unbounded()
    if (CONTROL.test(rest.slice(open + 2, close).trim())) throw new Unbounded()
    parts.push(rest.slice(0, open))
    rest = rest.slice(close + 2)
  }
  parts.push(rest)
  return parts
}

/** Whether `s` is parts[0] + any + parts[1] + … + any + parts[n-1]: leftmost matches, linear (no backtracking). */
export function starMatch(parts: readonly string[], s: string): boolean {
  if (parts.length === 1) return s === parts[0]
  const first = parts[0]
  const last = parts.at(-1)!
  if (!s.startsWith(first) || s.length < first.length + last.length || !s.endsWith(last)) return false
  let at = first.length
  const end = s.length - last.length
  for (const part of parts.slice(1, -1)) {
    const found = s.indexOf(part, at)
    if (found < 0 || found + part.length > end) return false
    at = found + part.length
  }
  return true
}

const fileParameters = (source: JsonObject): string[] => {
  const helm = isObject(source.helm) ? source.helm : {}
  return (Array.isArray(helm.fileParameters) ? helm.fileParameters : []).filter(isObject).map((p) => text(p.path))
}

const text = (v: Json | undefined): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : '{{}}')

/** The strings at a path of keys under `o` (a list's items, or the one string). */
function stringsAt(o: JsonObject, keys: readonly string[]): string[] {
  let v: Json | undefined = o
  for (const k of keys) v = isObject(v) ? v[k] : undefined
  if (typeof v === 'string') return [v]
  return Array.isArray(v) ? v.map((e) => text(e)) : []
}

/** Every object under `node` at a key `key` (at any depth). */
function objectsUnder(node: Json | undefined, key: string, depth = 0): JsonObject[] {
  if (depth > 16) throw new Unbounded()
  if (node === null || typeof node !== 'object') return []
  const children = Array.isArray(node) ? node : Object.values(node)
  const own = !Array.isArray(node) && isObject(node[key]) ? [node[key]] : []
  return [...own, ...children.flatMap((c) => objectsUnder(c, key, depth + 1))]
}

function mentionsKey(node: Json | undefined, key: string, depth = 0): boolean {
  if (depth > 32) return true
  if (node === null || typeof node !== 'object') return false
  if (!Array.isArray(node) && node[key] !== undefined) return true
  return (Array.isArray(node) ? node : Object.values(node)).some((c) => mentionsKey(c, key, depth + 1))
}
