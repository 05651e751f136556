/**
 * Custom resources checked as the API server checks them, once every deployable of a revision is judged: each object
 * of a kind with no built-in schema against the CRD that defines it — one rendered by any deployable (a chart's
 * crds/, another Application's folder), else one the revision's files hold, else the built-in catalog's
 * (../kubernetes/crd-catalog.ts) — and each rendered CRD as a create of it would be, by the render module's apiextensions-apiserver (effects/render-module/kube-validate.ts). A kind no CRD
 * defines is said (`schema-unknown`), never passed silently; a validation that could not run is said for each object
 * it left unchecked.
 */
import type {KubeFieldError, KubeValidator} from '../../effects/render-module/kube-validate.js'
import {finding, RULES, type GitopsFinding} from '../rules/index.js'
import type {RenderedObjectRef} from '../rules/rule.js'
import type {RenderedObject} from '../kubernetes/objects.js'
import type {RevisionCrd, UnreadCrdFile} from '../kubernetes/crd-scopes.js'
import {catalogCrd, crdKindOf} from '../kubernetes/crd-catalog.js'
import type {RenderRoot} from './plan-types.js'

/** A rendered object kept for the end: its body, and where and how a finding about it is reported. */
export interface DeferredObject {
  apiVersion: string
  kind: string
  body: unknown
  /** `Kind ns/name (rendered from …)`. */
  about: string
  file: string
  line: number
  object: RenderedObjectRef
  environment?: string
  application?: string
}

export function asDeferred(
  obj: RenderedObject,
  about: string,
  site: {file: string; line: number},
  root: RenderRoot,
): DeferredObject {
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    body: obj.body,
    about,
    ...site,
    object: {kind: obj.kind, ...(obj.namespace ? {namespace: obj.namespace} : {}), name: obj.name},
    ...(root.environment ? {environment: root.environment} : {}),
    ...(root.application !== undefined ? {application: root.application} : {}),
  }
}

export interface CustomResourceVerdicts {
  findings: GitopsFinding[]
  /** Kinds no CRD defines, sorted (`render.unknownKinds`). */
  unknownKinds: Array<{apiVersion: string; kind: string; count: number}>
}

export interface CustomResourceInput {
  custom: readonly DeferredObject[]
  rendered: readonly DeferredObject[]
  revision: readonly RevisionCrd[]
  /** Files of the revision that may hold CRDs but were not read: a kind no CRD defines may be theirs (an error). */
  unread: readonly UnreadCrdFile[]
  /** Undefined: the render module is not built, so nothing validates custom resources. */
  validator: KubeValidator | undefined
  /** `gitopsPolicy.render.unknownKinds: fail`: a kind with no schema anywhere is an error. */
  failUnknown: boolean
}

/** A definition the validator was given: a rendered CRD (its object), a file of the revision, the catalog's. */
type Definition = {rendered: DeferredObject} | {file: string} | {catalog: string}

export async function checkCustomResources(input: CustomResourceInput): Promise<CustomResourceVerdicts> {
  if (input.custom.length === 0 && input.rendered.length === 0) return {findings: [], unknownKinds: []}
  const extra = definitionsFor(input)
  const definitions: Definition[] = [...input.rendered.map((rendered) => ({rendered})), ...extra.map((e) => e.about)]
  const names = [...input.rendered.map((c) => c.body), ...extra.map((e) => e.body)].map(nameOf)
  const answer = input.validator
    ? await input.validator.validate(
        input.rendered.map((c) => c.body),
        extra.map((e) => e.body),
        input.custom.map((o) => o.body),
      )
    : {ok: false as const, message: 'the render module is not built'}
  // Unavailable here (no native helper): said as kinds with no schema are; a validation that failed: an error.
  if (!answer.ok) return notValidated(input, answer.message, 'unavailable' in answer ? input.failUnknown : true)
  const findings: GitopsFinding[] = []
  answer.crds.slice(0, input.rendered.length).forEach((crd, i) => {
    const c = input.rendered[i]!
    for (const e of crd.errors)
      findings.push(
        about(
          RULES['schema-invalid'],
          c,
          `the API server refuses this CRD: ${e.field ? `${e.field}: ` : ''}${fieldMessage(e)}.`,
        ),
      )
  })
  const unknown: DeferredObject[] = []
  answer.objects.forEach((verdict, i) => {
    const o = input.custom[i]!
    if (verdict.crd < 0) return unknown.push(o)
    const by = definedBy(definitions[verdict.crd]!, names[verdict.crd]!)
    if (verdict.unserved) {
      const message = `${by} serves no version ${o.apiVersion.split('/')[1] ?? o.apiVersion} of ${o.kind}, so the API server has no such kind ("no matches for kind").`
      return findings.push(about(RULES['api-removed'], o, message))
    }
    for (const e of verdict.errors)
      findings.push(
        about(RULES['schema-invalid'], o, `${pointerOf(e.field)} ${fieldMessage(e)} (as ${by} validates it).`),
      )
  })
  const unread = input.unread[0]
  const because = unread
    ? ` No CRD read defines it, and ${unread.file}${input.unread.length > 1 ? ` (and ${input.unread.length - 1} more file${input.unread.length > 2 ? 's' : ''})` : ''}, which may, was not read: ${unread.reason}; nothing checked it.`
    : ''
  const undefinedKinds = unknownFindings(unknown, input.failUnknown || unread !== undefined, because)
  return {findings: [...findings, ...undefinedKinds], unknownKinds: counted(unknown)}
}

/**
 * What defines the custom resources' kinds besides the rendered CRDs: the revision's CRDs of those kinds, then the
 * catalog's for a kind the revision has none of (only what is needed crosses to the module).
 */
function definitionsFor(input: CustomResourceInput): Array<{about: Definition; body: unknown}> {
  const kinds = new Set(input.custom.map((o) => `${o.apiVersion.split('/')[0]}/${o.kind}`))
  const fromRevision = input.revision.filter((c) => kinds.has(crdKindOf(c.body) ?? ''))
  const defined = new Set(fromRevision.map((c) => crdKindOf(c.body)))
  const fromCatalog = [...kinds].filter((k) => !defined.has(k)).flatMap((k) => catalogCrd(k) ?? [])
  return [
    ...fromRevision.map((c) => ({about: {file: c.file}, body: c.body})),
    ...fromCatalog.map((c) => ({about: {catalog: c.source}, body: c.crd})),
  ]
}

/** Every custom resource unchecked: a finding per kind saying why (`fail`: an error). */
function notValidated(input: CustomResourceInput, why: string, fail: boolean): CustomResourceVerdicts {
  const because = ` Not validated against its CRD: ${why}.`
  return {findings: unknownFindings(input.custom, fail, because), unknownKinds: counted(input.custom)}
}

/** One finding per apiVersion and kind, at its first object. */
function unknownFindings(objects: readonly DeferredObject[], fail: boolean, because: string): GitopsFinding[] {
  const first = new Map<string, {o: DeferredObject; count: number}>()
  for (const o of objects) {
    const k = `${o.apiVersion} ${o.kind}`
    const seen = first.get(k)
    if (seen) seen.count++
    else first.set(k, {o, count: 1})
  }
  return [...first.values()].map(({o, count}) => {
    const more = count > 1 ? ` (and ${count - 1} more object${count > 2 ? 's' : ''} of it)` : ''
    const what = because
      ? because.trim()
      : `no CRD in the rendered output or the revision defines ${o.kind} of ${o.apiVersion.split('/')[0]}, and it is not built in, so nothing checked it${more}.`
    const f = about(RULES['schema-unknown'], o, because ? `${what}${more}` : what)
    return fail ? {...f, severity: 'error' as const} : f
  })
}

function counted(objects: readonly DeferredObject[]): CustomResourceVerdicts['unknownKinds'] {
  const counts = new Map<string, {apiVersion: string; kind: string; count: number}>()
  for (const o of objects) {
    const k = `${o.apiVersion} ${o.kind}`
    const c = counts.get(k) ?? {apiVersion: o.apiVersion, kind: o.kind, count: 0}
    c.count++
    counts.set(k, c)
  }
  const key = (k: {apiVersion: string; kind: string}) => `${k.apiVersion} ${k.kind}`
  return [...counts.values()].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
}

function about(rule: Parameters<typeof finding>[0], o: DeferredObject, message: string): GitopsFinding {
  return {
    ...finding(rule, o.file, {line: o.line, column: 1}, `${o.about}: ${message}`),
    object: o.object,
    ...(o.environment ? {environment: o.environment} : {}),
    ...(o.application !== undefined ? {application: o.application} : {}),
  }
}

const definedBy = (d: Definition, name: string) =>
  'rendered' in d
    ? `the CRD ${name} (${d.rendered.about.replace(/^[^(]*\(/, '').replace(/\)$/, '')})`
    : 'file' in d
      ? `the CRD ${name} in ${d.file}`
      : `the CRD ${name} of the built-in catalog (${d.catalog})`

const nameOf = (crd: unknown) => String((crd as {metadata?: {name?: unknown}} | null)?.metadata?.name ?? '')

/** `spec.containers[0].name` → `/spec/containers/0/name`. */
export function pointerOf(field: string): string {
  if (!field) return '/'
  return `/${field
    .replace(/\[(\d+)\]/g, '.$1')
    .replace(/\[([^\]]*)\]/g, '.$1')
    .split('.')
    .filter((s) => s !== '')
    .map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1'))
    .join('/')}`
}

/** How much of one of the API server's messages a finding carries (a hostile enum's list, a long value echoed). */
const MAX_FIELD_MESSAGE = 1000

/**
 * The API server's message, without the field it names first; past {@link MAX_FIELD_MESSAGE} characters its middle is
 * cut, keeping its start and its end (where the API server says what the value should be).
 */
function fieldMessage(e: KubeFieldError): string {
  const message = e.message.replace(/\.$/, '')
  if (message.length <= MAX_FIELD_MESSAGE) return message
  const half = MAX_FIELD_MESSAGE / 2
  const cut = message.length - MAX_FIELD_MESSAGE
  return `${message.slice(0, half)} … (${cut} characters cut: a finding carries ${MAX_FIELD_MESSAGE} of the API server's message) … ${message.slice(-half)}`
}
