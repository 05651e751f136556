/**
 * What a pull request's preview generates, offline: every ApplicationSet with a pull-request generator (alone, or in
 * a matrix or merge), evaluated by the ApplicationSet engine (src/gitops/argocd/applicationset) with this PR's
 * parameters; the Applications it makes, the generators whose filters drop the PR, and the generation errors.
 */
import {findDeployables} from '../deployables/index.js'
import {type ArgoApplication} from '../model/types.js'
import type {PullRequest} from '../model/types.js'
import {templateExpressions} from '../rules/preview-checks/expressions.js'
import {inferredRepository, pullRequestGenerators, repositoryFindings} from './repository.js'
import type {PreviewFinding, PreviewResult, PreviewSource} from './types.js'

export interface Generated {
  applicationSets: PreviewResult['applicationSets']
  /** The Applications a pull-request generator made for this PR, by name. */
  applications: ArgoApplication[]
  /** The files holding a preview ApplicationSet (the preview-* rules run on them). */
  files: string[]
  findings: PreviewFinding[]
  /** No repository given, and every pull-request generator lists this one: the pull request's, inferred. */
  inferredRepository?: string
}

export function generatePreview(input: PreviewSource): Generated {
  const fromPr = (app: ArgoApplication) => app.generatedBy?.pullRequest === true
  const deployables = findDeployables({...input, only: fromPr})
  const out: Generated = {applicationSets: [], applications: [], files: [], findings: []}
  const previews = deployables.applicationSets.filter((s) => hasPullRequestGenerator(s.manifest.doc))
  // Without a repository the engine drops no PR for its repository: with the one every generator lists, none either.
  const inferred =
    input.pullRequest.repository === undefined ? inferredRepository(previews.map((s) => s.manifest.doc)) : undefined
  const pr = inferred === undefined ? input.pullRequest : {...input.pullRequest, repository: inferred}
  if (inferred !== undefined) out.inferredRepository = inferred
  for (const {manifest, expansion} of previews) {
    const apps = expansion.applications.filter(fromPr)
    const dropped = expansion.notPreviewed ?? []
    const reason = [...new Set(dropped.map((d) => d.reason))].join('; ')
    out.applicationSets.push({
      name: manifest.name,
      file: manifest.file,
      previewed: apps.length > 0,
      ...(apps.length === 0 && reason ? {reason} : {}),
    })
    if (!out.files.includes(manifest.file)) out.files.push(manifest.file)
    out.applications.push(...apps)
    const missing = missingInputs(manifest, pr)
    out.findings.push(...missing.findings, ...repositoryFindings(manifest, manifest.doc, pr))
    for (const e of [...expansion.errors, ...expansion.unavailable]) {
      // Go's bare "map has no entry for key" for a parameter this PR lacks: the finding above says it with the fix.
      if (missing.keys.some((k) => e.message.includes(`no entry for key "${k}"`))) continue
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

/** Argo CD's pull-request parameters that ameide has only from the event or the flags. */
const OPTIONAL_INPUTS = [
  {key: 'title', flag: '--title TEXT', what: 'title'},
  {key: 'author', flag: '--author LOGIN', what: "author's login"},
] as const

/**
 * The `title` and `author` the ApplicationSet reads (any template expression of its spec naming them) while this PR
 * has none: Argo CD always sets both from the provider, so its Applications would differ from what ameide renders
 * without them. One finding per parameter, at the first string that reads it, with the flag that supplies it.
 */
function missingInputs(
  manifest: {
    name: string
    file: string
    line: number
    doc: Record<string, unknown>
    lineOf(p: Array<string | number>): number | undefined
  },
  pr: PullRequest,
): {findings: PreviewFinding[]; keys: string[]} {
  const wanted = OPTIONAL_INPUTS.filter((i) => pr[i.key] === undefined)
  if (wanted.length === 0) return {findings: [], keys: []}
  const first = new Map<string, {text: string; path: Array<string | number>}>()
  const visit = (text: string, p: Array<string | number>) => {
    if (!text.includes('{{')) return
    for (const e of templateExpressions(text))
      for (const param of e.params) if (!first.has(param)) first.set(param, {text: `{{ ${e.body} }}`, path: p})
  }
  const walk = (v: unknown, p: Array<string | number>, depth: number): void => {
    if (depth > 64) return
    // A pull-request filter's titleMatch matches the title the provider lists.
    if (typeof v === 'string' && p.at(-1) === 'titleMatch' && !first.has('title'))
      first.set('title', {text: `titleMatch: ${v}`, path: p})
    if (typeof v === 'string') visit(v, p)
    else if (Array.isArray(v)) v.forEach((e, i) => walk(e, [...p, i], depth + 1))
    else if (v && typeof v === 'object')
      for (const [k, e] of Object.entries(v)) {
        visit(k, [...p, k])
        walk(e, [...p, k], depth + 1)
      }
  }
  walk(manifest.doc.spec, ['spec'], 0)
  const findings: PreviewFinding[] = []
  const keys: string[] = []
  for (const input of wanted) {
    const at = first.get(input.key)
    if (!at) continue
    keys.push(input.key)
    findings.push({
      rule: 'pull-request-input-missing',
      severity: 'error',
      message: `ApplicationSet ${manifest.name} reads the pull request's ${input.what} (${at.text}), which Argo CD sets from the provider; this run has none, so what it generates would not be what Argo CD generates`,
      file: manifest.file,
      line: manifest.lineOf(at.path) ?? manifest.line,
      fix: `pass ${input.flag} (on a pull_request event it comes from GITHUB_EVENT_PATH)`,
    })
  }
  return {findings, keys}
}

/** A `pullRequest` key among the generators, at any depth of matrix and merge. */
export function hasPullRequestGenerator(doc: Record<string, unknown>): boolean {
  return pullRequestGenerators(doc).length > 0
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
