/**
 * `ameide gitops preview`: will this pull request's preview environment come up? Plans first, offline (what the
 * pull-request generators make of this PR, what each Application renders, which namespaces the revision creates, the
 * preview-* rules of gitops verify), then asks (each image's manifest, and with evidence its signature, SBOM and
 * provenance), then answers: one verdict per Application, the findings with the command that fixes each.
 */
import {pinnedRevisions} from '../revision/pinned.js'
import {SourceRepositories, sourceRepoEntries, type SourceRepoEntry} from '../revision/source-repos.js'
import {settled} from '../argocd/applicationset/scm-providers/listing.js'
import {readFile} from '../../core/memory-fs/index.js'
import path from 'node:path'

import type {GitopsPolicy} from '../../core/config.js'
import type {Helm} from '../../effects/helm.js'
import type {Kustomize} from '../../effects/kustomize.js'
import {checkoutOf, repositoryUrls} from '../model/context.js'
import type {PullRequest} from '../model/types.js'
import {type RegisteredClusters, type ScmProviderApi} from '../model/types.js'
import {makeLayout} from '../layout/index.js'
import {RenderCache} from '../render/cache.js'
import {readRevision, repoRelative} from '../revision/index.js'
import {previewFindings} from '../rules/preview-checks/file.js'
import type {EvidenceVerifier} from '../evidence/types.js'
import {askImages, type Answer, type ImageRegistry} from './ask.js'
import {createsNamespace, destinationNamespace, generatePreview, type Generated} from './generate.js'
import {renderPreview, type Rendered} from './render.js'
import type {PreviewPullRequest} from './pull-request.js'
import type {PreviewApplication, PreviewFinding, PreviewResult} from './types.js'

export interface PreviewInput {
  /** The GitOps checkout (its tracked files are the revision rendered). */
  root: string
  policy: GitopsPolicy
  pullRequest: PreviewPullRequest
  kustomize: Kustomize
  helm?: Helm | Promise<Helm | undefined>
  registry: ImageRegistry
  evidence?: {verifier: EvidenceVerifier; concurrency: number}
  /**
   * The CLI build: renders are remembered under the checkout's git directory (its own cache file, one entry per
   * render key: the chart's files, the values, the Application's spec with this PR's parameters, the renderers'
   * versions), so a preview run again with nothing changed starts no helm. Undefined (`--no-cache`): every render runs.
   */
  cacheVersion?: string
  /** The clusters Argo CD lists (`--argocd-server`): a pull-request generator in a matrix with `clusters` is evaluated. */
  clusters?: RegisteredClusters
  /** GitHub's API (`--scm-provider github`): the `scmProvider.github` generators ask it. */
  scm?: ScmProviderApi
  onStep?: (step: string) => void
  /** `--source-repo`: other repositories mapped to local checkouts (gitopsPolicy.sourceRepositories added). */
  sourceRepos?: readonly SourceRepoEntry[]
  /** The branches the CI job reviews (src/effects/actions.ts reviewedBranches): a source at one is not pinned. */
  reviewed?: readonly string[]
}

export async function previewGitops(input: PreviewInput): Promise<PreviewResult> {
  const yaml = await import('yaml')
  const repositories = await repositoryUrls(input.root, input.policy.preview.repositories)
  // gitopsPolicy.preview.repositories defaults to the checkout's origin, as gitops verify reads it (backlog/520 E).
  const policy =
    input.policy.preview.repositories.length > 0 ? input.policy : withRepositories(input.policy, repositories)
  // Checked before the revision is read: a mapping that is no git repository fails first.
  const sources = new SourceRepositories(
    sourceRepoEntries(input.sourceRepos ?? [], input.policy.sourceRepositories, input.root),
    // The clone too: a source pinned to another revision of this repository is read from it at that commit.
    input.root,
  )
  // The clone's refs are read while the revision is (a source pinned to another ref is read from its commit).
  const [pinned, revision] = await Promise.all([
    pinnedRevisions(input.root, underReview(input.pullRequest, input.reviewed)),
    readRevision(input.root, null, 'preview'),
  ])
  try {
    const base = {
      root: revision.dir,
      files: revision.files,
      layout: makeLayout(input.policy),
      yaml,
      checkout: checkoutOf(revision, repositories, pinned, sources),
      pullRequest: input.pullRequest,
      ...(input.clusters ? {clusters: input.clusters} : {}),
      ...(input.scm ? {scm: input.scm} : {}),
    }
    input.onStep?.('Generating the preview Applications')
    const generated = await settled(input.scm, () => generatePreview(base))
    input.onStep?.(`Rendering ${generated.applications.length} Application(s)`)
    const opened =
      input.cacheVersion === undefined
        ? undefined
        : (RenderCache.open(input.root, input.cacheVersion, {name: 'gitops-preview', keep: 'touched'}) ?? undefined)
    const cache = opened?.at(revision.dir)
    const rendered = await renderPreview({
      ...base,
      kustomize: input.kustomize,
      helm: input.helm,
      applications: generated.applications,
      cache,
    })
    cache?.save()
    const rules = await previewRules(revision.dir, generated.files, yaml, policy)
    const refs = [...new Set([...rendered.images.values()].flat().map((i) => i.ref))].sort()
    input.onStep?.(`Asking the registry for ${refs.length} image(s)`)
    const answers = await askImages(refs, input.registry, input.pullRequest.headSha, input.evidence)
    const pr: PreviewPullRequest =
      generated.inferredRepository === undefined
        ? input.pullRequest
        : {...input.pullRequest, repository: generated.inferredRepository, repositoryFrom: 'generators'}
    const result = answer(pr, generated, rendered, answers, rules)
    for (const f of result.findings) f.message = repoRelative(f.message, revision.dir)
    return result
  } finally {
    await Promise.all([revision.remove(), sources.remove()])
  }
}

function withRepositories(policy: GitopsPolicy, repositories: string[]): GitopsPolicy {
  return {...policy, preview: {...policy.preview, repositories}}
}

/** The preview-* rules of `gitops verify` on each file holding a preview ApplicationSet. */
async function previewRules(
  dir: string,
  files: readonly string[],
  yaml: typeof import('yaml'),
  policy: GitopsPolicy,
): Promise<PreviewFinding[]> {
  const out: PreviewFinding[] = []
  for (const file of files) {
    const text = await readFile(path.join(dir, file), 'utf8')
    for (const f of previewFindings(yaml, text, policy.preview)) {
      out.push({rule: f.rule, severity: f.severity, message: f.message, file, line: f.line})
    }
  }
  return out
}

function answer(
  pr: PreviewPullRequest,
  generated: Generated,
  rendered: Rendered,
  answers: Map<string, Answer>,
  rules: PreviewFinding[],
): PreviewResult {
  const findings: PreviewFinding[] = [...generated.findings, ...rendered.findings]
  const previewed = generated.applications.length > 0
  if (!previewed) {
    const why = generated.applicationSets.map((s) => `${s.name}: ${s.reason ?? 'generates no Application'}`)
    findings.push({
      rule: 'not-previewed',
      severity: 'error',
      message:
        generated.applicationSets.length === 0
          ? 'no ApplicationSet of the GitOps revision has a pull-request generator'
          : `no pull-request generator lists this pull request (${why.join('; ')})`,
    })
  }
  const applications = generated.applications.map((app) => {
    const namespace = destinationNamespace(app)
    if (!rendered.namespaces.has(namespace) && !createsNamespace(app)) {
      findings.push({
        rule: 'namespace-missing',
        severity: 'error',
        application: app.name,
        message: `nothing in the GitOps revision creates the namespace ${namespace || '(none named)'}: no preview Application renders a Namespace ${namespace}, so Argo CD cannot sync ${app.name}`,
        file: app.file,
        line: app.lineOf(['destination', 'namespace']) ?? app.line,
        fix: 'add a Namespace lane to the preview ApplicationSet (a list element whose source holds a Namespace named as the destination)',
      })
    }
    const images = (rendered.images.get(app.name) ?? []).map((i) =>
      imageOf(app.name, i, answers.get(i.ref)!, pr, findings),
    )
    const out: PreviewApplication = {
      name: app.name,
      namespace,
      applicationSet: app.generatedBy?.applicationSet ?? '',
      file: app.file,
      ready: false,
      images,
    }
    return out
  })
  findings.push(...rules)
  for (const a of applications) {
    a.ready = !findings.some((f) => f.severity === 'error' && (f.application === a.name || f.application === undefined))
  }
  findings.sort(compareFindings)
  return {
    previewed,
    ready: previewed && !findings.some((f) => f.severity === 'error'),
    pr: {
      number: pr.number,
      headSha: pr.headSha,
      ...(pr.branch !== undefined ? {branch: pr.branch} : {}),
      ...(pr.targetBranch !== undefined ? {targetBranch: pr.targetBranch} : {}),
      labels: [...pr.labels],
      ...(pr.title !== undefined ? {title: pr.title} : {}),
      ...(pr.author !== undefined ? {author: pr.author} : {}),
      ...(pr.repository !== undefined ? {repository: pr.repository} : {}),
      ...(pr.repositoryFrom !== undefined ? {repositoryFrom: pr.repositoryFrom} : {}),
    },
    applicationSets: generated.applicationSets,
    applications: applications.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    findings,
  }
}

function imageOf(
  application: string,
  site: {ref: string; file: string; line: number},
  a: Answer,
  pr: PullRequest,
  findings: PreviewFinding[],
): PreviewApplication['images'][number] {
  const at = {application, image: site.ref, file: site.file, line: site.line}
  if (a.unresolved) {
    findings.push({rule: 'image-unresolved', severity: 'error', ...at, message: `${site.ref}: ${a.unresolved}`})
  } else if (!a.exists) {
    const headTag = site.ref.endsWith(`:${pr.headSha}`)
    findings.push({
      rule: 'image-missing',
      severity: 'error',
      ...at,
      message: `${site.ref} is not in its registry: the preview cannot pull it`,
      fix: headTag
        ? `ameide primitive publish --sha ${pr.headSha}   # in the code repository: pushes :${pr.headSha} (unchanged components retagged from :main)`
        : 'push the image, or change the value line that names it',
    })
  }
  for (const p of a.problems) {
    findings.push({
      rule: p.rule,
      severity: 'error',
      ...at,
      message: `${site.ref}: ${p.message}`,
      fix:
        p.rule === 'provenance-commit'
          ? 'pin an image built at the head sha, or leave commitMatchesTag off for this evidencePolicy entry'
          : `ameide primitive publish --sha ${pr.headSha}   # signs, attests the SBOM and provenance of :${pr.headSha}`,
    })
  }
  return {
    ref: site.ref,
    digest: a.digest,
    exists: a.exists,
    file: site.file,
    line: site.line,
    ...(a.evidence ? {evidence: a.evidence} : {}),
  }
}

function compareFindings(a: PreviewFinding, b: PreviewFinding): number {
  const key = (f: PreviewFinding) =>
    [f.application ?? '', f.image ?? '', f.rule, f.file ?? '', String(f.line ?? 0).padStart(8, '0'), f.message].join(
      '\0',
    )
  const [x, y] = [key(a), key(b)]
  return x < y ? -1 : x > y ? 1 : 0
}

/**
 * What the preview renders is the pull request's head: a source of this repository at its head sha (as the
 * pull-request generator's head_sha, head_short_sha and head_short_sha_7 write it), its branch or its target is the
 * checkout, not a pin.
 */
function underReview(pr: PreviewPullRequest, reviewed: readonly string[] = []): Array<string | undefined> {
  return [pr.headSha, pr.headSha.slice(0, 8), pr.headSha.slice(0, 7), pr.branch, pr.targetBranch, ...reviewed]
}
