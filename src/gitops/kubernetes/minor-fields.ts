/**
 * The fields a cluster's Kubernetes minor does not know, in an object of a built-in kind: each kind's fields per minor,
 * from Kubernetes' own OpenAPI v3 documents of each release (dist/kubernetes/openapi-fields.json, by
 * scripts/kube-openapi.mjs). The API server's strict field validation (`kubectl apply`'s default) refuses such a field:
 * a misspelt `replcas`, or `spec.trafficDistribution` on a Service of a 1.29 cluster. The one owner of unknown fields
 * of built-in kinds (the kubernetes-models validators of ./schema.ts check types, formats and required fields, and let
 * unknown fields through); of a kind with no such validator (a beta API such as `resource.k8s.io/v1beta1`), also of
 * its values' JSON types and its required fields, from the same documents.
 */
import {readFileSync} from '../../core/memory-fs/index.js'
import {packagePath} from '../../core/package-root.js'

/** One thing the API server would refuse of an object. */
export interface SchemaViolation {
  /** JSON pointer into the object, e.g. `/spec/template/spec/containers/0/ports/0/containerPort`. */
  pointer: string
  message: string
}

/**
 * A field's shape: the definition it names, [items] for a list, {"*": values} for a map, a value's JSON type
 * (VALUE_TYPES; 0: any value, such as int-or-string).
 */
type Shape = string | [Shape] | {'*': Shape} | number
type Fields = Record<string, Shape>

/** The JSON types of values, by their code in the table (scripts/kube-openapi.mjs). */
const VALUE_TYPES: Record<number, {name: string; is: (v: unknown) => boolean}> = {
  1: {name: 'a string', is: (v) => typeof v === 'string'},
  2: {name: 'an integer', is: (v) => Number.isInteger(v)},
  3: {name: 'a number', is: (v) => typeof v === 'number'},
  4: {name: 'a boolean', is: (v) => typeof v === 'boolean'},
}

interface Minor {
  release: string
  /** `group/version/Kind` (core: `v1/Kind`) → its definition. */
  kinds: Record<string, string>
  /** Definition → index into the table's shapes. */
  definitions: Record<string, number>
}

interface Table {
  minors: Record<string, Minor>
  shapes: Fields[]
  /** Shape index → the fields that definition requires (absent: none; a table of an older build: none said). */
  required?: Record<string, string[]>
}

let table: Table | null | undefined

function load(): Table | null {
  if (table === undefined) {
    try {
      table = JSON.parse(readFileSync(packagePath('dist/kubernetes/openapi-fields.json')).toString('utf8')) as Table
    } catch {
      table = null
    }
  }
  return table
}

/**
 * The kinds each minor's OpenAPI document defines (`group/version/Kind`, core `v1/Kind`), by minor in release order;
 * undefined when the build holds none. What that release's API server serves (./apis.ts).
 */
export function kindsByMinor(): ReadonlyArray<{minor: string; kinds: Record<string, string>}> | undefined {
  const t = load()
  if (!t) return undefined
  byMinor ??= Object.entries(t.minors)
    .map(([minor, {kinds}]) => ({minor, kinds}))
    .sort((a, b) => Number(a.minor.split('.')[1]) - Number(b.minor.split('.')[1]))
  return byMinor
}
let byMinor: ReadonlyArray<{minor: string; kinds: Record<string, string>}> | undefined

/** The fields of definition `name` in `minor` (undefined: free-form, or no such definition). */
const fieldsOf = (t: Table, minor: Minor, name: string): Fields | undefined => {
  const at = minor.definitions[name]
  return at === undefined ? undefined : t.shapes[at]
}

/**
 * The fields of `obj` its kind's schema in `minor` does not have, where that schema lists its fields (a free-form
 * part, RawExtension or `x-kubernetes-preserve-unknown-fields`, takes any); undefined when the build holds no fields of
 * `minor`. A kind the minor does not serve has none here (its apiVersion is the finding: ../render/judge.ts).
 */
export function unknownFields(obj: ObjectOfKind, minor: string): SchemaViolation[] | undefined {
  const t = load()
  const theirs = t?.minors[minor]
  if (!t || !theirs) return undefined
  return walk(t, theirs, obj, minor, false)
}

/**
 * Everything `minor`'s OpenAPI document says the API server refuses of `obj`, for a kind with no other validator:
 * unknown fields, a value of the wrong JSON type (a number where a string goes: its JSON decoding fails), a required
 * field missing. Undefined when the minor defines no such kind (or the build holds no fields of it).
 */
export function minorViolations(obj: ObjectOfKind, minor: string): SchemaViolation[] | undefined {
  const t = load()
  const theirs = t?.minors[minor]
  if (!t || !theirs || theirs.kinds[`${obj.apiVersion}/${obj.kind}`] === undefined) return undefined
  return walk(t, theirs, obj, minor, true)
}

type ObjectOfKind = {apiVersion: string; kind: string; body: unknown}

/** The walk of `obj` against its kind in `theirs`: unknown fields, and with `values` its values' types and required fields. */
function walk(t: Table, theirs: Minor, obj: ObjectOfKind, minor: string, values: boolean): SchemaViolation[] {
  const kind = `${obj.apiVersion}/${obj.kind}`
  const definition = theirs.kinds[kind]
  if (definition === undefined) return []
  const found: SchemaViolation[] = []
  const fieldsNamed = (name: string) => fieldsOf(t, theirs, name)
  // Depth first, in the object's key order, with a stack of its own: a revision's object may nest as deep as YAML lets
  // it (a CRD's schema a thousand levels down), past what recursion would hold. The pointer's segments and the field
  // names on the way are kept as the walk goes (a pointer is made for a finding); a `leave` task pops them.
  const [path, steps]: [string[], string[]] = [[], []]
  const tasks: Task[] = [{value: obj.body, shape: definition}]
  for (let task = tasks.pop(); task !== undefined; task = tasks.pop()) {
    if ('leave' in task) {
      if (task.leave.segment) path.pop()
      if (task.leave.step) steps.pop()
      continue
    }
    if (task.segment !== undefined) path.push(task.segment)
    if (task.step !== undefined) steps.push(task.step)
    tasks.push({leave: {segment: task.segment !== undefined, step: task.step !== undefined}})
    if (task.unknown) found.push({pointer: pointerOf(path), message: unknownField(t, kind, steps, minor)})
    else {
      if (values) {
        const wrong = valueViolations(task, path, fieldsNamed, (name) => requiredOf(t, theirs, name))
        found.push(...wrong.map((why) => ({...why, message: `${why.message} (${kind} of Kubernetes ${minor})`})))
        if (wrong.length > 0 && wrong[0]!.type) continue
      }
      const children = childrenOf(task.value, task.shape, fieldsNamed)
      for (let i = children.length - 1; i >= 0; i--) tasks.push(children[i]!)
    }
  }
  return found
}

type Visit = {value: unknown; shape: Shape; segment?: string; step?: string; unknown?: true}
type Task = Visit | {leave: {segment: boolean; step: boolean}}

/** What the walk visits next under `value`: list items, map values, and each field (known, or an unknown one). */
function childrenOf(value: unknown, shape: Shape, fieldsNamed: (name: string) => Fields | undefined): Visit[] {
  if (value === null || typeof value !== 'object') return []
  if (Array.isArray(shape))
    return Array.isArray(value) ? value.map((v, i) => ({value: v, shape: shape[0]!, segment: String(i)})) : []
  if (isMap(shape)) return Object.entries(value).map(([k, v]) => ({value: v, shape: shape['*'], segment: k}))
  const fields = typeof shape === 'string' && !Array.isArray(value) ? fieldsNamed(shape) : undefined
  if (!fields) return []
  return Object.entries(value).map(([k, v]) =>
    Object.hasOwn(fields, k)
      ? {value: v, shape: fields[k]!, segment: k, step: k}
      : {value: undefined, shape: 0, segment: k, step: k, unknown: true},
  )
}

/**
 * What is wrong with a visited value itself: its JSON type (`type`: the walk goes no deeper), or, an object of a
 * definition, the required fields it lacks (null is absent: the API server reads it as the zero value).
 */
function valueViolations(
  visit: Visit,
  path: readonly string[],
  fieldsNamed: (name: string) => Fields | undefined,
  requiredNamed: (name: string) => readonly string[] | undefined,
): Array<SchemaViolation & {type?: true}> {
  const {value, shape} = visit
  if (value === null || value === undefined) return []
  const expected = expectedType(shape, fieldsNamed)
  if (expected && !expected.is(value))
    return [{pointer: pointerOf(path), message: `must be ${expected.name}, not ${jsonType(value)}`, type: true}]
  if (typeof shape !== 'string') return []
  const body = value as Record<string, unknown>
  return (requiredNamed(shape) ?? [])
    .filter((field) => body[field] === undefined || body[field] === null)
    .map((field) => ({pointer: pointerOf([...path, field]), message: `required field "${field}" is missing`}))
}

const isObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v)
const LIST = {name: 'a list', is: Array.isArray}
const OBJECT = {name: 'an object', is: isObject}

/** The JSON type a shape takes (undefined: any). */
function expectedType(shape: Shape, fieldsNamed: (name: string) => Fields | undefined) {
  if (typeof shape === 'number') return VALUE_TYPES[shape]
  if (Array.isArray(shape)) return LIST
  if (isMap(shape) || fieldsNamed(shape)) return OBJECT
  return undefined
}

const jsonType = (v: unknown) =>
  Array.isArray(v) ? 'a list' : isObject(v) ? 'an object' : typeof v === 'string' ? 'a string' : `a ${typeof v}`

/** The fields definition `name` requires in `minor`. */
const requiredOf = (t: Table, minor: Minor, name: string): readonly string[] | undefined => {
  const at = minor.definitions[name]
  return at === undefined ? undefined : t.required?.[at]
}

const isMap = (s: Shape): s is {'*': Shape} => typeof s === 'object' && !Array.isArray(s)
const pointerOf = (segments: readonly string[]) =>
  segments.map((s) => `/${s.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('')

/** Whether `minor`'s schema of `kind` has the field at `steps` (names of fields, lists and maps passed through). */
function knows(t: Table, minor: Minor, kind: string, steps: readonly string[]): boolean {
  let shape: Shape | undefined = minor.kinds[kind]
  for (const step of steps) {
    while (Array.isArray(shape) || isMap(shape!)) shape = Array.isArray(shape) ? shape[0] : (shape as {'*': Shape})['*']
    const fields: Fields | undefined = typeof shape === 'string' ? fieldsOf(t, minor, shape) : undefined
    if (!fields || !Object.hasOwn(fields, step)) return false
    shape = fields[step]
  }
  return true
}

/** What the API server says, and which minors of the window know the field. */
function unknownField(t: Table, kind: string, steps: readonly string[], minor: string): string {
  const knowing = Object.keys(t.minors).filter((m) => knows(t, t.minors[m], kind, steps))
  const others =
    knowing.length === 0 ? '' : `; Kubernetes ${knowing.join(', ')} ${knowing.length > 1 ? 'have' : 'has'} it`
  return `unknown field "${steps.at(-1)}": ${kind} of Kubernetes ${minor} (${t.minors[minor].release}) has no such field, and the API server's strict field validation (kubectl apply's default) refuses it${others}`
}
