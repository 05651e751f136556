/**
 * An Argo CD Application's sources, read as the repo-server reads them (argoproj/argo-cd
 * `reposerver/repository/repository.go`): a source whose `path` holds a `Chart.yaml` is Helm — release
 * `helm.releaseName` or the Application's name, namespace `helm.namespace` or the destination's, value files
 * resolved from the chart folder (`/x` from the repository root, `$ref/x` from the root of the `ref:` source; globs
 * expanded lexically; everything confined to the repository), `values`/`valuesObject`, `parameters` (`forceString`
 * → `--set-string`) and `fileParameters`. Before its type is decided, the source's `.argocd-source*.yaml` overrides are
 * merged (./overrides.ts). A kustomize folder goes to the kustomize path, a folder of plain manifests is a directory
 * source (./directory.ts), its jsonnet evaluated (./jsonnet-source.ts); config-management plugins are not run:
 * render-unavailable, named. A chart from
 * a chart repository (https or OCI) is a `remote` chart, fetched by src/gitops/charts when the base declares its
 * repository; a git repository other than this checkout or a value file URL is never fetched: render-unavailable.
 * The Helm source itself: ./helm-source.ts.
 */
import type {DeployablesContext} from './context.js'
import {selectDirectory} from './directory.js'
import {kustomizeEdits} from './kustomize-options.js'
import type {DirectoryDeployable, HelmDeployable, KustomizeUse, Unrenderable} from './model.js'
import {overrideName, withOverrides} from './overrides.js'
import type {ArgoApplication, SpecPath} from './types.js'
import {clean, destinationNamespace, environmentFolder, isMap, str} from './source-helpers.js'
import {filesUnder, KUSTOMIZATION, refValueFiles, sourceType} from './source-inputs.js'
import {jsonnetSource} from './jsonnet-source.js'
import {remoteChartOf} from './remote-chart.js'
import {helmDeployable, overrideLayer} from './helm-source.js'

export interface ApplicationDeployables {
  helm: HelmDeployable[]
  kustomize: KustomizeUse[]
  directory: DirectoryDeployable[]
  unrenderable: Unrenderable[]
}

export function applicationDeployables(app: ArgoApplication, ctx: DeployablesContext): ApplicationDeployables {
  const out: ApplicationDeployables = {helm: [], kustomize: [], directory: [], unrenderable: []}
  const single = isMap(app.spec.source)
  const sources: Array<{source: Record<string, unknown>; at: SpecPath}> = single
    ? [{source: app.spec.source as Record<string, unknown>, at: ['source']}]
    : (Array.isArray(app.spec.sources) ? app.spec.sources : []).flatMap((s, i) =>
        isMap(s) ? [{source: s, at: ['sources', i]}] : [],
      )
  const lineAt = (p: SpecPath) => app.lineOf(p) ?? app.line
  const declaredEnv = app.environment ?? ctx.envOf(app.file) ?? environmentFolder(app.file)
  const unavailable = (
    p: SpecPath,
    message: string,
    status: Unrenderable['status'] = 'unavailable',
    inputs?: Unrenderable['inputs'],
  ) =>
    out.unrenderable.push({
      file: app.file,
      line: lineAt(p),
      environment: declaredEnv,
      application: app.name,
      message: `Application ${app.name}: ${message}`,
      status,
      ...(inputs ? {inputs} : {}),
    })
  // `ref:` sources: `$name/…` value files resolve from the root of that source's repository.
  const refs = new Map<string, {mine: boolean; repoURL: string}>()
  for (const {source} of sources) {
    const ref = str(source.ref)
    if (ref) refs.set(ref, {mine: ctx.isThisRepository(str(source.repoURL) ?? ''), repoURL: str(source.repoURL) ?? ''})
  }
  for (const {source: written, at} of sources) {
    const repoURL = str(written.repoURL) ?? ''
    const chart = str(written.chart)
    const inputs = {
      spec: {source: written, name: app.name, destination: app.spec.destination ?? null},
      reads: [app.file],
    }
    const remote = remoteChartOf(written, chart, app)
    if (remote) {
      // Its `$ref/…` value files of this repository are inputs: a change to them changes what it deploys.
      inputs.reads.push(...refValueFiles(written, refs, ctx))
      if ('problem' in remote) {
        unavailable([...at, 'chart'], remote.problem, 'unavailable', inputs)
        continue
      }
      const d = helmDeployable(app, written, at, '', refs, ctx, unavailable, remote)
      if (d) out.helm.push(d)
      continue
    }
    const p = str(written.path)
    if (p === undefined) continue // a `ref:`-only source renders nothing of its own
    if (!ctx.isThisRepository(repoURL)) {
      unavailable(
        [...at, 'repoURL'],
        `source ${repoURL || '(no repoURL)'} is not this repository: the gate does not fetch other repositories, so ${p} there is not rendered.`,
        'unavailable',
        inputs,
      )
      continue
    }
    const dir = ctx.confined(clean(p))
    if (dir === undefined) {
      unavailable([...at, 'path'], `source path ${p} leaves the revision: it is not read.`, 'refused', inputs)
      continue
    }
    // The repo-server merges the override files first, then decides the source's type.
    const merged = withOverrides(written, dir, overrideName(app.name, app.namespace), ctx.readText, ctx.yaml)
    inputs.reads.push(...merged.files)
    if (merged.error) {
      unavailable(at, `error while parsing source parameters: ${merged.error}`, 'failed', inputs)
      continue
    }
    const source = merged.source
    const type = sourceType(source, dir, ctx)
    if (type.error) {
      unavailable(at, `${type.error}`, 'failed', inputs)
      continue
    }
    if (type.type === 'Plugin') {
      const name = isMap(source.plugin) ? str(source.plugin.name) : undefined
      unavailable(
        [...at, 'plugin'],
        `source ${dir || '.'} is rendered by the config management plugin${name ? ` ${name}` : ''} in Argo CD's repo-server, which the gate does not run: what it deploys is not rendered or judged.`,
        'unavailable',
        {...inputs, reads: [...inputs.reads, ...filesUnder(ctx, dir)]},
      )
      continue
    }
    if (type.type === 'Kustomize') {
      if (!KUSTOMIZATION.some((f) => ctx.files.has(dir ? `${dir}/${f}` : f))) {
        unavailable([...at, 'kustomize'], `kustomize source ${dir || '.'} holds no kustomization.`, 'failed', inputs)
        continue
      }
      const env = declaredEnv ?? ctx.envOf(`${dir}/kustomization.yaml`)
      const edits = kustomizeEdits(source.kustomize)
      out.kustomize.push({
        dir,
        environment: env,
        declaredIn: app.file,
        application: app.name,
        ...(Object.keys(edits).length > 0 ? {edits, editsIn: merged.files.at(-1) ?? app.file} : {}),
        ...(destinationNamespace(app) ? {namespace: destinationNamespace(app)} : {}),
      })
      continue
    }
    if (type.type === 'Directory') {
      const selection = selectDirectory(source, dir, ctx)
      const jsonnet = jsonnetSource(selection, source, dir, app, ctx)
      if (![...ctx.files].some((f) => dir === '' || f.startsWith(`${dir}/`))) {
        unavailable([...at, 'path'], `app path ${dir || '.'} does not exist in this repository.`, 'failed', inputs)
        continue
      }
      out.directory.push({
        kind: 'directory',
        application: app.name,
        file: app.file,
        line: app.line,
        environment: declaredEnv ?? ctx.envOf(`${dir}/kustomization.yaml`) ?? environmentFolder(`${dir}/`),
        dir,
        manifests: selection.manifests,
        ...(jsonnet.jsonnet ? {jsonnet: jsonnet.jsonnet} : {}),
        ...(destinationNamespace(app) ? {namespace: destinationNamespace(app)} : {}),
        reads: [...inputs.reads, ...jsonnet.reads],
        spec: {source, name: app.name, destination: app.spec.destination ?? null},
      })
      continue
    }
    const d = helmDeployable(app, source, at, dir, refs, ctx, unavailable)
    if (d) {
      d.reads.push(...merged.files)
      d.layers.push(...merged.files.map((f) => overrideLayer(f, ctx)))
      out.helm.push(d)
    }
  }
  return out
}
