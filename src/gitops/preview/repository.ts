/**
 * Which repository's pull requests each pull-request generator of an ApplicationSet lists, against the repository of
 * the pull request under review (argocd/applicationset/pull-request-repository.ts; the engine drops the PR from
 * a generator of another repository). No repository given (no --repository, no pull_request event), and every
 * generator naming one and the same repository: that is the pull request's repository, inferred. What cannot be told
 * is a finding, never a preview: no repository given while generators name different ones, or a GitLab project named
 * by its ID.
 */
import type {JsonObject} from '../argocd/applicationset/merge.js'
import {
  listedRepository,
  parseRepositoryUrl,
  soleListedRepository,
  type ListedRepository,
} from '../argocd/applicationset/pull-request-repository.js'
import type {PullRequest} from '../model/types.js'
import type {PreviewFinding} from './types.js'

type Path = Array<string | number>

/** Each `pullRequest` generator of the ApplicationSet, at any depth of matrix and merge, with its path. */
export function pullRequestGenerators(
  doc: Record<string, unknown>,
): Array<{spec: Record<string, unknown>; path: Path}> {
  const out: Array<{spec: Record<string, unknown>; path: Path}> = []
  const walk = (g: unknown, path: Path, depth: number): void => {
    if (!g || typeof g !== 'object' || depth > 8) return
    const o = g as Record<string, unknown>
    if (o.pullRequest && typeof o.pullRequest === 'object' && !Array.isArray(o.pullRequest))
      out.push({spec: o.pullRequest as Record<string, unknown>, path: [...path, 'pullRequest']})
    for (const k of ['matrix', 'merge']) {
      const inner = o[k] as {generators?: unknown} | undefined
      if (Array.isArray(inner?.generators))
        inner.generators.forEach((c, i) => walk(c, [...path, k, 'generators', i], depth + 1))
    }
  }
  const spec = doc.spec as {generators?: unknown} | undefined
  if (Array.isArray(spec?.generators)) spec.generators.forEach((g, i) => walk(g, ['spec', 'generators', i], 0))
  return out
}

/** The one repository every pull-request generator of these ApplicationSets lists; undefined when they differ or one cannot be told. */
export function inferredRepository(docs: ReadonlyArray<Record<string, unknown>>): string | undefined {
  const listed = docs
    .flatMap((doc) => pullRequestGenerators(doc))
    .map(({spec}) => listedRepository(spec as JsonObject))
    .filter((l): l is ListedRepository => l !== undefined)
  return soleListedRepository(listed)
}

/** The findings of what cannot be told of the repositories the generators list. */
export function repositoryFindings(
  manifest: {name: string; file: string; line: number; lineOf(p: Path): number | undefined},
  doc: Record<string, unknown>,
  pr: PullRequest,
): PreviewFinding[] {
  const repository = pr.repository === undefined ? undefined : parseRepositoryUrl(pr.repository)
  const findings: PreviewFinding[] = []
  for (const {spec, path} of pullRequestGenerators(doc)) {
    const listed = listedRepository(spec as JsonObject)
    if (!listed) continue
    const at = {file: manifest.file, line: manifest.lineOf([...path, listed.provider]) ?? manifest.line}
    if (!repository)
      findings.push({
        rule: 'pull-request-input-missing',
        severity: 'error',
        message: `ApplicationSet ${manifest.name} lists the pull requests of ${listed.describe}; this run does not say which repository the pull request is in, so whether Argo CD lists it is not known`,
        ...at,
        fix: 'pass --repository URL, the web URL of the repository the pull request is in (on a pull_request event it comes from GITHUB_EVENT_PATH)',
      })
    else if (listed.lists(repository) === 'unknown')
      findings.push({
        rule: 'pull-request-input-missing',
        severity: 'error',
        message: `ApplicationSet ${manifest.name} lists the pull requests of ${listed.describe}, named by its ID: whether that is ${pr.repository} is not known here`,
        ...at,
        fix: "write the project's path (group/name) in the generator, as GitLab's API also takes it",
      })
  }
  return findings
}
