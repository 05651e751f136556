/**
 * Argo CD hydrates the Applications of one hydration together or not at all (controller/hydrator/hydrator.go,
 * ProcessHydrationQueueItem): validateApplications fails two that write to the same destination (repository and
 * syncSource.path) with its words, each naming the other; an Application that fails to validate or to render fails
 * the group, and every other member takes the generic error (genericHydrationError: "cannot hydrate because
 * application <first of the failing ones, sorted> has an error" / "and N more have errors"). Nothing of such a group
 * is committed, so nothing of it deploys: after the waves, each member of a group with a failure is failed too, its
 * rendered objects unknown. A member whose render is not known (render-unavailable) leaves the others unknown too.
 */
import type {HydrationMember} from '../argocd/application/source-hydrator.js'
import type {GitopsFinding} from '../rules/index.js'
import type {GateContext} from './types.js'

/** The members of each group, per environment (where their findings and renders are). */
function groupsOf(members: readonly HydrationMember[]): Map<string, Array<{m: HydrationMember; env: string | null}>> {
  const groups = new Map<string, Array<{m: HydrationMember; env: string | null}>>()
  for (const m of members)
    for (const env of m.environments) {
      const key = `${env ?? ''}\0${m.group}`
      groups.set(key, [...(groups.get(key) ?? []), {m, env}])
    }
  return groups
}

/** validateApplications' duplicate destinations: each member that shares one, with Argo CD's error. */
function duplicateDestinations(group: ReadonlyArray<{m: HydrationMember}>): Map<string, string> {
  const errors = new Map<string, string>()
  const seen = new Map<string, HydrationMember>()
  for (const {m} of group) {
    const first = seen.get(m.destination)
    if (!first) {
      seen.set(m.destination, m)
      continue
    }
    errors.set(m.qualified, `app ${first.qualified} hydrator uses the same destination: ${m.destination}`)
    errors.set(first.qualified, `app ${m.qualified} hydrator uses the same destination: ${m.destination}`)
  }
  return errors
}

const NOT_RENDERED = new Set(['render-failed', 'render-refused', 'render-limit', 'application-invalid'])

export function failHydrationGroups(ctx: GateContext, members: readonly HydrationMember[]): void {
  const findings = [...ctx.out.findings]
  const findingsOf = (m: HydrationMember, env: string | null): GitopsFinding[] =>
    findings.filter((f) => f.application === m.application && (f.environment ?? null) === env)
  for (const group of groupsOf(members).values()) {
    if (group.length < 2) continue
    const duplicates = duplicateDestinations(group)
    const failing = new Set(duplicates.keys())
    const unknown = new Set<string>()
    for (const {m, env} of group)
      for (const f of findingsOf(m, env)) {
        if (NOT_RENDERED.has(f.rule)) failing.add(m.qualified)
        else if (f.rule === 'render-unavailable') unknown.add(m.qualified)
      }
    if (failing.size + unknown.size === 0) continue
    const files = [...new Set(group.map(({m}) => m.file))]
    for (const {m, env} of group) failMember(ctx, m, env, duplicates.get(m.qualified), {failing, unknown, files})
  }
}

/** One member of a group that does not hydrate: its own error, or the group's. */
function failMember(
  ctx: GateContext,
  m: HydrationMember,
  env: string | null,
  own: string | undefined,
  group: {failing: ReadonlySet<string>; unknown: ReadonlySet<string>; files: readonly string[]},
): void {
  const site = {file: m.file, line: m.line, environment: env, application: m.application}
  // The same members' files in both revisions, the same message: a failure of both (gitops diff: not "incomplete").
  const about = (message: string) => ({
    id: `hydration\0${m.file}\0${m.application}`,
    reads: group.files,
    extra: message,
  })
  const intro = `Application ${m.application}: Argo CD hydrates it with the Applications of its hydration (${m.describe}), together or not at all`
  if (own) {
    const message = `${intro}: Failed to hydrate: ${own}`
    ctx.out.failed({...site, message}, about(message))
  } else if (group.failing.size > 0 && !group.failing.has(m.qualified)) {
    const keys = [...group.failing].sort()
    const rest = keys.length > 1 ? `and ${keys.length - 1} more have errors` : 'has an error'
    const message = `${intro}: Failed to hydrate: cannot hydrate because application ${keys[0]} ${rest}`
    ctx.out.failed({...site, message}, about(message))
  } else if (group.failing.size === 0 && !group.unknown.has(m.qualified)) {
    const names = [...group.unknown].sort().join(', ')
    const message = `${intro}: it is hydrated only if ${names} renders, which is not rendered here, so what it deploys is not known.`
    ctx.out.unavailable({...site, message}, about(message))
  } else return
  const failed = (u: {application?: string; environment: string | null; status: string}) => {
    if (u.application === m.application && u.environment === env)
      u.status = own || group.failing.size > 0 ? 'failed' : 'unavailable'
  }
  ctx.report.deployables.forEach(failed)
  ctx.report.roots.forEach(failed)
  ctx.report.directories.forEach(failed)
}
