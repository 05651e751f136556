/**
 * The renderers of `gitops verify --render`, `gitops diff` and `gitops preview`. Where the render module is built
 * (effects/render-module: Helm's and kustomize's own Go code as WebAssembly, over the revision in memory), it renders
 * everything, trusted or not, on every OS and in any container: nothing to install, nothing to sandbox. Without it,
 * the standalone kustomize on PATH and helm when it answers, inside the sandbox (effects/sandbox.ts) where this
 * machine can make one; `untrusted` requires it then: without one they render nothing. The binaries' versions are
 * remembered per binary in the checkout (./tool-versions.ts) when given a `cliVersion`, so a warm run starts neither;
 * both are asked at once and not awaited here (the gate awaits them before its first render). `remembered` settles
 * once the versions are saved.
 */
import type {Helm} from '../../effects/helm.js'
import type {FluxPostBuild} from '../../effects/render-module/flux.js'
import type {Jsonnet} from '../../effects/render-module/jsonnet.js'
import type {Kustomize} from '../../effects/kustomize.js'
import type {Confinement} from '../../effects/sandbox.js'

export async function findRenderers(
  root: string,
  cliVersion: string | undefined,
  options: {untrusted?: boolean} = {},
): Promise<{
  kustomize: Kustomize
  helm: Promise<Helm | undefined>
  remembered: Promise<void>
  confinement: Confinement
  /** The revision is someone else's (`--untrusted`, a pull request's job): it may not name what is fetched. */
  untrusted: boolean
}> {
  const [{sharedRenderModule}, {untrustedByEnvironment}] = await Promise.all([
    import('../../effects/render-module/host.js'),
    import('../../effects/sandbox.js'),
  ])
  const untrusted = options.untrusted === true || untrustedByEnvironment()
  const module = sharedRenderModule()
  if (module) {
    const [{moduleHelm}, {moduleKustomize}] = await Promise.all([
      import('../../effects/render-module/helm.js'),
      import('../../effects/render-module/kustomize.js'),
    ])
    const confinement: Confinement = {
      required: false,
      sandbox: Promise.resolve({available: false, kind: 'none', reason: 'not needed', fix: ''}),
    }
    return {
      kustomize: moduleKustomize(module),
      helm: Promise.resolve(moduleHelm(module)),
      remembered: Promise.resolve(),
      confinement,
      untrusted,
    }
  }
  return {...(await findBinaries(root, cliVersion, untrusted)), untrusted}
}

async function findBinaries(root: string, cliVersion: string | undefined, untrusted: boolean) {
  const [{kustomize}, {findHelm}, {ToolVersions}, {probeSandbox}] = await Promise.all([
    import('../../effects/kustomize.js'),
    import('../../effects/helm.js'),
    import('./tool-versions.js'),
    import('../../effects/sandbox.js'),
  ])
  const confinement: Confinement = {required: untrusted, sandbox: probeSandbox()}
  const versions = cliVersion === undefined ? null : ToolVersions.open(root, cliVersion)
  const [knownHelm, knownKustomize] = await Promise.all([versions?.get('helm'), versions?.get('kustomize')])
  const k = kustomize('kustomize', knownKustomize, confinement)
  const helm = findHelm('helm', knownHelm, confinement)
  const kustomizeVersion = k.version!().catch(() => undefined)
  const remembered = (async () => {
    if (!versions) return
    const [h, kv] = await Promise.all([helm, kustomizeVersion])
    if (h) await versions.set('helm', h.version)
    if (kv && kv !== 'unknown') await versions.set('kustomize', kv)
    versions.save()
  })()
  remembered.catch(() => undefined) // awaited after the run; not unhandled if the run throws first
  return {kustomize: k, helm, remembered, confinement}
}

/**
 * Argo CD's jsonnet evaluation: the render module's go-jsonnet, or nothing (there is no binary to fall back on: a
 * source holding jsonnet is then render-unavailable, named). Loaded on the first source that holds jsonnet.
 */
export async function findJsonnet(): Promise<Jsonnet | undefined> {
  const {sharedRenderModule} = await import('../../effects/render-module/host.js')
  const module = sharedRenderModule()
  if (!module?.build.jsonnet) return undefined
  const {moduleJsonnet} = await import('../../effects/render-module/jsonnet.js')
  return moduleJsonnet(module, module.build.jsonnet)
}

/**
 * A Flux Kustomization's post-build variable substitution: the render module's (fluxcd/pkg envsubst, per resource as
 * kustomize-controller runs it), or nothing (no imitation: a root with variables is then render-unavailable, named).
 */
export async function findFluxPostBuild(): Promise<FluxPostBuild | undefined> {
  const {sharedRenderModule} = await import('../../effects/render-module/host.js')
  const module = sharedRenderModule()
  if (!module?.build.envsubst) return undefined
  const {moduleFluxPostBuild} = await import('../../effects/render-module/flux.js')
  return moduleFluxPostBuild(module, module.build.envsubst)
}
