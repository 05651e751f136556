/**
 * An Argo CD Application's sources, read as the repo-server reads them (argoproj/argo-cd
 * `reposerver/repository/repository.go`): a source whose `path` holds a `Chart.yaml` is Helm — release
 * `helm.releaseName` or the Application's name, namespace `helm.namespace` or the destination's, value files
 * resolved from the chart folder (`/x` from the repository root, `$ref/x` from the root of the `ref:` source; globs
 * expanded lexically; everything confined to the repository), `values`/`valuesObject`, `parameters` (`forceString`
 * → `--set-string`) and `fileParameters`. Before its type is decided, the source's `.argocd-source*.yaml` overrides are
 * merged (./overrides.ts). A kustomize folder goes to the kustomize path, a folder of plain manifests is a directory
 * source (./directory.ts); jsonnet and config-management plugins are not run: render-unavailable, named. A chart from
 * a chart repository (https or OCI) is a `remote` chart, fetched by src/gitops/charts when the base declares its
 * repository; a git repository other than this checkout or a value file URL is never fetched: render-unavailable.
 */
import path from 'node:path'

import {globMatcher} from '../../core/glob.js'
import type {DeployablesContext} from './context.js'
import {selectDirectory} from './directory.js'
import {kustomizeEdits} from './kustomize-options.js'
import {
  leaves,
  parseSetName,
  type DirectoryDeployable,
  type HelmDeployable,
  type KustomizeUse,
  type RemoteChart,
  type Unrenderable,
  type ValueLayer,
} from './model.js'
import {overrideName, withOverrides} from './overrides.js'
import {chartAddress} from './helmrelease.js'
import {releaseNameProblem} from './release-name.js'
import type {ArgoApplication, SpecPath} from './types.js'
import {linedDocuments} from './yaml-lines.js'

export interface ApplicationDeployables {
  helm: HelmDeployable[]
  kustomize: KustomizeUse[]
  directory: DirectoryDeployable[]
  unrenderable: Unrenderable[]
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)
const clean = (p: string) => path.posix.normalize(p.replace(/^\.\//, '')).replace(/\/$/, '').replace(/^\.$/, '')
const GLOB = /[*?[]/

/** `$ARGOCD_APP_NAME` and friends, as the repo-server substitutes them in parameters and value-file paths. */
function substitute(text: string, app: ArgoApplication): string {
  const env: Record<string, string> = {ARGOCD_APP_NAME: app.name, ARGOCD_APP_NAMESPACE: destinationNamespace(app) ?? ''}
  return text.replace(/\$\{?(ARGOCD_APP_NAME|ARGOCD_APP_NAMESPACE)\}?/g, (_, k: string) => env[k])
}

/** `environments/<env>/…`: the design documents' folder per environment (seed 000), as the ApplicationSets read it. */
export const environmentFolder = (file: string): string | null =>
  /(?:^|\/)environments\/([^/]+)\//.exec(file)?.[1] ?? null

const destinationNamespace = (app: ArgoApplication) =>
  str(isMap(app.spec.destination) ? app.spec.destination.namespace : undefined)

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
      if (selection.jsonnet.length > 0) {
        unavailable(
          at,
          `source ${dir || '.'} holds jsonnet (${selection.jsonnet.slice(0, 3).join(', ')}${selection.jsonnet.length > 3 ? ', …' : ''}), which Argo CD evaluates with its jsonnet VM: the gate does not, so what it deploys is not rendered or judged.`,
          'unavailable',
          // Jsonnet imports whatever it likes: the folder and the libraries' folders (`jsonnet.libs`) are its inputs.
          {...inputs, reads: [...inputs.reads, ...filesUnder(ctx, dir), ...jsonnetLibs(source, ctx)]},
        )
        continue
      }
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
        ...(destinationNamespace(app) ? {namespace: destinationNamespace(app)} : {}),
        reads: inputs.reads,
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

function helmDeployable(
  app: ArgoApplication,
  source: Record<string, unknown>,
  at: SpecPath,
  dir: string,
  refs: Map<string, {mine: boolean; repoURL: string}>,
  ctx: DeployablesContext,
  unavailable: (p: SpecPath, message: string, status?: Unrenderable['status']) => void,
  remote?: RemoteChart,
): HelmDeployable | undefined {
  const helm = isMap(source.helm) ? source.helm : {}
  const h: SpecPath = [...at, 'helm']
  const lineAt = (p: SpecPath) => app.lineOf(p) ?? app.line
  const ignoreMissing = helm.ignoreMissingValueFiles === true
  const layers: ValueLayer[] = []
  const chartValues = dir ? `${dir}/values.yaml` : 'values.yaml'
  const reads: string[] = [app.file]
  const layerOf = (file: string, what: string): ValueLayer => {
    const doc = ctx.docsOf(file)[0]
    return {file, what, entries: doc ? leaves(doc.value, doc.lineOf, 1) : []}
  }
  if (!remote && ctx.files.has(chartValues)) layers.push(layerOf(chartValues, `the chart's values.yaml`))
  // Value files: Argo CD's order, globs expanded lexically, a path seen twice kept at its first position.
  const valueFiles: string[] = []
  let broken = false
  const rawFiles = Array.isArray(helm.valueFiles) ? helm.valueFiles : []
  rawFiles.forEach((raw, i) => {
    if (typeof raw !== 'string' || broken) return
    const entry = substitute(raw, app)
    const where: SpecPath = [...h, 'valueFiles', i]
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(entry)) {
      unavailable(where, `value file ${entry} is a URL: the gate does not fetch it, so this chart is not rendered.`)
      broken = true
      return
    }
    let base: string
    let rest: string
    const ref = /^\$([^/]+)\/(.*)$/.exec(entry)
    if (remote && !ref) {
      unavailable(
        where,
        `value file ${entry} is read from inside the fetched chart ${remote.name}: the gate does not read it, so this chart is not rendered.`,
      )
      broken = true
      return
    }
    if (ref) {
      const r = refs.get(ref[1])
      if (!r) {
        unavailable(where, `value file ${entry} names the unknown source ref $${ref[1]}.`, 'failed')
        broken = true
        return
      }
      if (!r.mine) {
        unavailable(
          where,
          `value file ${entry} comes from ${r.repoURL}, not this repository: the gate does not fetch it.`,
        )
        broken = true
        return
      }
      base = ''
      rest = ref[2]
    } else if (entry.startsWith('/')) {
      base = ''
      rest = entry.slice(1)
    } else {
      base = dir
      rest = entry
    }
    const joined = path.posix.normalize(path.posix.join(base || '.', rest))
    const matches = GLOB.test(rest) ? [...ctx.files].filter((f) => globMatcher(joined).test(f)).sort() : [joined]
    if (matches.length === 0 && !ignoreMissing) {
      unavailable(where, `values file glob "${entry}" matched no files.`, 'failed')
      broken = true
      return
    }
    for (const m of matches) {
      const file = ctx.confined(m)
      if (file === undefined) {
        unavailable(where, `value file ${entry} resolves outside the revision: it is not read.`, 'refused')
        broken = true
        return
      }
      if (!ctx.files.has(file) && ignoreMissing) continue
      if (!valueFiles.includes(file)) valueFiles.push(file)
    }
  })
  if (broken) return undefined
  for (const f of valueFiles) {
    reads.push(f)
    if (ctx.files.has(f)) layers.push(layerOf(f, 'value file'))
  }
  // values / valuesObject: valuesObject, when set, replaces values.
  let inlineValues: string | undefined
  if (isMap(helm.valuesObject)) {
    inlineValues = JSON.stringify(helm.valuesObject)
    layers.push({
      file: app.file,
      what: 'valuesObject',
      entries: leaves(
        helm.valuesObject,
        (p) => app.lineOf([...h, 'valuesObject', ...p]),
        lineAt([...h, 'valuesObject']),
      ),
    })
  } else if (typeof helm.values === 'string' && helm.values.trim() !== '') {
    inlineValues = helm.values
    const valuesLine = lineAt([...h, 'values'])
    const doc = linedValues(ctx, helm.values)
    layers.push({
      file: app.file,
      what: 'values',
      // A block scalar starts on the line after `values: |`.
      entries: doc ? leaves(doc.value, (p) => (doc.lineOf(p) ?? 0) + valuesLine, valuesLine) : [],
    })
  }
  const set: HelmDeployable['set'] = []
  const setString: HelmDeployable['setString'] = []
  const params = new Map<string, {value: string; forceString: boolean; line: number}>()
  // A name holding `,` or `=` would end helm's `name=value` and start another: `--set-file` would read any path.
  const unsafeName = (list: unknown[], field: string): boolean => {
    const i = list.findIndex((p) => isMap(p) && typeof p.name === 'string' && /[,=]/.test(p.name))
    if (i < 0) return false
    unavailable(
      [...h, field, i],
      `${field} name ${JSON.stringify((list[i] as {name: string}).name)} holds "," or "=", which helm reads as the start of another name=value (a --set-file among them would read any path): it is not passed to helm, so nothing is rendered.`,
      'refused',
    )
    return true
  }
  const rawParams = Array.isArray(helm.parameters) ? helm.parameters : []
  const rawFileParams = Array.isArray(helm.fileParameters) ? helm.fileParameters : []
  if (unsafeName(rawParams, 'parameters') || unsafeName(rawFileParams, 'fileParameters')) return undefined
  rawParams.forEach((p, i) => {
    if (!isMap(p) || typeof p.name !== 'string') return
    // Duplicate names: the last one wins (Argo CD keeps them in a map).
    params.delete(p.name)
    params.set(p.name, {
      value: substitute(String(p.value ?? ''), app),
      forceString: p.forceString === true,
      line: lineAt([...h, 'parameters', i]),
    })
  })
  const paramLayer: ValueLayer = {file: app.file, what: 'parameters', entries: []}
  for (const [name, p] of params) {
    // Commas are escaped so a value stays one string, unless the whole value is `{…}` (repo-server's rule).
    const value = /^\{.*\}$/s.test(p.value) ? p.value : p.value.replaceAll(',', '\\,')
    ;(p.forceString ? setString : set).push({name, value})
    paramLayer.entries.push({path: parseSetName(name), value: p.value, line: p.line})
  }
  if (paramLayer.entries.length > 0) layers.push(paramLayer)
  const setFile: HelmDeployable['setFile'] = []
  for (const [i, p] of rawFileParams.entries()) {
    if (!isMap(p) || typeof p.name !== 'string' || typeof p.path !== 'string') continue
    const entry = substitute(p.path, app)
    const ref = /^\$([^/]+)\/(.*)$/.exec(entry)
    const rel =
      ref && refs.get(ref[1])?.mine ? ref[2] : entry.startsWith('/') ? entry.slice(1) : path.posix.join(dir, entry)
    if (ref && !refs.get(ref[1])?.mine) {
      unavailable([...h, 'fileParameters', i], `fileParameters ${p.name} reads ${entry}, outside this repository.`)
      return undefined
    }
    const file = ctx.confined(rel)
    if (file === undefined) {
      unavailable(
        [...h, 'fileParameters', i],
        `fileParameters ${p.name} reads ${entry}, which resolves outside the revision: it is not read.`,
        'refused',
      )
      return undefined
    }
    setFile.push({name: p.name, path: file})
    reads.push(file)
  }
  const release = str(helm.releaseName) ?? app.name
  const badName = releaseNameProblem(release)
  if (badName) {
    unavailable(str(helm.releaseName) !== undefined ? [...h, 'releaseName'] : [], badName.message, badName.status)
    return undefined
  }
  const environment =
    app.environment ??
    ctx.envOf(app.file) ??
    valueFiles.map((f) => ctx.envOf(f)).find((e) => e !== null) ??
    environmentFolder(app.file)
  return {
    kind: 'Application',
    application: app.name,
    file: app.file,
    line: app.line,
    environment,
    chart: remote ? chartAddress(remote) : dir,
    ...(remote ? {remote} : {}),
    release,
    namespace: str(helm.namespace) ?? destinationNamespace(app),
    skipCrds: helm.skipCrds === true,
    skipSchemaValidation: helm.skipSchemaValidation === true,
    skipTests: helm.skipTests === true,
    valueFiles,
    ...(inlineValues !== undefined ? {inlineValues} : {}),
    set,
    setString,
    setFile,
    layers,
    reads,
    spec: {source, name: app.name, destination: app.spec.destination ?? null},
  }
}

/**
 * What an override file sets for Helm (`helm.parameters`, `helm.valuesObject`, `helm.values`), as the highest layer:
 * a rendered image it decides is attributed to its line.
 */
function overrideLayer(file: string, ctx: DeployablesContext): ValueLayer {
  const doc = ctx.docsOf(file)[0]
  const helm = doc && isMap(doc.value) && isMap(doc.value.helm) ? doc.value.helm : {}
  const lineOf = (p: Array<string | number>) => doc?.lineOf(['helm', ...p])
  const entries: ValueLayer['entries'] = []
  if (isMap(helm.valuesObject)) entries.push(...leaves(helm.valuesObject, (p) => lineOf(['valuesObject', ...p]), 1))
  else if (typeof helm.values === 'string') {
    const line = lineOf(['values']) ?? 1
    const values = linedValues(ctx, helm.values)
    if (values) entries.push(...leaves(values.value, (p) => (values.lineOf(p) ?? 0) + line, line))
  }
  ;(Array.isArray(helm.parameters) ? helm.parameters : []).forEach((p, i) => {
    if (isMap(p) && typeof p.name === 'string')
      entries.push({path: parseSetName(p.name), value: String(p.value ?? ''), line: lineOf(['parameters', i]) ?? 1})
  })
  return {file, what: 'override file', entries}
}

/**
 * A source whose chart comes from a chart repository, as the repo-server pulls it: `chart` from a Helm repository
 * (`repoURL` https) or an OCI one (`oci://…` or a scheme-less registry address), or an `oci://` repoURL that is the
 * chart itself; `targetRevision` the version or range. Undefined: a source of a git repository.
 */
function remoteChartOf(
  source: Record<string, unknown>,
  chart: string | undefined,
  app: ArgoApplication,
): RemoteChart | {problem: string} | undefined {
  const repoURL = str(source.repoURL) ?? ''
  const version = str(source.targetRevision) ?? ''
  const via = `Application ${app.name}`
  if (chart === undefined) {
    if (!repoURL.startsWith('oci://')) return undefined
    const p = clean(str(source.path) ?? '')
    const repository = repoURL.slice('oci://'.length).replace(/\/+$/, '')
    if (p !== '')
      return {
        problem: `source ${repoURL} path ${p}: the gate renders only the root of an OCI chart, so it is not rendered.`,
      }
    return ociChart(repoURL, repository, version, via)
  }
  if (/^https?:\/\//.test(repoURL))
    return {type: 'http', source: repoURL, repository: repoURL, name: chart, version: version || '*', via}
  if (repoURL === '') return {problem: `chart ${chart} names no repoURL: the gate does not know where to fetch it.`}
  const base = repoURL.replace(/^oci:\/\//, '').replace(/\/+$/, '')
  return ociChart(repoURL, `${base}/${chart}`, version, via)
}

function ociChart(source: string, repository: string, written: string, via: string): RemoteChart {
  const [tag, digest] = written.split('@')
  const pinned = digest ?? (tag.startsWith('sha256:') ? tag : undefined)
  return {
    type: 'oci',
    source,
    repository,
    name: repository.split('/').at(-1) ?? '',
    version: pinned === tag ? '' : tag,
    ...(pinned ? {digest: pinned} : {}),
    via,
  }
}

const KUSTOMIZATION = ['kustomization.yaml', 'kustomization.yml', 'Kustomization']

/**
 * The source's type as the repo-server decides it (GetAppSourceType, util/app/discovery): the one tool block the
 * source sets (`helm`, `kustomize`, `directory`, `plugin`; two are an error), else a kustomization in the folder
 * (it wins over a Chart.yaml beside it: discovery visits the kustomization last), else a Chart.yaml, else a directory.
 */
function sourceType(
  source: Record<string, unknown>,
  dir: string,
  ctx: DeployablesContext,
): {type?: 'Helm' | 'Kustomize' | 'Directory' | 'Plugin'; error?: string} {
  const explicit = (
    [
      ['kustomize', 'Kustomize'],
      ['helm', 'Helm'],
      ['directory', 'Directory'],
      ['plugin', 'Plugin'],
    ] as const
  ).filter(([k]) => isMap(source[k]))
  if (explicit.length > 1)
    return {error: `multiple application sources defined: ${explicit.map(([, t]) => t).join(',')}`}
  if (explicit.length === 1) return {type: explicit[0][1]}
  const at = (f: string) => (dir ? `${dir}/${f}` : f)
  if (KUSTOMIZATION.some((f) => ctx.files.has(at(f)))) return {type: 'Kustomize'}
  if (ctx.files.has(at('Chart.yaml'))) return {type: 'Helm'}
  return {type: 'Directory'}
}

/** The repo-relative files a source's `$ref/…` value files and file parameters name in this repository. */
function refValueFiles(
  source: Record<string, unknown>,
  refs: Map<string, {mine: boolean; repoURL: string}>,
  ctx: DeployablesContext,
): string[] {
  const helm = isMap(source.helm) ? source.helm : {}
  const entries = [
    ...(Array.isArray(helm.valueFiles) ? helm.valueFiles : []),
    ...(Array.isArray(helm.fileParameters) ? helm.fileParameters.map((p) => (isMap(p) ? p.path : undefined)) : []),
  ]
  return entries.flatMap((e) => {
    const ref = typeof e === 'string' ? /^\$([^/]+)\/(.*)$/.exec(e) : null
    if (!ref || !refs.get(ref[1])?.mine) return []
    const joined = path.posix.normalize(ref[2])
    return GLOB.test(joined) ? [...ctx.files].filter((f) => globMatcher(joined).test(f)) : [joined]
  })
}

/** The files of the folders `directory.jsonnet.libs` names (relative to the repository root). */
function jsonnetLibs(source: Record<string, unknown>, ctx: DeployablesContext): string[] {
  const jsonnet = isMap(source.directory) && isMap(source.directory.jsonnet) ? source.directory.jsonnet : {}
  const libs = Array.isArray(jsonnet.libs) ? jsonnet.libs.filter((l): l is string => typeof l === 'string') : []
  return libs.flatMap((l) => filesUnder(ctx, clean(l.replace(/^\//, ''))))
}

const filesUnder = (ctx: DeployablesContext, dir: string) =>
  [...ctx.files].filter((f) => dir === '' || f.startsWith(`${dir}/`)).sort()

const linedValues = (ctx: DeployablesContext, text: string) => linedDocuments(ctx.yaml, text)[0]
