import {mapConcurrent} from '../core/concurrency.js'
import {AmeideError} from '../core/errors.js'
import {isDigestPinned, tryParseImageReference} from '../images/reference.js'
import {describeEvidence, examineDigest, type EvidenceVerifier} from '../gitops/verify/examine.js'
import {checkEvidence} from '../gitops/verify/rules/index.js'
import type {Kind} from '../primitives/kinds.js'
import {isPromoteBranchInto, planPrimitive, type PlanInput, type PrimitivePlan} from './plan.js'
import type {LinkState, LinkStatus, PrimitiveStatus, PullRequestRef, StatusResult} from './types.js'

/**
 * `ameide primitive status`: for each primitive, seed 003's chain (verify → image → wiring → enablement per
 * environment → deployed per environment) with the state of each link and the one next command. Reads only.
 * Plans first (`plan.ts`: every name and path), then asks the sources: primitives `concurrency` at a time, the links
 * of one primitive at once. A source that cannot answer makes its link `unknown` with the reason; a source that kept
 * failing also sets `remoteFailed` (the command exits 4).
 */

/** What status asks of the outside world; the command builds the real ones, tests may pass their own. */
export interface StatusSources {
  /** The verify verdict of a primitive; null: --skip-verify. */
  verify: ((p: {kind: Kind; name: string}) => Promise<VerifyVerdict>) | null
  registry: {headManifest(repository: string, reference: string): Promise<{digest: string} | null>}
  /** --evidence: signature, SBOM and provenance of a digest ref, judged as `gitops verify --evidence` judges them. */
  evidence: EvidenceVerifier | null
  /** The GitOps repository at its ref, or why it cannot be read. */
  gitops: GitOpsReader | Unavailable
  /** Argo CD; null without --argocd-server. */
  argocd: ArgoReader | Unavailable | null
}

export interface VerifyVerdict {
  summary: 'pass' | 'fail'
  failedChecks: string[]
  findings: number
  /** A tool a check needs is missing (its message): the verdict cannot be known. */
  missingTool?: string
}

export interface GitOpsReader {
  /** A file's text on the base branch, or null when it does not exist. */
  readFile(path: string): Promise<string | null>
  /** The open pull requests of the repository (listed once per run). */
  openPullRequests(): Promise<PullRequestRef[]>
}

export interface ArgoReader {
  getApplication(
    name: string,
  ): Promise<{name: string; sync: string; health: string; revision?: string; images: string[]} | null>
}

export interface Unavailable {
  unavailable: string
}

export interface StatusRequest extends PlanInput {
  primitives: Array<{kind: Kind; name: string}>
  gitopsRepository: string
  gitopsRef: string
  argocdServer: string | null
  concurrency?: number
  /** Builds the exact nextSteps commands (GitOps repository flags). */
  onPrimitiveDone?: (p: PrimitiveStatus) => void
}

export interface StatusOutcome {
  result: Omit<StatusResult, 'requests'>
  /** A remote kept failing (after retries) for some link: exit 4. */
  remoteFailed: boolean
}

const isUnavailable = (x: unknown): x is Unavailable => typeof (x as Unavailable)?.unavailable === 'string'

/** Why a source could not answer, and whether it was a remote that kept failing. */
export function unknownFrom(error: unknown): {reason: string; remote: boolean} {
  if (error instanceof AmeideError) return {reason: error.message, remote: error.exitCode === 4}
  const e = error as {name?: string; message?: string; status?: number; rateLimited?: boolean; reason?: string}
  if (e?.name === 'GitHubApiError') {
    const status = e.status ?? 0
    return {reason: e.message ?? 'GitHub failed', remote: status === 0 || status >= 500 || e.rateLimited === true}
  }
  if (e?.name === 'ArgoCdError') return {reason: e.message ?? 'Argo CD failed', remote: e.reason === 'unavailable'}
  return {reason: e?.message ?? String(error), remote: false}
}

export async function primitiveStatus(request: StatusRequest, sources: StatusSources): Promise<StatusOutcome> {
  let remoteFailed = false
  const ask = async <T>(fn: () => Promise<T>): Promise<{ok: true; value: T} | {ok: false; reason: string}> => {
    try {
      return {ok: true, value: await fn()}
    } catch (error) {
      const u = unknownFrom(error)
      if (u.remote) remoteFailed = true
      return {ok: false, reason: u.reason}
    }
  }
  // One listing of the open pull requests for the whole run, shared by every primitive.
  let pulls: Promise<{ok: true; value: PullRequestRef[]} | {ok: false; reason: string}> | undefined
  const openPulls = () => {
    const gitops = sources.gitops
    if (isUnavailable(gitops)) return Promise.resolve({ok: false as const, reason: gitops.unavailable})
    pulls ??= ask(() => gitops.openPullRequests())
    return pulls
  }

  const settled = await mapConcurrent(request.primitives, request.concurrency ?? 8, async (p) => {
    const plan = planPrimitive(p, request)
    const status = await statusOf(plan, request, sources, ask, openPulls)
    request.onPrimitiveDone?.(status)
    return status
  })
  const primitives = settled.map((s) => {
    if (!s.ok) throw s.error
    return s.value
  })
  return {
    remoteFailed,
    result: {
      sha: request.sha,
      registry: request.registry,
      gitops: {repository: request.gitopsRepository, ref: request.gitopsRef},
      environments: request.environments,
      argocdServer: request.argocdServer,
      summary: primitives.every((p) => p.done) ? 'done' : 'not-done',
      primitives,
      nextSteps: primitives.flatMap((p) => p.nextSteps),
    },
  }
}

type Ask = <T>(fn: () => Promise<T>) => Promise<{ok: true; value: T} | {ok: false; reason: string}>
type OpenPulls = () => Promise<{ok: true; value: PullRequestRef[]} | {ok: false; reason: string}>

async function statusOf(
  plan: PrimitivePlan,
  request: StatusRequest,
  sources: StatusSources,
  ask: Ask,
  openPulls: OpenPulls,
): Promise<PrimitiveStatus> {
  const [verify, image, wiring] = await Promise.all([
    verifyLink(plan, sources, ask),
    imageLink(plan, sources, ask),
    wiringLink(plan, sources, ask, openPulls),
  ])
  const digest = image.state === 'done' || image.state === 'failed' ? (image.details.digest as string) : undefined
  const perEnv = await Promise.all(
    plan.environments.map(async (e) => {
      const [enablement, deployed] = await Promise.all([
        enablementLink(plan, e, image, sources, ask, openPulls),
        sources.argocd === null ? null : deployedLink(e, digest, image, sources.argocd, ask),
      ])
      return deployed ? [enablement, deployed] : [enablement]
    }),
  )
  const links: LinkStatus[] = [...(verify ? [verify] : []), image, wiring, ...perEnv.flat()]
  const done = links.every((l) => l.state === 'done')
  return {
    kind: plan.kind,
    name: plan.name,
    version: plan.version,
    component: plan.component,
    repository: plan.repository,
    done,
    links,
    nextSteps: done ? [] : nextStep(plan, links, request),
  }
}

const link = (
  id: LinkStatus['link'],
  state: LinkState,
  summary: string,
  details: Record<string, unknown> = {},
  extra: Partial<LinkStatus> = {},
): LinkStatus => ({link: id, state, summary, details, ...extra})

const unknown = (id: LinkStatus['link'], reason: string, extra: Partial<LinkStatus> = {}, details = {}) =>
  link(id, 'unknown', `cannot be known: ${reason}`, details, {reason, ...extra})

async function verifyLink(plan: PrimitivePlan, sources: StatusSources, ask: Ask): Promise<LinkStatus | null> {
  const verify = sources.verify
  if (!verify) return null
  const r = await ask(() => verify({kind: plan.kind, name: plan.name}))
  if (!r.ok) return unknown('verify', r.reason)
  const v = r.value
  if (v.missingTool) return unknown('verify', v.missingTool, {}, {failedChecks: v.failedChecks})
  if (v.summary === 'pass') return link('verify', 'done', 'primitive verify passes', {failedChecks: [], findings: 0})
  return link(
    'verify',
    'failed',
    `primitive verify fails: ${v.failedChecks.join(', ')} (${v.findings} finding${v.findings === 1 ? '' : 's'})`,
    {failedChecks: v.failedChecks, findings: v.findings},
  )
}

async function imageLink(plan: PrimitivePlan, sources: StatusSources, ask: Ask): Promise<LinkStatus> {
  const [atSha, atMain] = await Promise.all([
    ask(() => sources.registry.headManifest(plan.repository, plan.shaRef.slice(plan.repository.length + 1))),
    ask(() => sources.registry.headManifest(plan.repository, 'main')),
  ])
  if (!atSha.ok) return unknown('image', atSha.reason, {}, {ref: plan.shaRef})
  const mainDigest = atMain.ok ? (atMain.value?.digest ?? null) : undefined
  const details: Record<string, unknown> = {ref: plan.shaRef, digest: atSha.value?.digest ?? null}
  if (mainDigest !== undefined) details.mainDigest = mainDigest
  if (!atSha.value) return link('image', 'absent', `${plan.shaRef} is not published`, details)
  const digest = atSha.value.digest
  const mainNote =
    mainDigest === undefined
      ? ':main unknown'
      : mainDigest === digest
        ? ':main is this digest'
        : ':main is another digest'
  const evidence = sources.evidence
  if (evidence) {
    const digestRef = `${plan.shaRef}@${digest}`
    const e = await ask(() => examineDigest(digestRef, evidence))
    if (!e.ok) return unknown('image', `evidence: ${e.reason}`, {}, details)
    // The findings `gitops verify --evidence` would report for a use of this ref (its tag is the commit).
    const use = {file: plan.shaRef, line: 1}
    const findings = checkEvidence([
      {
        record: {image: digestRef, ...e.value.facts, uses: [use]},
        ...e.value,
        tags: [plan.shaRef.slice(plan.repository.length + 1)],
      },
    ])
    details.evidence = {
      ...e.value.facts,
      ...(findings.length > 0 ? {findings: findings.map((f) => ({rule: f.rule, message: f.message}))} : {}),
    }
    if (findings.length > 0) {
      const rules = [...new Set(findings.map((f) => f.rule))]
      return link('image', 'failed', `${digest.slice(0, 19)}… evidence fails: ${rules.join(', ')}`, details)
    }
    return link(
      'image',
      'done',
      `${digest.slice(0, 19)}… published (${mainNote}); ${describeEvidence(e.value.facts)}`,
      details,
    )
  }
  return link('image', 'done', `${digest.slice(0, 19)}… published (${mainNote})`, details)
}

async function wiringLink(plan: PrimitivePlan, sources: StatusSources, ask: Ask, openPulls: OpenPulls) {
  const gitops = sources.gitops
  if (isUnavailable(gitops)) return unknown('wiring', gitops.unavailable, {}, {files: plan.wiring.files})
  const files = await Promise.all(plan.wiring.files.map((f) => ask(() => gitops.readFile(f))))
  const failed = files.find((f) => !f.ok)
  if (failed && !failed.ok) return unknown('wiring', failed.reason, {}, {files: plan.wiring.files})
  const present = plan.wiring.files.filter((_, i) => (files[i] as {value: string | null}).value !== null)
  const details = {files: plan.wiring.files, present, branch: plan.wiring.branch}
  if (present.length === plan.wiring.files.length)
    return link('wiring', 'done', 'component wiring on the base branch', details)
  const pulls = await openPulls()
  if (!pulls.ok) return unknown('wiring', `open pull requests: ${pulls.reason}`, {}, details)
  const pr = pulls.value.find((p) => p.branch === plan.wiring.branch)
  if (pr) return link('wiring', 'pending', `scaffold PR #${pr.number} is open: ${pr.url}`, details, {pullRequest: pr})
  const missing = plan.wiring.files.filter((f) => !present.includes(f))
  return link('wiring', 'absent', `no wiring (${missing.join(', ')} missing) and no scaffold PR`, details)
}

async function enablementLink(
  plan: PrimitivePlan,
  e: PrimitivePlan['environments'][number],
  image: LinkStatus,
  sources: StatusSources,
  ask: Ask,
  openPulls: OpenPulls,
): Promise<LinkStatus> {
  const base = {env: e.env}
  const gitops = sources.gitops
  if (isUnavailable(gitops)) return unknown('enablement', gitops.unavailable, base, {file: e.file})
  const text = await ask(() => gitops.readFile(e.file))
  if (!text.ok) return unknown('enablement', text.reason, base, {file: e.file})
  const values = text.value === null ? null : await readOverlay(text.value, plan.repository)
  const details: Record<string, unknown> = {
    file: e.file,
    enabled: values?.enabled ?? false,
    ref: values?.ref ?? null,
  }
  const expected = image.details.digest as string | null | undefined
  let state: LinkState
  let summary: string
  if (!values || !values.enabled) {
    details.refState = values?.ref ? refState(values.ref, expected) : 'absent'
    state = 'absent'
    summary = values ? `${e.file} does not enable the component` : `${e.file} does not exist`
  } else if (!values.ref) {
    details.refState = 'absent'
    state = 'absent'
    summary = `enabled, but ${e.file} has no image ref of ${plan.repository}`
  } else {
    const rs = refState(values.ref, expected)
    details.refState = rs
    if (rs === 'unknown') {
      return unknown(
        'enablement',
        `the image digest is unknown (${image.reason ?? 'image link unknown'})`,
        base,
        details,
      )
    }
    state = rs === 'current' ? 'done' : 'behind'
    summary =
      rs === 'current'
        ? `enabled, pinned to ${expected!.slice(0, 19)}…`
        : rs === 'unpinned'
          ? `enabled, but the ref is not digest-pinned: ${values.ref}`
          : `enabled, pinned to an older digest than ${plan.shaRef}`
  }
  if (state === 'done') return link('enablement', state, summary, details, base)
  const pulls = await openPulls()
  if (!pulls.ok) return unknown('enablement', `open pull requests: ${pulls.reason}`, base, details)
  const pr = pulls.value.find((p) => p.branch === e.imagesBranch || isPromoteBranchInto(p.branch, e.env))
  if (pr) {
    return link('enablement', 'pending', `images PR #${pr.number} is open: ${pr.url}`, details, {
      ...base,
      pullRequest: pr,
    })
  }
  return link('enablement', state, summary, details, base)
}

/** `current` (the published digest), `older`, `unpinned`, or `unknown` (the published digest is not known). */
function refState(ref: string, expected: string | null | undefined): 'current' | 'older' | 'unpinned' | 'unknown' {
  const parsed = tryParseImageReference(ref)
  if (!parsed || !isDigestPinned(parsed)) return 'unpinned'
  if (expected === undefined) return 'unknown'
  return parsed.digest === expected ? 'current' : 'older'
}

/** `enabled` and the component's image ref in an environment overlay (the `ref` contract, or any ref of the repository). */
async function readOverlay(text: string, repository: string): Promise<{enabled: boolean; ref: string | null}> {
  const [yaml, {findImages}] = await Promise.all([import('yaml'), import('../gitops/facts.js')])
  let doc: unknown
  try {
    doc = yaml.parse(text, {maxAliasCount: 100})
  } catch {
    return {enabled: false, ref: null}
  }
  const enabled = (doc as {enabled?: unknown} | null)?.enabled === true
  const wanted = tryParseImageReference(repository)?.repository
  const site = findImages(yaml, text).images.find(
    (i) => !i.embedded && tryParseImageReference(i.value)?.repository === wanted,
  )
  return {enabled, ref: site?.value ?? null}
}

async function deployedLink(
  e: PrimitivePlan['environments'][number],
  digest: string | undefined,
  image: LinkStatus,
  argocd: ArgoReader | Unavailable,
  ask: Ask,
): Promise<LinkStatus> {
  const base = {env: e.env}
  const details: Record<string, unknown> = {application: e.application}
  if (isUnavailable(argocd)) return unknown('deployed', argocd.unavailable, base, details)
  const r = await ask(() => argocd.getApplication(e.application))
  if (!r.ok) return unknown('deployed', r.reason, base, details)
  if (!r.value) return link('deployed', 'absent', `no Argo CD application ${e.application}`, details, base)
  const app = r.value
  details.sync = app.sync
  details.health = app.health
  if (app.revision) details.revision = app.revision
  const live = digest === undefined ? null : app.images.some((i) => i.endsWith(`@${digest}`))
  details.liveDigest = live
  const where = `${app.sync}/${app.health}`
  if (app.health === 'Degraded' || app.health === 'Missing') {
    return link('deployed', 'failed', `${e.application} is ${where}`, details, base)
  }
  if (app.sync !== 'Synced' || app.health !== 'Healthy') {
    return link('deployed', 'behind', `${e.application} is ${where}`, details, base)
  }
  if (live === null) {
    const reason = image.state === 'absent' ? 'the image is not published' : `the image digest is unknown`
    return unknown('deployed', `${where}, but ${reason}`, base, details)
  }
  if (!live) return link('deployed', 'behind', `${e.application} is ${where}, running another image`, details, base)
  return link('deployed', 'done', `${e.application} is ${where} with ${digest!.slice(0, 19)}…`, details, base)
}

/** The one next command: the first link that is not done, in chain order. */
function nextStep(plan: PrimitivePlan, links: LinkStatus[], request: StatusRequest): string[] {
  const first = links.find((l) => l.state !== 'done')
  if (!first) return []
  const sel = `--kind ${plan.kind} --name ${plan.name}`
  const repo = `--repo ${request.gitopsRepository}`
  switch (first.link) {
    case 'verify':
      return [`ameide primitive verify ${sel}`]
    case 'image':
      if (first.state === 'unknown') return [`ameide primitive status ${sel} --version ${plan.version}`]
      return [`ameide primitive publish --component ${plan.kind}/${plan.name} --sha ${request.sha}`]
    case 'wiring':
      if (first.pullRequest) return [`gh pr merge ${first.pullRequest.url}`]
      if (first.state === 'unknown') return [`ameide primitive status ${sel} --version ${plan.version}`]
      return [`ameide primitive gitops scaffold ${sel} --version ${plan.version} ${repo} --wait`]
    case 'enablement': {
      if (first.pullRequest) return [`gh pr merge ${first.pullRequest.url}`]
      const digest = links.find((l) => l.link === 'image')?.details.digest as string | null | undefined
      if (first.state === 'unknown' || !digest) return [`ameide primitive status ${sel} --version ${plan.version}`]
      const envs = request.environments
      const index = envs.indexOf(first.env!)
      const previous = index > 0 ? links.find((l) => l.link === 'enablement' && l.env === envs[index - 1]) : undefined
      if (previous?.state === 'done') {
        return [
          `ameide gitops promote --from ${envs[index - 1]} --to ${first.env} --component ${plan.kind}-${plan.name} --open-pr ${repo}`,
        ]
      }
      return [`ameide gitops set-image --env ${first.env} --ref ${plan.shaRef}@${digest} --open-pr ${repo}`]
    }
    case 'deployed': {
      const app = first.details.application as string
      if (first.state === 'absent' || first.state === 'unknown') return [`argocd app get ${app}`]
      return [`argocd app wait ${app} --sync --health`]
    }
  }
}
