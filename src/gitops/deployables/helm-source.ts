/**
 * An Argo CD Application's Helm source, read as the repo-server reads it: release `helm.releaseName` or the
 * Application's name, namespace `helm.namespace` or the destination's, value files resolved from the chart folder
 * (`/x` from the repository root, `$ref/x` from the root of the `ref:` source; globs expanded lexically; everything
 * confined to the repository), `values`/`valuesObject`, `parameters` (`forceString` → `--set-string`) and
 * `fileParameters`; its `.argocd-source*.yaml` overrides as value layers.
 */
import path from 'node:path'

import {globMatcher} from '../../core/glob.js'
import type {DeployablesContext} from './context.js'
import {
  leaves,
  parseSetName,
  type HelmDeployable,
  type RemoteChart,
  type Unrenderable,
  type ValueLayer,
} from './model.js'
import {chartAddress} from './helmrelease.js'
import {releaseNameProblem} from './release-name.js'
import type {ArgoApplication, SpecPath} from './types.js'
import {destinationNamespace, environmentFolder, GLOB, isMap, str, substitute} from './source-helpers.js'
import {linedValues} from './source-inputs.js'

export function helmDeployable(
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
export function overrideLayer(file: string, ctx: DeployablesContext): ValueLayer {
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
