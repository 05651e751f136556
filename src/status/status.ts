import {mapConcurrent} from '../core/concurrency.js'
import {deployedLink, enablementLink} from './environment-links.js'
import {imageLink, verifyLink, wiringLink} from './links.js'
import {nextStep} from './next-step.js'
import {planPrimitive, type PrimitivePlan} from './plan.js'
import {
  isUnavailable,
  unknownFrom,
  type Ask,
  type OpenPulls,
  type StatusOutcome,
  type StatusRequest,
  type StatusSources,
} from './request.js'
import type {LinkStatus, PrimitiveStatus, PullRequestRef} from './types.js'

export type {
  ArgoReader,
  GitOpsReader,
  StatusOutcome,
  StatusRequest,
  StatusSources,
  Unavailable,
  VerifyVerdict,
} from './request.js'

/**
 * `ameide primitive status`: for each primitive, backlog/671's chain (verify → image → wiring → enablement per
 * environment → deployed per environment) with the state of each link and the one next command. Reads only.
 * Plans first (`plan.ts`: every name and path), then asks the sources: primitives `concurrency` at a time, the links
 * of one primitive at once. A source that cannot answer makes its link `unknown` with the reason; a source that kept
 * failing also sets `remoteFailed` (the command exits 4).
 */

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
