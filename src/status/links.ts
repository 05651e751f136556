/** The links of a primitive that do not depend on an environment: verify, image, wiring. */
import {describeEvidence, examineDigest} from '../gitops/evidence/examine.js'
import {checkEvidence} from '../gitops/rules/index.js'
import type {PrimitivePlan} from './plan.js'
import {isUnavailable, type Ask, type OpenPulls, type StatusSources} from './request.js'
import type {LinkState, LinkStatus} from './types.js'

export const link = (
  id: LinkStatus['link'],
  state: LinkState,
  summary: string,
  details: Record<string, unknown> = {},
  extra: Partial<LinkStatus> = {},
): LinkStatus => ({link: id, state, summary, details, ...extra})

export const unknown = (id: LinkStatus['link'], reason: string, extra: Partial<LinkStatus> = {}, details = {}) =>
  link(id, 'unknown', `cannot be known: ${reason}`, details, {reason, ...extra})

export async function verifyLink(plan: PrimitivePlan, sources: StatusSources, ask: Ask): Promise<LinkStatus | null> {
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

export async function imageLink(plan: PrimitivePlan, sources: StatusSources, ask: Ask): Promise<LinkStatus> {
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

export async function wiringLink(plan: PrimitivePlan, sources: StatusSources, ask: Ask, openPulls: OpenPulls) {
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
