/**
 * What the controller that deploys an object does with what an update may not change and with an object the change
 * removes: Argo CD (its Application's `syncPolicy` and the object's `argocd.argoproj.io/sync-options`), Flux's
 * kustomize-controller (its Kustomization's `spec.force` / `spec.prune` and the object's
 * `kustomize.toolkit.fluxcd.io/*` annotations), helm-controller for a HelmRelease, or nobody known (a kustomize root
 * nothing declares deployed: said, never guessed).
 */
import type {Doc} from '../kubernetes/objects.js'
import type {Snapshot, SnapshotUnit} from './snapshot.js'

export const ARGO_SYNC_OPTIONS = 'argocd.argoproj.io/sync-options'
export const FLUX_FORCE = 'kustomize.toolkit.fluxcd.io/force'
export const FLUX_PRUNE = 'kustomize.toolkit.fluxcd.io/prune'
const HELM_RESOURCE_POLICY = 'helm.sh/resource-policy'
const ARGO_FINALIZER = 'resources-finalizer.argocd.argoproj.io'

/** The controller that deploys a deployable's objects, with the settings that decide replacing and pruning. */
export type Controller =
  | {kind: 'argocd'; application: string; syncPolicy: unknown; finalizers: unknown}
  | {kind: 'flux'; kustomization: string; spec: Doc | undefined}
  | {kind: 'helm'; release: string}
  | {kind: 'unknown'}

const isDoc = (v: unknown): v is Doc => v !== null && typeof v === 'object' && !Array.isArray(v)
const at = (o: unknown, ...path: string[]): unknown => path.reduce<unknown>((v, k) => (isDoc(v) ? v[k] : undefined), o)
const annotation = (body: Doc, key: string): unknown => at(body, 'metadata', 'annotations', key)

/** The comma-separated sync options of an object's annotation, or an Application's `syncPolicy.syncOptions`. */
function syncOptions(v: unknown): string[] {
  if (typeof v === 'string') return v.split(',').map((s) => s.trim())
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string').map((s) => s.trim()) : []
}

/** The controller of `unit` in `snapshot`: its Argo CD Application, its Flux Kustomization, its HelmRelease. */
export function controllerOf(unit: SnapshotUnit, snapshot: Snapshot): Controller {
  if (unit.deployedBy !== undefined)
    return {kind: 'flux', kustomization: unit.deployedBy, spec: fluxKustomization(snapshot, unit.deployedBy)}
  if (unit.application === undefined) return {kind: 'unknown'}
  if (unit.kind === 'HelmRelease') return {kind: 'helm', release: unit.application}
  const app = snapshot.applications.get(unit.application)
  return {kind: 'argocd', application: unit.application, syncPolicy: app?.syncPolicy, finalizers: app?.finalizers}
}

/** A Flux Kustomization (`namespace/name`) among the revision's rendered objects: its spec, or undefined. */
function fluxKustomization(snapshot: Snapshot, id: string): Doc | undefined {
  for (const unit of snapshot.units.values()) {
    for (const o of unit.objects.values()) {
      if (o.kind !== 'Kustomization' || !o.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/')) continue
      if (`${o.namespace ?? ''}/${o.name}` === id && isDoc(o.body.spec)) return o.body.spec
    }
  }
  return undefined
}

/** What marks `body` to be replaced by its controller (the marker, in words), or undefined: it is updated. */
export function replacedBy(body: Doc, controller: Controller): string | undefined {
  if (controller.kind === 'argocd') {
    if (syncOptions(annotation(body, ARGO_SYNC_OPTIONS)).includes('Replace=true'))
      return `${ARGO_SYNC_OPTIONS}: Replace=true on the object`
    if (syncOptions(at(controller.syncPolicy, 'syncOptions')).includes('Replace=true'))
      return `Replace=true in spec.syncPolicy.syncOptions of Application ${controller.application}`
  }
  if (controller.kind === 'flux') {
    if (annotation(body, FLUX_FORCE) === 'enabled') return `${FLUX_FORCE}: enabled on the object`
    if (controller.spec?.force === true) return `spec.force: true on Flux Kustomization ${controller.kustomization}`
  }
  return undefined
}

const ARGO_NEEDS = `the sync option Replace=true (the annotation ${ARGO_SYNC_OPTIONS}: Replace=true on the object, or spec.syncPolicy.syncOptions of the Application)`
const FLUX_NEEDS = `spec.force: true on the Kustomization, or the annotation ${FLUX_FORCE}: enabled on the object`

/** What the controller would need to apply a refused update: its replace marker, else a delete and recreate. */
export function needs(controller: Controller): string {
  switch (controller.kind) {
    case 'argocd':
      return `Argo CD (Application ${controller.application}) needs ${ARGO_NEEDS}; else delete and recreate the object.`
    case 'flux':
      return `Flux (Kustomization ${controller.kustomization}) needs ${FLUX_NEEDS}; else delete and recreate the object.`
    case 'helm':
      return `helm-controller (HelmRelease ${controller.release}) updates it in place: delete and recreate the object.`
    case 'unknown':
      return `Nothing declares who deploys it: Argo CD would need ${ARGO_NEEDS}, Flux ${FLUX_NEEDS}; else delete and recreate the object.`
  }
}

/** Whether the controller deletes an object the change removes (null: not known offline), and why. */
export interface Prune {
  pruned: boolean | null
  why: string
}

/**
 * Whether `body`, removed by the change, is deleted by its controller. `deployableRemoved`: the whole deployable goes
 * (its Application or Kustomization with it, as far as this diff sees).
 */
export function pruneOf(body: Doc, controller: Controller, deployableRemoved: boolean): Prune {
  switch (controller.kind) {
    case 'argocd':
      return argoPrune(body, controller, deployableRemoved)
    case 'flux':
      return fluxPrune(body, controller)
    case 'helm':
      return annotation(body, HELM_RESOURCE_POLICY) === 'keep'
        ? {pruned: false, why: `${HELM_RESOURCE_POLICY}: keep on the object: Helm leaves it in the cluster.`}
        : {pruned: true, why: `helm-controller's upgrade of HelmRelease ${controller.release} deletes it.`}
    case 'unknown':
      return {pruned: null, why: 'Nothing declares who deploys it: whether it is deleted is not known.'}
  }
}

function argoPrune(body: Doc, c: Extract<Controller, {kind: 'argocd'}>, deployableRemoved: boolean): Prune {
  const own = syncOptions(annotation(body, ARGO_SYNC_OPTIONS))
  if (own.includes('Delete=false'))
    return {pruned: false, why: `${ARGO_SYNC_OPTIONS}: Delete=false on the object: Argo CD leaves it in the cluster.`}
  const prune =
    own.find((o) => o.startsWith('Prune=')) ??
    syncOptions(at(c.syncPolicy, 'syncOptions')).find((o) => o.startsWith('Prune='))
  if (prune === 'Prune=false')
    return {
      pruned: false,
      why: `Prune=false (${own.includes(prune) ? 'on the object' : `Application ${c.application}`}): Argo CD leaves it in the cluster, the Application OutOfSync.`,
    }
  if (prune === 'Prune=confirm')
    return {pruned: false, why: `Prune=confirm: Argo CD deletes it only once someone confirms the pruning.`}
  if (deployableRemoved) {
    const finalizers = Array.isArray(c.finalizers) ? c.finalizers : undefined
    if (finalizers === undefined)
      return {
        pruned: null,
        why: `Application ${c.application} no longer deploys it: Argo CD deletes it only if the Application is deleted with the ${ARGO_FINALIZER} finalizer.`,
      }
    return finalizers.includes(ARGO_FINALIZER)
      ? {
          pruned: true,
          why: `Application ${c.application} carries the ${ARGO_FINALIZER} finalizer: its objects are deleted with it.`,
        }
      : {
          pruned: false,
          why: `Application ${c.application} has no ${ARGO_FINALIZER} finalizer: its objects stay when it is deleted.`,
        }
  }
  if (at(c.syncPolicy, 'automated', 'prune') === true)
    return {
      pruned: true,
      why: `Application ${c.application}'s automated sync prunes (spec.syncPolicy.automated.prune: true).`,
    }
  return {
    pruned: false,
    why: `Application ${c.application} does not prune automatically (spec.syncPolicy.automated.prune is not true): it stays in the cluster, the Application OutOfSync, until a sync with prune.`,
  }
}

function fluxPrune(body: Doc, c: Extract<Controller, {kind: 'flux'}>): Prune {
  if (annotation(body, FLUX_PRUNE) === 'disabled')
    return {pruned: false, why: `${FLUX_PRUNE}: disabled on the object: Flux leaves it in the cluster.`}
  if (c.spec === undefined)
    return {
      pruned: null,
      why: `Flux Kustomization ${c.kustomization} is not in the revision: whether it prunes is not known.`,
    }
  return c.spec.prune === true
    ? {pruned: true, why: `Flux Kustomization ${c.kustomization} prunes (spec.prune: true).`}
    : {
        pruned: false,
        why: `Flux Kustomization ${c.kustomization} does not prune (spec.prune is not true): it stays in the cluster.`,
      }
}
