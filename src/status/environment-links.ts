/** The links of a primitive in one environment: enablement (its overlay) and deployed (Argo CD). */
import {isDigestPinned, tryParseImageReference} from '../images/reference.js'
import {link, unknown} from './links.js'
import {isPromoteBranchInto, type PrimitivePlan} from './plan.js'
import {
  isUnavailable,
  type ArgoReader,
  type Ask,
  type OpenPulls,
  type StatusSources,
  type Unavailable,
} from './request.js'
import type {LinkState, LinkStatus} from './types.js'

export async function enablementLink(
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
  const [yaml, {findImages}] = await Promise.all([import('yaml'), import('../gitops/facts/index.js')])
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

export async function deployedLink(
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
