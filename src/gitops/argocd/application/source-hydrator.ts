/**
 * An Argo CD Application's Source Hydrator, read as Argo CD v3.5.1 runs it. The application controller's hydrator
 * (controller/hydrator/hydrator.go getManifests) asks the repo-server to render `SourceHydrator.GetDrySource()` — a
 * source of the dry source's repoURL, path, targetRevision, helm, kustomize, directory and plugin, nothing else —
 * with the Application's name and destination namespace, and without the cluster's state (GetRepoObjs with
 * sendRuntimeState false: no Kubernetes version, no API versions, so the defaults of the repo-server's `helm` unless
 * the dry source's `helm.kubeVersion`/`helm.apiVersions` name them). The commit server
 * (commitserver/commit/hydratorhelper.go) writes those objects unchanged into `manifest.yaml` at `syncSource.path` of
 * the sync (or `hydrateTo`) branch, and the Application syncs that folder: what it deploys is the dry source's render.
 * `spec.source` and `spec.sources` are not read (ApplicationSpec.GetSources returns the sync source alone).
 */
import path from 'node:path'

import {normalizeRepository} from '../../revision/repositories.js'
import type {SpecPath} from '../../model/types.js'
import {isMap, str} from '../../model/source-helpers.js'

/**
 * The Kubernetes version a chart of a dry source sees when its `helm` names none: the default of the `helm` Argo CD
 * v3.5.1's image ships (hack/tool-versions.sh helm4_version=4.2.1), which Helm derives from the k8s.io/client-go it is
 * built with (pkg/chart/common/capabilities.go makeDefaultCapabilities: v0.36.1 → v1.36.0). Helm's default API
 * versions come with the render module's Helm; those of client-go v0.36 differ from its v0.35 in autoscaling/v2beta1,
 * autoscaling/v2beta2 and scheduling.k8s.io/v1alpha1 (v1alpha2 instead), which no flag can take away.
 */
export const ARGOCD_HELM_DEFAULT_KUBE_VERSION = '1.36.0'

/** Where the dry source is written in the Application's spec. */
export const DRY_SOURCE_AT: SpecPath = ['sourceHydrator', 'drySource']

/** The fields `GetDrySource()` copies into the source it renders (pkg/apis/application/v1alpha1 types.go). */
const DRY_FIELDS = ['repoURL', 'path', 'targetRevision', 'helm', 'kustomize', 'directory', 'plugin'] as const

/** The Application's `spec.sourceHydrator`, when it has one. */
export const sourceHydratorOf = (spec: Record<string, unknown>): Record<string, unknown> | undefined =>
  isMap(spec.sourceHydrator) ? spec.sourceHydrator : undefined

/** `SourceHydrator.GetDrySource()`: the source the repo-server renders. */
export function drySourceOf(hydrator: Record<string, unknown>): Record<string, unknown> {
  const dry = isMap(hydrator.drySource) ? hydrator.drySource : {}
  return Object.fromEntries(DRY_FIELDS.filter((k) => dry[k] !== undefined).map((k) => [k, dry[k]]))
}

/** Go's `filepath.IsRootPath` of the hydrator: the path, cleaned, is empty, `.` or `/`. */
function isRootPath(p: string): boolean {
  const clean = path.posix.normalize(p === '' ? '.' : p).replace(/(.)\/+$/, '$1')
  return clean === '.' || clean === '/'
}

/**
 * Why Argo CD does not hydrate this Application, at the field that says so: ValidatePermissions'
 * validateSourceHydrator (util/argo/argo.go), then the hydrator's refusal of the repository root
 * (validateApplications). Undefined: it hydrates.
 */
export function hydratorRefusal(hydrator: Record<string, unknown>): {at: SpecPath; message: string} | undefined {
  const dry = isMap(hydrator.drySource) ? hydrator.drySource : {}
  const sync = isMap(hydrator.syncSource) ? hydrator.syncSource : {}
  const hydrateTo = hydrator.hydrateTo
  const at = (...p: string[]): SpecPath => ['sourceHydrator', ...p]
  if (!str(dry.repoURL)) return {at: at('drySource'), message: 'spec.sourceHydrator.drySource.repoURL is required'}
  if (!str(sync.targetBranch))
    return {at: at('syncSource'), message: 'spec.sourceHydrator.syncSource.targetBranch is required'}
  const to = isMap(hydrateTo) ? hydrateTo : undefined
  if (hydrateTo !== undefined && hydrateTo !== null && !str(to?.targetBranch))
    return {
      at: at('hydrateTo'),
      message: 'when spec.sourceHydrator.hydrateTo is set, spec.sourceHydrator.hydrateTo.targetBranch is required',
    }
  const syncPath = str(sync.path) ?? ''
  if (isRootPath(syncPath)) {
    const branch = str(to?.targetBranch) ?? str(sync.targetBranch) ?? ''
    return {
      at: at('syncSource', 'path'),
      message: `app is configured to hydrate to the repository root (branch ${JSON.stringify(branch)}, path ${JSON.stringify(syncPath)}) which is not allowed`,
    }
  }
  return undefined
}

/**
 * An Application of a hydration: Argo CD hydrates together the Applications of one hydration queue key
 * (controller/hydrator/hydrator.go getHydrationQueueKey: the dry source's repository, normalized, and targetRevision;
 * the repository and branch the render is committed to — `GetHydrateToSource()`: syncSource.repoURL, else the dry
 * one, and hydrateTo.targetBranch, else syncSource.targetBranch), and writes each at its destination (that
 * repository as written, syncSource.path).
 */
export interface HydrationMember {
  application: string
  /** `QualifiedName()`: namespace/name (the name alone without a namespace). */
  qualified: string
  /** The environments its dry source deploys to (where its findings are). */
  environments: Array<string | null>
  file: string
  line: number
  /** The hydration queue key. */
  group: string
  /** Where its render is committed: the repository as written and syncSource.path. */
  destination: string
  /** The group in words: the dry source and the branch it is committed to. */
  describe: string
}

/** The Application's place in a hydration, or undefined without a Source Hydrator. */
export function hydrationMember(
  app: {name: string; namespace?: string; spec: Record<string, unknown>; file: string; line: number},
  environments: Array<string | null>,
): HydrationMember | undefined {
  const hydrator = sourceHydratorOf(app.spec)
  if (!hydrator) return undefined
  const dry = isMap(hydrator.drySource) ? hydrator.drySource : {}
  const sync = isMap(hydrator.syncSource) ? hydrator.syncSource : {}
  const to = isMap(hydrator.hydrateTo) ? hydrator.hydrateTo : undefined
  const target = str(sync.repoURL) || (str(dry.repoURL) ?? '')
  const branch = (to ? str(to.targetBranch) : str(sync.targetBranch)) ?? ''
  return {
    application: app.name,
    qualified: app.namespace ? `${app.namespace}/${app.name}` : app.name,
    environments,
    file: app.file,
    line: app.line,
    group: JSON.stringify([
      normalizeRepository(str(dry.repoURL) ?? ''),
      str(dry.targetRevision) ?? '',
      normalizeRepository(target),
      branch,
    ]),
    destination: `repo=${target}, path=${str(sync.path) ?? ''}`,
    describe: `${str(dry.repoURL) ?? ''} at ${str(dry.targetRevision) || 'HEAD'}, committed to ${target} branch ${branch}`,
  }
}
