/**
 * The deployables of the checkout, found as the controllers find them, offline: Argo CD Applications written in
 * files and those ApplicationSets generate (./applicationset), Flux HelmReleases; each Helm one becomes a
 * `HelmDeployable`, each kustomize or plain folder a `KustomizeUse` for the kustomize path, and whatever lies
 * outside the checkout (or cannot be evaluated) an `Unrenderable`.
 */
import type {YamlModule} from '../../images/yaml/index.js'
import type {Layout} from '../layout.js'
import {applicationOf, isApplication, isApplicationSet} from './application.js'
import {expandApplicationSet} from './applicationset/index.js'
import {makeContext, type CheckoutIdentity} from './context.js'
import {applicationDeployables} from './helm-source.js'
import {helmReleaseDeployable, isHelmRelease} from './helmrelease.js'
import {readManifests, type Manifest} from './manifests.js'
import type {HelmDeployable, KustomizeUse, Unrenderable} from './model.js'
import type {ApplicationSetExpansion, ArgoApplication} from './types.js'

export type {HelmDeployable, KustomizeUse, Unrenderable, ValueLayer, ValueEntry} from './model.js'
export {setName} from './model.js'
export {checkoutOf, makeContext, repositoryUrls, type CheckoutIdentity} from './context.js'
export {readManifests} from './manifests.js'

export interface Deployables {
  helm: HelmDeployable[]
  kustomize: KustomizeUse[]
  unrenderable: Unrenderable[]
  /** Every Application read or generated (for the report). */
  applications: number
  /** Each ApplicationSet read, with what it generated (`--print-layout` lists them). */
  applicationSets: Array<{manifest: Manifest; expansion: ApplicationSetExpansion}>
}

/** Starts the template engine's threads without waiting for them (a missing engine is reported where it is used). */
function startEngine(ctx: {templateEngine(): unknown}): void {
  try {
    ctx.templateEngine()
  } catch {
    // reported by each ApplicationSet that needs it
  }
}

export function findDeployables(input: {
  root: string
  files: readonly string[]
  layout: Layout
  yaml: YamlModule
  /** The files git tracks and the URLs that name this repository (./context.ts checkoutOf). */
  checkout: CheckoutIdentity
  /** Only these environments (undefined: all); a deployable with no environment is kept only without a filter. */
  environments?: readonly string[]
}): Deployables {
  const ctx = makeContext(input.root, input.files, input.layout, input.yaml, input.checkout)
  const manifests = readManifests(input.root, input.files, input.yaml, () => startEngine(ctx))
  const out: Deployables = {helm: [], kustomize: [], unrenderable: [], applications: 0, applicationSets: []}
  const apps: ArgoApplication[] = []
  for (const m of manifests) {
    if (isApplication(m)) {
      const app = applicationOf(m)
      if (app) apps.push(app)
    } else if (isApplicationSet(m)) {
      const expansion = expandApplicationSet(ctx, m)
      out.applicationSets.push({manifest: m, expansion})
      apps.push(...expansion.applications)
      for (const n of expansion.notRendered) {
        out.unrenderable.push({
          file: n.file,
          line: n.line,
          environment: ctx.envOf(n.file),
          message: `ApplicationSet ${n.applicationSet}: the ${n.generator} generator is not rendered: ${n.why}`,
          status: 'unavailable',
        })
      }
      for (const u of expansion.unavailable) {
        out.unrenderable.push({
          file: u.file,
          line: u.line,
          environment: ctx.envOf(u.file),
          message: `ApplicationSet ${u.applicationSet}: not evaluated: ${u.message}`,
          status: 'unavailable',
        })
      }
      for (const e of expansion.errors) {
        out.unrenderable.push({
          file: e.file,
          line: e.line,
          environment: ctx.envOf(e.file),
          message: `ApplicationSet ${e.applicationSet}: ${e.message}`,
          status: 'failed',
        })
      }
    } else if (isHelmRelease(m)) {
      const d = helmReleaseDeployable(m, manifests, ctx)
      if (d.helm) out.helm.push(d.helm)
      if (d.unrenderable) out.unrenderable.push(d.unrenderable)
    }
  }
  out.applications = apps.length
  for (const app of apps) {
    const d = applicationDeployables(app, ctx)
    out.helm.push(...d.helm)
    out.kustomize.push(...d.kustomize)
    out.unrenderable.push(...d.unrenderable)
  }
  const envs = input.environments
  if (envs) {
    const keep = (x: {environment: string | null}) => x.environment !== null && envs.includes(x.environment)
    out.helm = out.helm.filter(keep)
    out.kustomize = out.kustomize.filter(keep)
    out.unrenderable = out.unrenderable.filter(keep)
  }
  return out
}
