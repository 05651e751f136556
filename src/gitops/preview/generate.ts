/**
 * What a pull request's preview generates, offline: every ApplicationSet with a pull-request generator (alone, or in
 * a matrix or merge), evaluated by the ApplicationSet engine (src/gitops/deployables/applicationset) with this PR's
 * parameters; the Applications it makes, the generators whose filters drop the PR, and the generation errors.
 */
import type {YamlModule} from '../../images/yaml/index.js'
import {findDeployables, type ArgoApplication, type CheckoutIdentity, type PullRequest} from '../deployables/index.js'
import type {Layout} from '../layout.js'
import type {PreviewFinding, PreviewResult} from './types.js'

export interface Generated {
  applicationSets: PreviewResult['applicationSets']
  /** The Applications a pull-request generator made for this PR, by name. */
  applications: ArgoApplication[]
  /** The files holding a preview ApplicationSet (the preview-* rules run on them). */
  files: string[]
  findings: PreviewFinding[]
}

export function generatePreview(input: {
  root: string
  files: string[]
  layout: Layout
  yaml: YamlModule
  checkout: CheckoutIdentity
  pullRequest: PullRequest
}): Generated {
  const fromPr = (app: ArgoApplication) => app.generatedBy?.pullRequest === true
  const deployables = findDeployables({...input, only: fromPr})
  const out: Generated = {applicationSets: [], applications: [], files: [], findings: []}
  for (const {manifest, expansion} of deployables.applicationSets) {
    if (!hasPullRequestGenerator(manifest.doc)) continue
    const apps = expansion.applications.filter(fromPr)
    const dropped = expansion.notPreviewed ?? []
    const reason = dropped.map((d) => d.reason).join('; ')
    out.applicationSets.push({
      name: manifest.name,
      file: manifest.file,
      previewed: apps.length > 0,
      ...(apps.length === 0 && reason ? {reason} : {}),
    })
    if (!out.files.includes(manifest.file)) out.files.push(manifest.file)
    out.applications.push(...apps)
    for (const e of [...expansion.errors, ...expansion.unavailable]) {
      out.findings.push({
        rule: expansion.errors.includes(e) ? 'generation-failed' : 'render-unavailable',
        severity: 'error',
        message: `ApplicationSet ${e.applicationSet}: ${e.message}`,
        file: e.file,
        line: e.line,
      })
    }
  }
  return out
}

/** A `pullRequest` key among the generators, at any depth of matrix and merge. */
export function hasPullRequestGenerator(doc: Record<string, unknown>): boolean {
  const spec = doc.spec as {generators?: unknown} | undefined
  const walk = (g: unknown, depth: number): boolean => {
    if (!g || typeof g !== 'object' || depth > 8) return false
    const o = g as Record<string, unknown>
    if (o.pullRequest) return true
    return ['matrix', 'merge'].some((k) => {
      const inner = o[k] as {generators?: unknown} | undefined
      return Array.isArray(inner?.generators) && inner.generators.some((c) => walk(c, depth + 1))
    })
  }
  return Array.isArray(spec?.generators) && spec.generators.some((g) => walk(g, 0))
}

/** The destination namespace an Application syncs to ('' when it names none). */
export function destinationNamespace(app: ArgoApplication): string {
  const d = app.spec.destination as {namespace?: unknown} | undefined
  return typeof d?.namespace === 'string' ? d.namespace : ''
}

/** `syncOptions: [CreateNamespace=true]`: Argo CD creates the namespace itself. */
export function createsNamespace(app: ArgoApplication): boolean {
  const sync = app.spec.syncPolicy as {syncOptions?: unknown} | undefined
  return Array.isArray(sync?.syncOptions) && sync.syncOptions.includes('CreateNamespace=true')
}
