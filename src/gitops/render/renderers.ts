/**
 * The renderers of `gitops verify --render` and `gitops diff`: the standalone kustomize on PATH and helm when it
 * answers. With a `cliVersion`, their versions are remembered per binary in the checkout (./tool-versions.ts), so a
 * warm run starts neither. Both versions are asked at once and not awaited here: the probes run while the tree is
 * scanned (or the revisions read); the gate awaits them before its first render, and a missing kustomize is
 * reported there. `remembered` settles once the versions are saved. Both render inside the sandbox
 * (effects/sandbox.ts) where this machine can make one; `untrusted` requires it: without one they render nothing.
 */
import type {Helm} from '../../effects/helm.js'
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
}> {
  const [{kustomize}, {findHelm}, {ToolVersions}, {probeSandbox, untrustedByEnvironment}] = await Promise.all([
    import('../../effects/kustomize.js'),
    import('../../effects/helm.js'),
    import('./tool-versions.js'),
    import('../../effects/sandbox.js'),
  ])
  const confinement: Confinement = {
    required: options.untrusted === true || untrustedByEnvironment(),
    sandbox: probeSandbox(),
  }
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
