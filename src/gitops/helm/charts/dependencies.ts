/**
 * The dependencies of a chart of the revision that live in chart repositories and are not committed under its
 * `charts/` (Chart.yaml's or requirements.yaml's, each version from its Chart.lock when there is one): what the
 * fetcher (./fetcher.ts) must fetch, each named with the file that asked for it. A lock out of sync is refused as
 * `helm dependency build` refuses it (./lock.ts).
 */
import {readFileSync, readTextIn} from '../../../core/memory-fs/index.js'
import path from 'node:path'

import type {YamlModule} from '../../../images/yaml/index.js'
import type {HelmDeployable, RemoteChart} from '../../model/model.js'
import {filesWithPrefix, hasFile} from '../../revision/paths.js'
import {lockProblem} from './lock.js'
import {pickVersion} from './versions.js'

/** A chart of the revision whose dependencies come from chart repositories and are not committed under charts/. */
/**
 * Whether the chart may list a dependency: its Chart.yaml's text names `dependenc…` or escapes a character (a quoted
 * key could spell it so), or it has a requirements.yaml. Most charts do not, and are then not parsed here at all.
 */
function mayDepend(files: readonly string[], root: string, at: (f: string) => string): boolean {
  if (hasFile(files, at('requirements.yaml'))) return true
  if (!hasFile(files, at('Chart.yaml'))) return false
  const text = readTextIn(root, at('Chart.yaml')) ?? readFileSync(path.join(root, at('Chart.yaml')), 'utf8')
  return text.includes('dependenc') || text.includes('\\')
}

export function dependenciesOf(
  yaml: YamlModule,
  d: Pick<HelmDeployable, 'chart'>,
  root: string,
  files: readonly string[],
): RemoteChart[] | {problem: string; failed?: true} | undefined {
  const at = (f: string) => (d.chart ? `${d.chart}/${f}` : f)
  const read = (f: string) =>
    (hasFile(files, at(f)) ? yaml.parse(readFileSync(path.join(root, at(f)), 'utf8')) : undefined) as
      {apiVersion?: unknown; digest?: unknown; dependencies?: Array<Record<string, unknown>>} | undefined
  if (!mayDepend(files, root, at)) return undefined
  let chartYaml: ReturnType<typeof read>
  let lock: ReturnType<typeof read>
  let apiVersion: unknown
  let requirementsHasDeps = false
  try {
    chartYaml = read('Chart.yaml')
    // Helm's loader: no apiVersion is v1; requirements.yaml's dependencies and requirements.lock, where present,
    // take the place of Chart.yaml's and Chart.lock (read after them, whatever the apiVersion).
    apiVersion = chartYaml?.apiVersion || 'v1'
    lock = read('requirements.lock') ?? read('Chart.lock')
    const requirements = read('requirements.yaml')
    requirementsHasDeps = requirements?.dependencies !== undefined
    if (requirementsHasDeps) chartYaml = {...chartYaml, dependencies: requirements!.dependencies}
  } catch {
    return undefined // helm says what is wrong with it
  }
  const deps = (chartYaml?.dependencies ?? []).filter((x) => {
    const repo = String(x.repository ?? '')
    if (repo === '' || repo.startsWith('file://')) return false
    const name = String(x.name ?? '')
    return (
      filesWithPrefix(files, at(`charts/${name}-`)).length + filesWithPrefix(files, at(`charts/${name}/`)).length === 0
    )
  })
  if (deps.length === 0) return undefined
  // `helm dependency build`: a lock whose digest is not Helm's hash of both lists is refused, in helm's words.
  const lockFile = ['requirements.lock', 'Chart.lock'].find((f) => hasFile(files, at(f)))
  const depsFile = requirementsHasDeps ? 'requirements.yaml' : 'Chart.yaml'
  const text = (f: string) => readFileSync(path.join(root, at(f)), 'utf8')
  const outOfSync = lock && lockFile && lockProblem(yaml, apiVersion, text(depsFile), text(lockFile))
  if (outOfSync)
    return {
      problem: `${at(lockFile!)}: ${outOfSync} (its digest is not Helm's hash of the dependencies): its dependencies are not fetched.`,
      failed: true,
    }
  const lines = entryLines(yaml, text(depsFile))
  const out: RemoteChart[] = []
  for (const dep of deps) {
    const name = String(dep.name ?? '')
    const repository = String(dep.repository)
    if (repository.startsWith('@') || repository.startsWith('alias:'))
      return {
        problem: `dependency ${name} names the repository ${repository}, an alias of helm's own configuration: the gate does not know its URL.`,
      }
    const locked = lock?.dependencies?.find((l) => l.name === name && l.repository === repository)
    const constraint = String(dep.version ?? '')
    if (lock && !locked)
      return {
        problem: `dependency ${name} (${repository}) is not in the chart's Chart.lock: the lock is out of sync with Chart.yaml, so it is not fetched.`,
      }
    const version = locked ? String(locked.version) : constraint
    if (locked && constraint && pickVersion(constraint, [version]) === undefined)
      return {
        problem: `dependency ${name}: Chart.lock's ${version} does not satisfy Chart.yaml's ${constraint}: the lock is out of sync, so it is not fetched.`,
      }
    const oci = repository.startsWith('oci://')
    const line = lines[(chartYaml?.dependencies ?? []).indexOf(dep)] ?? 1
    out.push({
      type: oci ? 'oci' : 'http',
      source: repository,
      repository: oci ? `${repository.slice('oci://'.length).replace(/\/+$/, '')}/${name}` : repository,
      name,
      version,
      via: `a dependency in ${at(depsFile)}:${line}${locked ? `, locked in ${at(lockFile!)}` : ''}`,
      declaredAt: {file: at(depsFile), line},
    })
  }
  return out
}

/** The 1-based line of each entry of the file's `dependencies` (as parsed: the same order). */
function entryLines(yaml: YamlModule, text: string): number[] {
  const doc = yaml.parseDocument(text, {keepSourceTokens: false})
  const list = doc.get('dependencies', true)
  if (!yaml.isSeq(list)) return []
  const lineAt = (offset: number) => text.slice(0, offset).split('\n').length
  return list.items.map((item) => {
    const range = (item as {range?: [number, number, number]}).range
    return range ? lineAt(range[0]) : 1
  })
}
