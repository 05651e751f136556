/**
 * The renderers of `gitops diff`, as `gitops verify --render` finds them: the standalone kustomize on PATH and helm
 * when it answers, their versions remembered per binary in the checkout (src/gitops/render/tool-versions.ts) so a
 * warm run starts neither; the probes run while the revisions are read.
 */
import type {Helm} from '../../effects/helm.js'
import type {Kustomize} from '../../effects/kustomize.js'

export async function diffRenderers(
  root: string,
  cliVersion: string | undefined,
): Promise<{kustomize: Kustomize; helm: Promise<Helm | undefined>; remembered: Promise<void>}> {
  const [{kustomize}, {findHelm}, {ToolVersions}] = await Promise.all([
    import('../../effects/kustomize.js'),
    import('../../effects/helm.js'),
    import('../render/tool-versions.js'),
  ])
  const versions = cliVersion === undefined ? null : ToolVersions.open(root, cliVersion)
  const [knownHelm, knownKustomize] = await Promise.all([versions?.get('helm'), versions?.get('kustomize')])
  const k = kustomize('kustomize', knownKustomize)
  const helm = findHelm('helm', knownHelm)
  const kustomizeVersion = k.version!().catch(() => undefined)
  const remembered = (async () => {
    if (!versions) return
    const [h, kv] = await Promise.all([helm, kustomizeVersion])
    if (h) await versions.set('helm', h.version)
    if (kv && kv !== 'unknown') await versions.set('kustomize', kv)
    versions.save()
  })()
  remembered.catch(() => undefined)
  return {kustomize: k, helm, remembered}
}
