/**
 * What a commit changes, by the truth (two answers of the oracle) and by `gitops diff --json`, and the class of the
 * commit: exact, honest-incomplete (the change touches something the revision alone cannot render — another
 * repository, a chart from a Helm or OCI repository, a render that fails in the controller too — and ameide says
 * incomplete), false-incomplete, wrong-nochange, wrong-detail or crash.
 *
 * Objects are compared by kind, namespace and name over the whole repository (the truth has no environments: a key
 * changes when the set of its rendered bodies changes); images by object, container, from and to.
 */
import type {OracleAnswer, OracleDeployable} from '../support/argo-oracle.js'

export type Klass = 'exact' | 'honest-incomplete' | 'false-incomplete' | 'wrong-nochange' | 'wrong-detail' | 'crash'
export const CLASSES: readonly Klass[] = [
  'exact',
  'honest-incomplete',
  'false-incomplete',
  'wrong-nochange',
  'wrong-detail',
  'crash',
]

type Change = 'added' | 'removed' | 'changed'

export interface Changes {
  objects: Map<string, Change>
  images: Set<string>
  /** What the change touches that the revision alone cannot render (a deployable's id and why). */
  untouchable: string[]
}

/** A stable JSON text: keys sorted at every level. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined)
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`
  }
  return JSON.stringify(value ?? null)
}

const keyOf = (kind: string, namespace: string | null | undefined, name: string) => `${kind}/${namespace ?? ''}/${name}`

/** Every object's bodies by key, over the deployables the truth rendered. */
function bodies(answer: OracleAnswer): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>()
  for (const d of answer.deployables) {
    if (d.external || d.error) continue
    for (const o of d.objects ?? []) {
      const k = keyOf(o.kind, o.namespace, o.name)
      if (!out.has(k)) out.set(k, new Set())
      out.get(k)!.add(canonical(o.body))
    }
  }
  return out
}

type Pod = {containers?: Array<{name: string; image?: string}>; initContainers?: Array<{name: string; image?: string}>}

/** The pod spec of a workload, a Pod, a Job or a CronJob. */
function podSpec(body: Record<string, any>): Pod | undefined {
  const spec = body.spec
  if (!spec) return undefined
  if (body.kind === 'Pod') return spec
  if (body.kind === 'CronJob') return spec.jobTemplate?.spec?.template?.spec
  return spec.template?.spec
}

/** Images by `key|container` over the rendered objects. */
function images(answer: OracleAnswer): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>()
  for (const d of answer.deployables) {
    if (d.external || d.error) continue
    for (const o of d.objects ?? []) {
      const pod = podSpec(o.body)
      for (const c of [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])]) {
        const k = `${keyOf(o.kind, o.namespace, o.name)}|${c.name}`
        if (!out.has(k)) out.set(k, new Set())
        if (c.image) out.get(k)!.add(c.image)
      }
    }
  }
  return out
}

const unrenderable = (d: OracleDeployable | undefined) => Boolean(d && (d.external || d.error))
const fingerprint = (d: OracleDeployable) => canonical({external: d.external, inputs: d.inputs, error: d.error})

/** What the truth says the commit changes. */
export function truthChanges(base: OracleAnswer, head: OracleAnswer): Changes {
  const objects = new Map<string, Change>()
  const [b, h] = [bodies(base), bodies(head)]
  for (const [k, set] of h) {
    const before = b.get(k)
    if (!before) objects.set(k, 'added')
    else if (canonical([...before].sort()) !== canonical([...set].sort())) objects.set(k, 'changed')
  }
  for (const k of b.keys()) if (!h.has(k)) objects.set(k, 'removed')
  const imgs = new Set<string>()
  const [bi, hi] = [images(base), images(head)]
  for (const [k, to] of hi) {
    const from = bi.get(k)
    if (!from || from.size !== 1 || to.size !== 1) continue
    const [f, t] = [[...from][0], [...to][0]]
    if (f !== t) imgs.add(`${k}|${f}|${t}`)
  }
  const untouchable: string[] = []
  const byId = (a: OracleAnswer) => new Map(a.deployables.map((d) => [d.id, d]))
  const [bd, hd] = [byId(base), byId(head)]
  for (const id of new Set([...bd.keys(), ...hd.keys()])) {
    const [x, y] = [bd.get(id), hd.get(id)]
    if (!unrenderable(x) && !unrenderable(y)) continue
    if (x && y && fingerprint(x) === fingerprint(y)) continue
    untouchable.push(`${id}: ${(y ?? x)!.external ?? (y ?? x)!.error}`)
  }
  return {objects, images: imgs, untouchable}
}

interface DiffObject {
  change: string
  kind: string
  namespace?: string | null
  name: string
}

export interface DiffJson {
  summary: string
  deployables: Array<{objects?: DiffObject[]}>
  images: Array<{
    object: {kind: string; namespace?: string | null; name: string; container: string}
    from: string | null
    to: string | null
  }>
  failures: unknown[]
}

/** What `gitops diff --json` says the commit changes. */
export function ameideChanges(diff: DiffJson): Changes {
  const seen = new Map<string, Set<string>>()
  for (const d of diff.deployables) {
    for (const o of d.objects ?? []) {
      if (o.change === 'unchanged') continue
      const k = keyOf(o.kind, o.namespace, o.name)
      if (!seen.has(k)) seen.set(k, new Set())
      seen.get(k)!.add(o.change)
    }
  }
  const objects = new Map<string, Change>()
  for (const [k, changes] of seen) objects.set(k, changes.size === 1 ? ([...changes][0] as Change) : 'changed')
  const imgs = new Set<string>()
  for (const m of diff.images) {
    if (!m.from || !m.to) continue
    imgs.add(`${keyOf(m.object.kind, m.object.namespace, m.object.name)}|${m.object.container}|${m.from}|${m.to}`)
  }
  return {objects, images: imgs, untouchable: []}
}

/** The differences between two change sets, as lines (empty: the same). */
export function differences(truth: Changes, ameide: Changes): string[] {
  const out: string[] = []
  for (const [k, c] of truth.objects)
    if (ameide.objects.get(k) !== c) out.push(`object ${k}: truth ${c}, ameide ${ameide.objects.get(k) ?? 'nothing'}`)
  for (const [k, c] of ameide.objects) if (!truth.objects.has(k)) out.push(`object ${k}: truth nothing, ameide ${c}`)
  for (const i of truth.images) if (!ameide.images.has(i)) out.push(`image ${i}: ameide misses it`)
  for (const i of ameide.images) if (!truth.images.has(i)) out.push(`image ${i}: truth has no such move`)
  return out
}

export interface Verdict {
  klass: Klass
  why: string[]
}

/** The class of one commit from the truth's changes and ameide's answer (exit code and JSON). */
export function classify(truth: Changes, exitCode: number, diff: DiffJson | undefined): Verdict {
  if (!diff || (exitCode !== 0 && exitCode !== 1) || !Array.isArray(diff.deployables)) {
    return {klass: 'crash', why: [`exit ${exitCode}`]}
  }
  const ameide = ameideChanges(diff)
  const delta = differences(truth, ameide)
  const incomplete = diff.summary === 'incomplete' || diff.failures.length > 0
  if (incomplete) {
    if (truth.untouchable.length === 0)
      return {klass: 'false-incomplete', why: diff.failures.map((f) => JSON.stringify(f))}
    return delta.length === 0
      ? {klass: 'honest-incomplete', why: truth.untouchable}
      : {klass: 'wrong-detail', why: delta}
  }
  if (truth.untouchable.length > 0) {
    const klass = diff.summary === 'unchanged' ? 'wrong-nochange' : 'wrong-detail'
    return {klass, why: ['complete, but the change touches what cannot be rendered here:', ...truth.untouchable]}
  }
  if (delta.length === 0) return {klass: 'exact', why: []}
  return {klass: diff.summary === 'unchanged' ? 'wrong-nochange' : 'wrong-detail', why: delta}
}
