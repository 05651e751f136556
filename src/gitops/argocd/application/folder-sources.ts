/**
 * The folder sources of an Argo CD Application once their type is decided (./sources.ts): a kustomize folder as a
 * kustomize use, a folder of plain manifests as a directory source, a config management plugin's as unavailable.
 */
import type {DeployablesContext} from '../../model/context.js'
import {selectDirectory} from '../directory/directory.js'
import {jsonnetSource} from '../directory/jsonnet-source.js'
import {argoKustomize, kustomizeEdits, substituted} from '../kustomize/kustomize-options.js'
import {kubeVersions} from '../helm/helm-source.js'
import type {DirectoryDeployable, HelmDeployable, KustomizeUse, Unrenderable} from '../../model/model.js'
import type {ArgoApplication, SpecPath} from '../../model/types.js'
import {
  argoEnv,
  destinationNamespace,
  environmentFolder,
  isMap,
  str,
  unknownVariables,
} from '../../model/source-helpers.js'
import {filesUnder, KUSTOMIZATION, type SourceRef} from '../../model/source-inputs.js'
import type {MappedSource} from '../../revision/source-repos.js'

export interface ApplicationDeployables {
  helm: HelmDeployable[]
  kustomize: KustomizeUse[]
  directory: DirectoryDeployable[]
  unrenderable: Unrenderable[]
}

/** An Application's sources being read, and where what they deploy goes. */
export interface SourcesRead {
  app: ArgoApplication
  ctx: DeployablesContext
  /** `ref:` sources: `$name/…` value files resolve from the root of that source's repository. */
  refs: Map<string, SourceRef>
  out: ApplicationDeployables
  /** The environment the Application, its file or its folder names (null when none does). */
  declaredEnv: string | null
  /**
   * The source is a Source Hydrator's dry source: rendered without the cluster's state (no Kubernetes version, no
   * API versions: the repo-server's helm defaults), as the hydrator asks the repo-server (./source-hydrator.ts).
   */
  hydrated: boolean
  /** Records a source not rendered, at a field of the Application's spec. */
  unavailable: (p: SpecPath, message: string, status?: Unrenderable['status'], inputs?: Unrenderable['inputs']) => void
}

/** What a source reads: its spec and the files a change to which changes what it deploys. */
export type SourceInputs = {spec: unknown; reads: string[]}

/** A config management plugin's source: not run, so unavailable, with the folder's files as its inputs. */
export function pluginUnavailable(
  r: SourcesRead,
  source: Record<string, unknown>,
  at: SpecPath,
  dir: string,
  inputs: SourceInputs,
  ofTree = false,
): void {
  const name = isMap(source.plugin) ? str(source.plugin.name) : undefined
  r.unavailable(
    [...at, 'plugin'],
    `source ${dir || '.'} is rendered by the config management plugin${name ? ` ${name}` : ''} in Argo CD's repo-server, which the gate does not run: what it deploys is not rendered or judged.`,
    'unavailable',
    // The folder too: what a link in it resolves to is an input (RenderFindings reads through links); another
    // tree's folder is in its commit.
    ofTree ? inputs : {...inputs, reads: [...inputs.reads, dir, ...filesUnder(r.ctx, dir)]},
  )
}

/**
 * A kustomize source: its folder as a kustomize use, with the Application's kustomize options as edits (`tree`: read
 * from another tree, `ctx` over it).
 */
export function readKustomizeSource(
  r: SourcesRead,
  source: Record<string, unknown>,
  at: SpecPath,
  dir: string,
  inputs: SourceInputs,
  overrideFiles: readonly string[],
  tree?: {ctx: DeployablesContext; of: MappedSource},
): void {
  const {app} = r
  const ctx = tree?.ctx ?? r.ctx
  if (!KUSTOMIZATION.some((f) => ctx.files.has(dir ? `${dir}/${f}` : f))) {
    r.unavailable([...at, 'kustomize'], `kustomize source ${dir || '.'} holds no kustomization.`, 'failed', inputs)
    return
  }
  const env = r.declaredEnv ?? ctx.envOf(`${dir}/kustomization.yaml`)
  const edits = kustomizeEdits(source.kustomize)
  const argo = argoKustomize(source.kustomize, argoEnv(app, source))
  const unknown = argo ? substituted(argo).flatMap(unknownVariables) : []
  if (unknown.length > 0) {
    const message = `kustomize options name $${unknown[0]}, the commit Argo CD resolves, which ameide does not know: ${dir || '.'} is not rendered.`
    r.unavailable([...at, 'kustomize'], message, 'unavailable', inputs)
    return
  }
  r.out.kustomize.push({
    dir,
    environment: env,
    declaredIn: app.file,
    application: app.name,
    // Another tree's override files are no lines of this revision: what they set points at the Application.
    ...(Object.keys(edits).length > 0 ? {edits, editsIn: (tree ? undefined : overrideFiles.at(-1)) ?? app.file} : {}),
    ...(argo ? {argo} : {}),
    ...(destinationNamespace(app) ? {namespace: destinationNamespace(app)} : {}),
    ...(tree ? {tree: {dir: tree.of.dir, commit: tree.of.commit}} : {}),
    ...helmVersionsOf(source),
  })
}

/**
 * What Argo CD gives kustomize's Helm inflation in place of the cluster's (GetKubeVersionOrDefault,
 * GetAPIVersionsOrDefault): the source's `helm.kubeVersion`, else its `kustomize.kubeVersion`; the API versions alike.
 */
function helmVersionsOf(source: Record<string, unknown>): Pick<KustomizeUse, 'helmVersions'> {
  const of = (v: unknown) => kubeVersions(v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {})
  const [helm, kustomize] = [of(source.helm), of(source.kustomize)]
  const kubeVersion = helm.kubeVersion ?? kustomize.kubeVersion
  const apiVersions = helm.apiVersions ?? kustomize.apiVersions
  if (!kubeVersion && !apiVersions) return {}
  return {helmVersions: {...(kubeVersion ? {kubeVersion} : {}), ...(apiVersions ? {apiVersions} : {})}}
}

/**
 * A directory source: its manifests and jsonnet files as Argo CD selects them, or why they are not read (no such
 * folder). `tree`: read from another tree (a pinned revision, a mapped repository), `ctx` over it; the tree's commit
 * is then its input, none of this revision's files.
 */
export function readDirectorySource(
  r: SourcesRead,
  source: Record<string, unknown>,
  at: SpecPath,
  dir: string,
  inputs: SourceInputs,
  tree?: {ctx: DeployablesContext; of: MappedSource},
): void {
  const {app} = r
  const ctx = tree?.ctx ?? r.ctx
  const selection = selectDirectory(source, dir, ctx)
  const jsonnet = jsonnetSource(selection, source, dir, app, ctx)
  if (![...ctx.files].some((f) => dir === '' || f.startsWith(`${dir}/`))) {
    const where = tree ? `${tree.of.url} at commit ${tree.of.commit.slice(0, 12)}` : 'this repository'
    r.unavailable([...at, 'path'], `app path ${dir || '.'} does not exist in ${where}.`, 'failed', inputs)
    return
  }
  r.out.directory.push({
    kind: 'directory',
    application: app.name,
    file: app.file,
    line: app.line,
    environment: r.declaredEnv ?? ctx.envOf(`${dir}/kustomization.yaml`) ?? environmentFolder(`${dir}/`),
    dir,
    manifests: selection.manifests,
    ...(jsonnet.jsonnet ? {jsonnet: jsonnet.jsonnet} : {}),
    ...(destinationNamespace(app) ? {namespace: destinationNamespace(app)} : {}),
    ...(tree ? {tree: {dir: tree.of.dir, commit: tree.of.commit}} : {}),
    reads: [...inputs.reads, ...(tree ? [] : jsonnet.reads)],
    spec: {source, name: app.name, destination: app.spec.destination ?? null},
  })
}
