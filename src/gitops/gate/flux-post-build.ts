/**
 * kustomize-controller's post-build variable substitution over a Flux root's built YAML, by Flux's own code: the
 * render module's fluxcd/pkg envsubst, per resource as the controller's build runs it (effects/render-module/flux.ts).
 * There is no imitation: without the module a root with variables is render-unavailable, named; Flux's error (a
 * variable with no value and no default, a value that breaks the YAML) fails the root, as it fails in the cluster.
 */
import type {FluxPostBuild} from '../../effects/render-module/flux.js'
import type {RenderedText} from '../kubernetes/objects.js'
import type {RenderGateInput} from './types.js'
import type {RenderRoot} from '../render/plan-types.js'

export type PostBuilt =
  ({ok: true} & RenderedText) | {ok: false; status: 'unavailable' | 'failed' | 'limited'; message: string}

/**
 * The root's objects as kustomize-controller applies them (before commonMetadata), from `kustomize build`'s output
 * (its documents as the render module read them kept while the text is unchanged).
 */
export async function fluxPostBuild(
  input: RenderGateInput,
  root: RenderRoot,
  output: RenderedText,
): Promise<PostBuilt> {
  const {yaml} = output
  const vars = root.flux?.substitute
  // With no variable (and not substituteStrategy: Always) the controller's substitution leaves every resource as is.
  if (!vars || (Object.keys(vars).length === 0 && root.flux?.substituteAlways !== true)) return {ok: true, ...output}
  const postBuild = await postBuildOf(input)
  if (!postBuild) return {ok: false, status: 'unavailable', message: UNAVAILABLE}
  const result = await postBuild.substitute({yaml, vars, always: root.flux?.substituteAlways === true})
  if (result.ok) return {ok: true, yaml: result.yaml}
  const status = result.unavailable ? 'unavailable' : result.limit ? 'limited' : 'failed'
  return {ok: false, status, message: result.message}
}

const UNAVAILABLE =
  "its Flux Kustomization's postBuild variables are substituted by kustomize-controller with fluxcd/pkg envsubst: ameide substitutes them only with its render module (Flux's envsubst as WebAssembly), which is not built (npm run build), so what it deploys is not rendered or judged."

/** The gate's post-build: the input's, else the render module's (looked up once per gate input). */
const postBuilds = new WeakMap<object, Promise<FluxPostBuild | undefined>>()
function postBuildOf(input: RenderGateInput): Promise<FluxPostBuild | undefined> {
  if (input.fluxPostBuild !== undefined) return Promise.resolve(input.fluxPostBuild ?? undefined)
  if (!postBuilds.has(input))
    postBuilds.set(
      input,
      import('../render/renderers.js').then((r) => r.findFluxPostBuild()),
    )
  return postBuilds.get(input)!
}
