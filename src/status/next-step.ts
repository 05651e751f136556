import type {PrimitivePlan} from './plan.js'
import type {StatusRequest} from './request.js'
import type {LinkStatus} from './types.js'

/** The one next command: the first link that is not done, in chain order. */
export function nextStep(plan: PrimitivePlan, links: LinkStatus[], request: StatusRequest): string[] {
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
