/**
 * Argo CD's `kustomize.buildOptions`: the flags its repo-server adds to every `kustomize build`, set in the argocd-cm
 * ConfigMap (argoproj/argo-cd util/settings `kustomize.buildOptions`). Two are acted on here: `--enable-helm`
 * (util/kustomize isHelmEnabled: the text holds it), without which kustomize refuses a kustomization that inflates
 * Helm charts, and `--load-restrictor LoadRestrictionsNone`, with which kustomize reads files outside a
 * kustomization's folder (it refuses them by default). Read from the revision's argocd-cm (a ConfigMap of that name, a kustomize patch of it included), else
 * from the base's policy (`gitopsPolicy.render.kustomizeBuildOptions`, for an argocd-cm the repository does not hold).
 * A file that may hold argocd-cm and cannot be read, or two that say different things, is a problem: whether Argo CD
 * inflates charts is then not known.
 */
import path from 'node:path'

import {readFileSync, statSync} from '../../../core/memory-fs/index.js'
import type {YamlModule} from '../../../images/yaml/index.js'
import {chartTemplateTest} from '../../revision/files.js'

/**
 * What is known of them: `options` (`file`: the argocd-cm that sets them; absent, the policy's), or a `problem` (with
 * its `file`): whether they enable Helm cannot be said. Neither: neither the revision nor the policy sets them.
 */
export interface BuildOptionsRead {
  options?: string
  file?: string
  problem?: string
}

export const enablesHelm = (options: string): boolean => options.includes('--enable-helm')

/**
 * Whether kustomize's `--load-restrictor` is `LoadRestrictionsNone`: Argo CD splits the options on white space
 * (strings.Fields) and passes them to `kustomize build`, whose flags (pflag) take `--flag value` and `--flag=value`,
 * the last one given winning.
 */
export function loadRestrictionsNone(options: string): boolean {
  const args = options.trim().split(/\s+/)
  let value: string | undefined
  for (const [i, arg] of args.entries()) {
    if (arg === '--load-restrictor') value = args[i + 1]
    else if (arg.startsWith('--load-restrictor=')) value = arg.slice('--load-restrictor='.length)
  }
  return value === 'LoadRestrictionsNone'
}

const MANIFEST = /\.ya?ml$/i
const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

/** The revision's argocd-cm `kustomize.buildOptions`, else the policy's (module doc). */
export function kustomizeBuildOptions(
  root: string,
  files: readonly string[],
  yaml: YamlModule,
  limits: {maxFileBytes: number; policy?: string},
): BuildOptionsRead {
  const set: Array<{file: string; options: string}> = []
  const chartTemplate = chartTemplateTest(files)
  for (const file of files) {
    if (!MANIFEST.test(file) || chartTemplate(file)) continue
    const read = argocdCm(path.join(root, file), yaml, limits.maxFileBytes)
    if (typeof read === 'string') return {problem: `${file} may hold argocd-cm and cannot be read (${read})`, file}
    for (const options of read) set.push({file, options})
  }
  const differing = set.find((s) => enablesHelm(s.options) !== enablesHelm(set[0].options))
  if (differing)
    return {
      problem: `argocd-cm sets kustomize.buildOptions in ${set[0].file} (${JSON.stringify(set[0].options)}) and in ${differing.file} (${JSON.stringify(differing.options)}): which one Argo CD reads is not known`,
      file: differing.file,
    }
  if (set.length > 0) return set[0]
  return limits.policy !== undefined ? {options: limits.policy} : {}
}

/** The `kustomize.buildOptions` of each argocd-cm the file holds, or why it cannot be read. */
function argocdCm(file: string, yaml: YamlModule, max: number): string[] | string {
  let text: string
  try {
    const info = statSync(file)
    if (!info.isFile()) return []
    if (info.size > max) return readFileSync(file, 'utf8').includes('argocd-cm') ? `over ${max} bytes` : []
    text = readFileSync(file, 'utf8')
  } catch (error) {
    return (error as Error).message
  }
  if (!text.includes('argocd-cm')) return []
  let docs: unknown[]
  try {
    docs = yaml.parseAllDocuments(text, {logLevel: 'error'}).map((d) => {
      if (d.errors.length > 0) throw d.errors[0]
      return d.toJS({maxAliasCount: 50}) as unknown
    })
  } catch (error) {
    return (error as Error).message
  }
  return docs.flatMap((doc) => {
    if (!isMap(doc) || doc.kind !== 'ConfigMap' || !isMap(doc.metadata) || doc.metadata.name !== 'argocd-cm') return []
    const options = isMap(doc.data) ? doc.data['kustomize.buildOptions'] : undefined
    return typeof options === 'string' ? [options] : []
  })
}
