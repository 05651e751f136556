/**
 * App of apps: the Argo CD Applications a render produced (a chart, kustomization or folder whose output holds
 * `argoproj.io` Applications), read as the next wave of the render gate — each Application name once (one written in
 * a file is not read again), its environment its parent's. What may hold Applications is told by a cheap test on
 * its files' text, so `gitops diff` renders such a deployable even when its inputs did not change: the Applications
 * it produces are followed whatever changed.
 */
import {canonicalJson} from '../../../core/canonical-json.js'
import {readTextIn} from '../../../core/memory-fs/index.js'

import type {ArgoApplication} from '../../model/types.js'
import {at, type RenderedObject} from '../../kubernetes/objects.js'
import {kindIn, undefinedControllerKind} from '../../kubernetes/manifests.js'
import type {RenderRoot} from '../../render/plan-types.js'

/** How many waves of Applications rendered by Applications are followed (app of apps of apps …). */
export const MAX_DEPTH = 5

/** A document that may be an Argo CD Application or ApplicationSet, or a Flux object (a cheap test on text). */
const ARGO_KIND = kindIn('Application|ApplicationSet')
const RELEASE_KIND = kindIn('HelmRelease')
const FLUX_KUSTOMIZATION = /kustomize\.toolkit\.fluxcd\.io\//

/** An ApplicationSet a render produced, in the environment of the root that printed it. */
export interface ProducedSet {
  file: string
  name: string
  environment: string | null
  body: unknown
}

/** An object of a kind nothing defines a render printed, and the deployable that printed it. */
export interface UndefinedKind {
  file: string
  apiVersion: string
  kind: string
  name: string
  parent: RenderRoot
}

export class AppOfApps {
  private readonly mentions = new Map<string, {argo: boolean; flux: boolean}>()
  private produced: Array<{objects: RenderedObject[]; parent: RenderRoot}> = []
  private readonly seen: Set<string>
  /** The Applications renders printed (`next`), followed as they are. */
  private readonly printedApps: ArgoApplication[] = []
  /** Each Application followed, as `followedKey` says it (made at the first printed ApplicationSet's). */
  private followed: Set<string> | undefined

  constructor(
    private readonly root: string,
    /** The names of the Applications already read (files, ApplicationSets). */
    known: Iterable<string>,
    /** The Applications already read (files, ApplicationSets' expansions). */
    private readonly read: () => readonly ArgoApplication[] = () => [],
  ) {
    this.seen = new Set(known)
  }

  /**
   * The Applications not followed yet, each now followed: an ApplicationSet a render prints may be one a file holds
   * (a kustomization over its folder), and the same Application — environment, name and spec — is followed once.
   */
  unfollowed(apps: readonly ArgoApplication[]): ArgoApplication[] {
    if (apps.length === 0) return []
    const followed = (this.followed ??= new Set([...this.read(), ...this.printedApps].map(followedKey)))
    const fresh: ArgoApplication[] = []
    for (const a of apps) {
      const key = followedKey(a)
      if (followed.has(key)) continue
      followed.add(key)
      fresh.push(a)
    }
    return fresh
  }

  /** Whether some of these repo-relative files may declare Applications (and so the render may produce some). */
  mayHoldApplications(files: readonly string[]): boolean {
    return files.some((f) => this.mentionsOf(f).argo)
  }

  /**
   * Whether any of these files may hold a Flux HelmRelease or Kustomization (its text names the kind, or
   * kustomize-controller's API group): a build that prints one is what its controller applies.
   */
  mayHoldFluxObjects(files: readonly string[]): boolean {
    return files.some((f) => this.mentionsOf(f).flux)
  }

  private mentionsOf(f: string): {argo: boolean; flux: boolean} {
    let found = this.mentions.get(f)
    if (!found) {
      // Unreadable: the render says why.
      const text = readTextIn(this.root, f) ?? ''
      found = {argo: ARGO_KIND.test(text), flux: RELEASE_KIND.test(text) || FLUX_KUSTOMIZATION.test(text)}
      this.mentions.set(f, found)
    }
    return found
  }

  /** One rendered deployable's objects (parsed only when `text`, the renderer's output, may hold Applications). */
  collect(text: string | undefined, objects: () => RenderedObject[], parent: RenderRoot): void {
    if (text !== undefined && !ARGO_KIND.test(text)) return
    this.produced.push({objects: objects(), parent})
  }

  /**
   * The Applications and ApplicationSets collected since the last call that were not seen yet, and the objects of
   * `argoproj.io` of a kind nothing defines (Argo CD fails to apply them: what they would declare is unknown).
   */
  next(): {applications: ArgoApplication[]; sets: ProducedSet[]; undefinedKinds: UndefinedKind[]} {
    const applications: ArgoApplication[] = []
    const sets: ProducedSet[] = []
    const undefinedKinds: UndefinedKind[] = []
    for (const {objects, parent} of this.produced.splice(0)) {
      for (const o of objects) {
        if (!o.apiVersion.startsWith('argoproj.io/')) continue
        const file = o.origin ?? o.template ?? parent.declaredIn ?? ''
        if (undefinedControllerKind(o.apiVersion, o.kind)) {
          undefinedKinds.push({file, apiVersion: o.apiVersion, kind: o.kind, name: o.name, parent})
          continue
        }
        // An ApplicationSet once per environment: each environment's root may print its own of one name (a list an
        // overlay patches), and one environment's must not hide another's.
        const id = o.kind === 'ApplicationSet' ? `ApplicationSet\0${parent.environment ?? ''}\0${o.name}` : o.name
        if ((o.kind !== 'Application' && o.kind !== 'ApplicationSet') || this.seen.has(id)) continue
        this.seen.add(id)
        if (o.kind === 'ApplicationSet') {
          sets.push({file, name: o.name, environment: parent.environment, body: o.body})
          continue
        }
        const spec = at(o.body, 'spec')
        if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) continue
        applications.push({
          name: o.name,
          ...(o.namespace ? {namespace: o.namespace} : {}),
          spec: spec as Record<string, unknown>,
          file,
          line: 1,
          lineOf: () => undefined,
          ...(parent.environment ? {environment: parent.environment} : {}),
        })
      }
    }
    this.printedApps.push(...applications)
    for (const a of applications) this.followed?.add(followedKey(a))
    return {applications, sets, undefinedKinds}
  }
}

/** An Application as followed: its environment, name and spec (not where it was read). */
const followedKey = (a: ArgoApplication): string => canonicalJson([a.environment ?? null, a.name, a.spec])
