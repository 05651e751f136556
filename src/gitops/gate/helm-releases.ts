/**
 * HelmReleases as a kustomize build applies them. kustomize-controller (or Argo CD) applies the HelmRelease its build
 * prints — patched by an overlay, its variables substituted by Flux's post-build, moved by targetNamespace — and
 * helm-controller renders the chart from that object, not from the file. Where a build's HelmRelease differs from the
 * file's, the Helm wave renders the built one (one per build that prints it: each environment its own); where every
 * build prints the file's own (whichever environments print it), the file's deployable stays (its lines point at the
 * values it renders).
 */
import {canonicalJson} from '../../core/canonical-json.js'
import type {Deployables} from '../deployables/index.js'
import type {HelmDeployable} from '../model/model.js'
import type {GateContext} from './types.js'
import type {RenderedObject} from '../kubernetes/objects.js'
import type {Manifest} from '../kubernetes/manifests.js'

export const isHelmRelease = (o: RenderedObject): boolean =>
  o.kind === 'HelmRelease' && o.apiVersion.startsWith('helm.toolkit.fluxcd.io/')

/**
 * The wave's Helm deployables with each HelmRelease the wave's builds changed replaced by its built forms; a release
 * whose file's own form is not rendered (its `valuesFrom` a generator's ConfigMap, say) is read as built too.
 */
export function asBuilt(ctx: GateContext, helm: HelmDeployable[], deployables: Deployables): HelmDeployable[] {
  const built = ctx.builtReleases.splice(0)
  if (built.length === 0) return helm
  const variants = new Map<HelmDeployable, HelmDeployable[]>()
  const unrendered: HelmDeployable[] = []
  for (const {root, object, printed} of built) {
    const source = sourceOf(helm, object)
    const declared = source ?? notRenderedAsWritten(deployables, object)
    if (!declared) continue
    const derived = deployables.releaseFrom({
      doc: object.body,
      file: declared.file,
      line: declared.line,
      environment: root.environment,
      holders: valueHolders(printed, declared.file),
    })
    if (derived.unrenderable) ctx.out.unrenderable([derived.unrenderable])
    if (!source) {
      if (derived.helm) unrendered.push(derived.helm)
      continue
    }
    const list = variants.get(source) ?? []
    if (derived.helm) list.push(derived.helm)
    else list.push(source) // its finding is recorded; nothing of it renders as the file has it
    variants.set(source, list)
  }
  const out: HelmDeployable[] = []
  for (const d of helm) {
    const forms = variants.get(d)
    if (!forms || forms.every((f) => sameRelease(f, d))) out.push(d)
    else out.push(...distinct(forms.filter((f) => f !== d)))
  }
  return [...out, ...distinct(unrendered)]
}

/** The not-rendered finding of the file's HelmRelease a built one came from (not rendered as its file has it). */
function notRenderedAsWritten(deployables: Deployables, object: RenderedObject) {
  if (object.origin === null) return undefined
  return deployables.unrenderable.find(
    (u) =>
      u.file === object.origin && u.application?.endsWith(`/${object.name}`) && u.message.startsWith('HelmRelease '),
  )
}

/** The ConfigMaps and Secrets a build printed, as the manifests a release's `valuesFrom` is read from. */
function valueHolders(printed: readonly RenderedObject[], file: string): Manifest[] {
  return printed
    .filter((o) => o.apiVersion === 'v1' && (o.kind === 'ConfigMap' || o.kind === 'Secret'))
    .map((o) => ({
      file: o.origin ?? file,
      line: 1,
      apiVersion: o.apiVersion,
      kind: o.kind,
      name: o.name,
      ...(o.namespace ? {namespace: o.namespace} : {}),
      doc: o.body as Record<string, unknown>,
      text: '',
      lineOf: () => undefined,
    }))
}

/** The file's HelmRelease a built one came from: the only one of its file, else the one of the same name. */
function sourceOf(helm: readonly HelmDeployable[], object: RenderedObject): HelmDeployable | undefined {
  if (object.origin === null) return undefined
  const inFile = helm.filter((d) => d.kind === 'HelmRelease' && d.file === object.origin)
  if (inFile.length === 1) return inFile[0]
  return inFile.find((d) => (d.spec as {name?: string} | undefined)?.name === object.name)
}

/** Whether two HelmRelease deployables render the same objects: the same spec, name and namespace. */
const sameRelease = (a: HelmDeployable, b: HelmDeployable): boolean => canonicalJson(a.spec) === canonicalJson(b.spec)

function distinct(forms: HelmDeployable[]): HelmDeployable[] {
  const seen = new Set<string>()
  return forms.filter((f) => {
    const key = `${f.environment ?? ''}\0${f.application}\0${canonicalJson(f.spec)}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}
