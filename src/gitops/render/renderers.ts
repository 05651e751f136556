/**
 * The renderers of `gitops verify --render`, `gitops diff` and `gitops preview`: the render module
 * (effects/render-module: Helm's and kustomize's own Go code as WebAssembly, over the revision in memory), which
 * renders everything, trusted or not, on every OS and in any container. There is no other: without the module (a
 * source checkout built without Go) every chart and kustomize root is render-unavailable, naming the fix
 * (./unbuilt.ts).
 */
import type {Helm} from '../../effects/helm.js'
import type {RenderModule} from '../../effects/render-module/host.js'
import type {FluxPostBuild} from '../../effects/render-module/flux.js'
import type {Jsonnet} from '../../effects/render-module/jsonnet.js'
import type {KubeValidator} from '../../effects/render-module/kube-validate.js'
import type {Kustomize} from '../../effects/kustomize.js'

export async function findRenderers(options: {untrusted?: boolean} = {}): Promise<{
  kustomize: Kustomize
  /** Undefined: the module is not built (each Helm deployable is render-unavailable). */
  helm: Promise<Helm | undefined>
  /** The revision is someone else's (`--untrusted`, a pull request's job): it may not name what is fetched. */
  untrusted: boolean
  /** False without the module: nothing renders, so `verify --render` fails closed (what it renders is required). */
  built: boolean
  /**
   * Whether anything renders here, asked again after the renders (the engine is decided by the first): false, nothing
   * did, so `verify --render` fails closed as without the module.
   */
  rendersHere: () => boolean
}> {
  const [{sharedRenderModule}, {untrustedByEnvironment}] = await Promise.all([
    import('../../effects/render-module/host.js'),
    import('../../effects/actions.js'),
  ])
  const untrusted = options.untrusted === true || untrustedByEnvironment()
  const module = sharedRenderModule()
  if (!module) {
    const {unbuiltKustomize} = await import('./unbuilt.js')
    return {
      kustomize: unbuiltKustomize,
      helm: Promise.resolve(undefined),
      untrusted,
      built: false,
      rendersHere: () => false,
    }
  }
  const [{moduleHelm}, {moduleKustomize}] = await Promise.all([
    import('../../effects/render-module/helm.js'),
    import('../../effects/render-module/kustomize.js'),
  ])
  return {
    kustomize: moduleKustomize(module),
    helm: Promise.resolve(moduleHelm(module)),
    untrusted,
    built: true,
    rendersHere: () => module.rendersHere(),
  }
}

/**
 * The render module started on another thread now (compiled, instantiated, Go's runtime initialised), while this one
 * reads the revisions: for a run that will render. A start that fails says so at the first render.
 */
export async function warmRenderModule(): Promise<void> {
  const {sharedRenderModule} = await import('../../effects/render-module/host.js')
  sharedRenderModule()
    ?.warm()
    .catch(() => undefined)
}

/**
 * The revisions' trees sent ahead to the native helper {@link warmRenderModule} started: it takes them in on its own
 * core while this thread reads the revisions' models, instead of at the first render.
 */
export async function holdRevisions(dirs: readonly string[]): Promise<void> {
  const {sharedRenderModule} = await import('../../effects/render-module/host.js')
  await sharedRenderModule()
    ?.hold(dirs)
    .catch(() => undefined)
}

/**
 * Argo CD's jsonnet evaluation: the render module's go-jsonnet, or nothing (a source holding jsonnet is then
 * render-unavailable, named). Loaded on the first source that holds jsonnet.
 */
export async function findJsonnet(): Promise<Jsonnet | undefined> {
  return fromModule('jsonnet', async () => (await import('../../effects/render-module/jsonnet.js')).moduleJsonnet)
}

/**
 * A Flux Kustomization's post-build variable substitution: the render module's (fluxcd/pkg envsubst, per resource as
 * kustomize-controller runs it), or nothing (no imitation: a root with variables is then render-unavailable, named).
 */
export async function findFluxPostBuild(): Promise<FluxPostBuild | undefined> {
  return fromModule('envsubst', async () => (await import('../../effects/render-module/flux.js')).moduleFluxPostBuild)
}

/**
 * The API server's validation of CRDs and custom resources: the native render helper's apiextensions-apiserver (not
 * linked into WebAssembly: where no helper runs, it answers that it is unavailable), or nothing without the module.
 */
export async function findKubeValidator(): Promise<KubeValidator | undefined> {
  const [{sharedRenderModule}, {nativeBuild}, {moduleKubeValidator}] = await Promise.all([
    import('../../effects/render-module/host.js'),
    import('../../effects/render-module/native.js'),
    import('../../effects/render-module/kube-validate.js'),
  ])
  const module = sharedRenderModule()
  return module ? moduleKubeValidator(module, nativeBuild()?.apiextensions ?? 'none') : undefined
}

/**
 * What the render module does with the library its build names `library` (with that release), by the adapter
 * `load` imports then; undefined without the module or when its build has no such library.
 */
async function fromModule<T>(
  library: 'jsonnet' | 'envsubst',
  load: () => Promise<(module: RenderModule, version: string) => T>,
): Promise<T | undefined> {
  const {sharedRenderModule} = await import('../../effects/render-module/host.js')
  const module = sharedRenderModule()
  const version = module?.build[library]
  if (!module || !version) return undefined
  return (await load())(module, version)
}
