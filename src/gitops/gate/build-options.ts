/**
 * Argo CD's `kustomize.buildOptions` as a gate reads them (../argocd/kustomize/build-options.ts: the revision's
 * argocd-cm, else the base's policy), read once a gate and only when a root needs them: one that inflates Helm charts
 * (./helm-inflation.ts), one of an Application whose build failed (./kustomize.ts: kustomize's load restrictor).
 */
import type {BuildResult} from '../../effects/kustomize.js'
import {kustomizeBuildOptions, loadRestrictionsNone, type BuildOptionsRead} from '../argocd/kustomize/build-options.js'
import type {RenderRoot} from '../render/plan-types.js'
import type {GateContext} from './types.js'

const read = new WeakMap<GateContext, BuildOptionsRead>()

/** Argo CD's kustomize.buildOptions, read once a gate. */
export function buildOptionsOf(ctx: GateContext): BuildOptionsRead {
  let got = read.get(ctx)
  if (!got) {
    const {root, files, yaml, layout} = ctx.input
    const policy = layout.policy.render.kustomizeBuildOptions
    got = kustomizeBuildOptions(root, files, yaml, {maxFileBytes: layout.policy.maxFileBytes, policy})
    read.set(ctx, got)
  }
  return got
}

/**
 * Whether an Application's root whose build failed is built again with `--load-restrictor LoadRestrictionsNone`, as
 * Argo CD's build options pass it: the restrictor only refuses — a build it lets through prints the same with or
 * without it — so a root that built stands, and one that failed takes the answer Argo CD's build gives.
 */
export function buildsUnrestricted(ctx: GateContext, root: RenderRoot, result: BuildResult): boolean {
  if (root.via !== 'argocd' || result.ok || 'unavailable' in result || 'limit' in result) return false
  return loadRestrictionsNone(buildOptionsOf(ctx).options ?? '')
}

const PLUGIN_REFUSED = /external plugins disabled; unable to load external plugin '([^']*)'/

/**
 * An Application's root whose build failed on a kustomize plugin (a generator or transformer of a kind kustomize does
 * not hold) where Argo CD's build options enable plugins (`--enable-alpha-plugins`): Argo CD runs it, the gate never
 * runs one, so the root is not rendered, said so. Elsewhere the failure stands: Argo CD's build fails as kustomize's.
 */
export function pluginNotRun<R extends BuildResult>(
  ctx: GateContext,
  root: RenderRoot,
  result: R,
): R | {ok: false; unavailable: true; message: string} {
  if (root.via !== 'argocd' || result.ok || 'unavailable' in result || 'limit' in result) return result
  const plugin = PLUGIN_REFUSED.exec(result.message)?.[1]
  const {options} = plugin === undefined ? {} : buildOptionsOf(ctx)
  if (options === undefined || !options.split(/\s+/).includes('--enable-alpha-plugins')) return result
  return {
    ok: false,
    unavailable: true,
    message: `it names the kustomize plugin ${plugin}, which Argo CD runs (--enable-alpha-plugins in its kustomize.buildOptions) and the gate never runs`,
  }
}
