/**
 * The schema of built-in kinds, per Kubernetes minor, from Kubernetes' own sources of each release
 * (dist/kubernetes/openapi-fields.json, by scripts/kube-openapi.mjs): each kind's fields, their values' JSON types and
 * the formats the API server's decoding holds them to, the values of enum fields, the required fields. The one owner
 * of what the API server refuses of a built-in kind's object before admission: a misspelt `replcas` or
 * `spec.trafficDistribution` on a Service of a 1.29 cluster (its strict field validation, `kubectl apply`'s default),
 * `port: "80"` or 3000000000 where an int32 goes, a Secret's `data` that is not base64, a Quantity or a time that does
 * not parse (its JSON decoding), `imagePullPolicy: Sometimes` (an enum), a container without `name` (required).
 */
import {readFileSync} from '../../core/memory-fs/index.js'
import {packagePath} from '../../core/package-root.js'
import {FORMATS, type ValueType} from './formats.js'

/** One thing the API server would refuse of an object. */
export interface SchemaViolation {
  /** JSON pointer into the object, e.g. `/spec/template/spec/containers/0/ports/0/containerPort`. */
  pointer: string
  message: string
}

/**
 * A field's shape: the definition it names, [items] for a list, {"*": values} for a map, {enum: values} for a string
 * of those values, a value's code (VALUE_TYPES; 0: any value).
 */
type Shape = string | [Shape] | {'*': Shape} | {enum: string[]} | number
type Fields = Record<string, Shape>

/** The values of each code in the table (scripts/kube-openapi.mjs): a JSON type, or a format (./formats.ts). */
const VALUE_TYPES: Record<number, ValueType> = {
  1: {name: 'a string', is: (v) => typeof v === 'string'},
  2: {name: 'an integer', is: (v) => Number.isInteger(v)},
  3: {name: 'a number', is: (v) => typeof v === 'number'},
  4: {name: 'a boolean', is: (v) => typeof v === 'boolean'},
  5: FORMATS.int32,
  6: FORMATS.int64,
  7: FORMATS.byte,
  8: FORMATS.dateTime,
  9: FORMATS.quantity,
  10: FORMATS.intOrString,
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
 * Everything `minor`'s schema says the API server refuses of `obj`: unknown fields, a value of the wrong JSON type or
 * format (its JSON decoding fails), a value outside its enum, a required field missing. `unknown`: the minor defines
 * no such kind (a custom resource's); `unbuilt`: this build holds no schema of `minor`.
 */
export function minorViolations(obj: ObjectOfKind, minor: string): SchemaViolation[] | 'unknown' | 'unbuilt' {
  const t = load()
  const theirs = t?.minors[minor]
  if (!t || !theirs) return 'unbuilt'
  if (theirs.kinds[`${obj.apiVersion}/${obj.kind}`] === undefined) return 'unknown'
  return walk(t, theirs, obj, minor)
}

type ObjectOfKind = {apiVersion: string; kind: string; body: unknown}

/** The walk of `obj` against its kind in `theirs`: unknown fields, its values' types, formats and enums, required fields. */
function walk(t: Table, theirs: Minor, obj: ObjectOfKind, minor: string): SchemaViolation[] {
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
      const wrong = valueViolations(task, path, fieldsNamed, (name) => requiredOf(t, theirs, name))
      found.push(...wrong.map((why) => ({...why, message: `${why.message} (${kind} of Kubernetes ${minor})`})))
      if (wrong.length > 0 && wrong[0]!.type) continue
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
 * What is wrong with a visited value itself: its JSON type or format (`type`: the walk goes no deeper), a string
 * outside its enum, or, an object of a definition, the required fields it lacks (null is absent: the API server reads
 * it as the zero value).
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
  const wrong = expected && (expected.is(value) ? expected.misfit?.(value) : `, not ${jsonType(value)}`)
  if (wrong) return [{pointer: pointerOf(path), message: `must be ${expected!.name}${wrong}`, type: true}]
  if (isEnum(shape)) return enumViolations(shape.enum, value as string, path)
  if (typeof shape !== 'string') return []
  const body = value as Record<string, unknown>
  return (requiredNamed(shape) ?? [])
    .filter((field) => body[field] === undefined || body[field] === null)
    .map((field) => ({pointer: pointerOf([...path, field]), message: `required field "${field}" is missing`}))
}

/**
 * A string outside its enum, as the API server's validation refuses it ("Unsupported value"). The empty string is
 * the field unset (its default is taken); a status is not validated on create or update of the object.
 */
function enumViolations(values: readonly string[], value: string, path: readonly string[]): SchemaViolation[] {
  if (value === '' || values.includes(value) || path[0] === 'status') return []
  const supported = values.filter((v) => v !== '').map((v) => JSON.stringify(v))
  return [
    {pointer: pointerOf(path), message: `unsupported value ${JSON.stringify(value)}: one of ${supported.join(', ')}`},
  ]
}

const isObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v)
const LIST: ValueType = {name: 'a list', is: Array.isArray}
const OBJECT: ValueType = {name: 'an object', is: isObject}

/** The type a shape takes (undefined: any). */
function expectedType(shape: Shape, fieldsNamed: (name: string) => Fields | undefined): ValueType | undefined {
  if (typeof shape === 'number') return VALUE_TYPES[shape]
  if (Array.isArray(shape)) return LIST
  if (isEnum(shape)) return VALUE_TYPES[1]
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

const isMap = (s: Shape): s is {'*': Shape} => typeof s === 'object' && !Array.isArray(s) && '*' in s
const isEnum = (s: Shape): s is {enum: string[]} => typeof s === 'object' && !Array.isArray(s) && 'enum' in s
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
