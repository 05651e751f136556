/**
 * What an update may not change: the fields the Kubernetes API server refuses to update ("field is immutable"), one
 * table and its one owner. Each row names the kinds it holds for (by API group), the field, and decides from the
 * object's two revisions whether the change is one the server refuses — the near misses it allows (a default written
 * out, a value the server allocates, a PVC's storage grown, a ConfigMap's data while it is not `immutable`) are not.
 * test/gitops/diff/immutable.unit.test.ts holds each row: a change refused, and a near miss allowed.
 */
import type {Doc} from '../kubernetes/objects.js'
import {sameData} from './objects.js'

/** One field an update changes that the API server refuses. */
export interface RefusedField {
  /** The field, as a dotted path (`spec.selector`, `spec.resources.requests.storage`). */
  field: string
  /** Why, in words (never a Secret's value). */
  why: string
}

interface Row {
  /** `group/Kind` (`apps/Deployment`; the core group is empty: `/Service`). */
  kinds: readonly string[]
  field: string
  why: string
  /** Whether the change from `before` to `after` is one the server refuses (true, or the field and why, narrower). */
  refuses(before: Doc, after: Doc): boolean | Partial<RefusedField>
}

const isDoc = (v: unknown): v is Doc => v !== null && typeof v === 'object' && !Array.isArray(v)
const at = (o: unknown, ...path: string[]): unknown => path.reduce<unknown>((v, k) => (isDoc(v) ? v[k] : undefined), o)
const groupOf = (apiVersion: unknown) =>
  typeof apiVersion === 'string' && apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : ''

/** A field compared with its default written out (absent is the default). */
const changed =
  (path: string[], byDefault?: unknown) =>
  (before: Doc, after: Doc): boolean =>
    !sameData(at(before, ...path) ?? byDefault, at(after, ...path) ?? byDefault)

/** A value the server allocates when it is empty or absent: only two different values set on both sides count. */
const set = (v: unknown) => v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0)
const first = (v: unknown) => (Array.isArray(v) ? v[0] : v)
const bothSetAndDiffer =
  (path: string[], pick: (v: unknown) => unknown = (v) => v) =>
  (before: Doc, after: Doc): boolean => {
    const [b, a] = [at(before, ...path), at(after, ...path)]
    return set(b) && set(a) && !sameData(pick(b), pick(a))
  }

const WORKLOADS = ['apps/Deployment', 'apps/ReplicaSet', 'apps/DaemonSet', 'apps/StatefulSet']

export const IMMUTABLE_FIELDS: readonly Row[] = [
  {
    kinds: WORKLOADS,
    field: 'spec.selector',
    why: 'the label selector of a workload cannot change once created',
    refuses: changed(['spec', 'selector']),
  },
  {
    kinds: ['apps/StatefulSet'],
    field: 'spec.volumeClaimTemplates',
    why: "a StatefulSet's volume claim templates cannot change",
    refuses: changed(['spec', 'volumeClaimTemplates'], []),
  },
  {
    kinds: ['apps/StatefulSet'],
    field: 'spec.serviceName',
    why: "a StatefulSet's governing Service cannot change",
    refuses: changed(['spec', 'serviceName'], ''),
  },
  {
    kinds: ['apps/StatefulSet'],
    field: 'spec.podManagementPolicy',
    why: "a StatefulSet's pod management policy cannot change",
    refuses: changed(['spec', 'podManagementPolicy'], 'OrderedReady'),
  },
  {
    kinds: ['batch/Job'],
    field: 'spec.template',
    why: "a Job's pod template cannot change",
    refuses: changed(['spec', 'template']),
  },
  {
    kinds: ['batch/Job'],
    field: 'spec.selector',
    why: "a Job's selector cannot change (generated when not written: only one written that differs counts)",
    refuses: (before, after) =>
      at(after, 'spec', 'selector') !== undefined && changed(['spec', 'selector'])(before, after),
  },
  {
    kinds: ['batch/Job'],
    field: 'spec.completionMode',
    why: "a Job's completion mode cannot change",
    refuses: changed(['spec', 'completionMode'], 'NonIndexed'),
  },
  {
    kinds: ['/Service'],
    field: 'spec.clusterIP',
    why: "a Service's cluster IP cannot change once allocated",
    refuses: bothSetAndDiffer(['spec', 'clusterIP']),
  },
  {
    kinds: ['/Service'],
    field: 'spec.clusterIPs',
    why: "a Service's primary cluster IP cannot change once allocated",
    refuses: bothSetAndDiffer(['spec', 'clusterIPs'], first),
  },
  {
    kinds: ['/Service'],
    field: 'spec.ipFamilies',
    why: "a Service's primary IP family cannot change",
    refuses: bothSetAndDiffer(['spec', 'ipFamilies'], first),
  },
  {
    kinds: ['/PersistentVolumeClaim'],
    field: 'spec',
    why: "a PersistentVolumeClaim's spec cannot change but to grow its storage request",
    refuses: claimSpecRefused,
  },
  {
    kinds: ['/ConfigMap', '/Secret'],
    field: 'data',
    why: 'the data of a ConfigMap or Secret marked `immutable: true` cannot change',
    refuses: (before, after) => before.immutable === true && !sameData(dataOf(before), dataOf(after)),
  },
  {
    kinds: ['/ConfigMap', '/Secret'],
    field: 'immutable',
    why: '`immutable: true` cannot be unset',
    refuses: (before, after) => before.immutable === true && after.immutable !== true,
  },
  {
    kinds: ['apiextensions.k8s.io/CustomResourceDefinition'],
    field: 'spec.scope',
    why: "a CustomResourceDefinition's scope (Namespaced or Cluster) cannot change",
    refuses: changed(['spec', 'scope']),
  },
]

/** The fields of `after`'s update from `before` the API server refuses (none: an update it accepts). */
export function refusedFields(before: Doc, after: Doc): RefusedField[] {
  const kind = `${groupOf(before.apiVersion)}/${String(before.kind)}`
  if (kind !== `${groupOf(after.apiVersion)}/${String(after.kind)}`) return []
  const out: RefusedField[] = []
  for (const row of IMMUTABLE_FIELDS) {
    if (!row.kinds.includes(kind)) continue
    const refused = row.refuses(before, after)
    if (refused === false) continue
    out.push({field: row.field, why: row.why, ...(refused === true ? {} : refused)})
  }
  return out
}

/** A ConfigMap's or Secret's data as stored: `data`, `binaryData`, and a Secret's `stringData` folded in (base64). */
function dataOf(o: Doc): unknown {
  const data: Doc = isDoc(o.data) ? {...o.data} : {}
  if (isDoc(o.stringData))
    for (const [k, v] of Object.entries(o.stringData))
      data[k] = Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64')
  return {data, binaryData: isDoc(o.binaryData) ? o.binaryData : {}}
}

/**
 * A PersistentVolumeClaim's spec change the server refuses: any field but `resources.requests.storage` (grown, not
 * shrunk) and `volumeAttributesClassName` (mutable since Kubernetes 1.34); the field named, or `spec` as a whole.
 */
function claimSpecRefused(before: Doc, after: Doc): boolean | Partial<RefusedField> {
  const [b, a] = [at(before, 'spec'), at(after, 'spec')]
  const storage = ['resources', 'requests', 'storage']
  const rest = (s: unknown) => withoutPaths(s, [storage, ['volumeAttributesClassName']])
  if (!sameData(rest(b), rest(a))) {
    const keys = [...new Set([...Object.keys(isDoc(b) ? b : {}), ...Object.keys(isDoc(a) ? a : {})])].sort()
    const differ = keys.filter((k) => !sameData(at(rest(b), k), at(rest(a), k)))
    return differ.length === 1 ? {field: `spec.${differ[0]}`} : true
  }
  const [from, to] = [at(b, ...storage), at(a, ...storage)]
  if (sameData(from, to)) return false
  const [x, y] = [quantity(from), quantity(to)]
  // A request that cannot be read as a quantity, or removed: not known to be growth, so refused (fail closed).
  if (x !== undefined && y !== undefined && y >= x) return false
  const shown = (q: unknown) => (typeof q === 'string' || typeof q === 'number' ? String(q) : 'none')
  return {
    field: 'spec.resources.requests.storage',
    why: `a PersistentVolumeClaim's storage request may only grow (${shown(from)} → ${shown(to)})`,
  }
}

/** `value` without the fields at `paths` (copied along the way; empty maps left by the removal dropped). */
function withoutPaths(value: unknown, paths: string[][]): unknown {
  if (!isDoc(value)) return value
  const out: Doc = {...value}
  for (const [head, ...tail] of paths) {
    if (!(head in out)) continue
    if (tail.length === 0) delete out[head]
    else {
      const inner = withoutPaths(out[head], [tail])
      if (isDoc(inner) && Object.keys(inner).length === 0) delete out[head]
      else out[head] = inner
    }
  }
  return out
}

const SUFFIXES: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
}

/** A Kubernetes quantity (`10Gi`, `500M`, `1e3`, `1.5Ti`) as a number, or undefined when it is none. */
export function quantity(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined
  if (typeof v !== 'string') return undefined
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?)$/.exec(v.trim())
  if (!m) return undefined
  return Number(m[1] + (m[2] ?? '')) * SUFFIXES[m[3] ?? '']
}
