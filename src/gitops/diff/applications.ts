/** The named deployables (Argo CD Applications, Flux HelmReleases) one revision has and the other has not. */
import {cmp} from './order.js'
import type {Snapshot} from './snapshot.js'
import type {GitopsDiffResult} from './types.js'

/** The named deployables (Applications, HelmReleases) present in one revision and not the other. */
export function compareApplications(base: Snapshot, head: Snapshot): GitopsDiffResult['applications'] {
  const names = (s: Snapshot) => {
    const out = new Map<string, {kind: string; environment: string | null; name: string}>()
    for (const u of s.units.values()) {
      if (u.application === undefined) continue
      const kind = u.kind === 'HelmRelease' ? 'HelmRelease' : 'Application'
      out.set(`${kind}\0${u.environment ?? ''}\0${u.application}`, {
        kind,
        environment: u.environment,
        name: u.application,
      })
    }
    for (const key of [...s.unrendered, ...s.unchanged]) {
      const [kind, environment, application] = key.split('\0')
      if (!application) continue
      const k = kind === 'HelmRelease' ? 'HelmRelease' : 'Application'
      out.set(`${k}\0${environment}\0${application}`, {kind: k, environment: environment || null, name: application})
    }
    // Not rendered at all (a jsonnet or plugin source, a remote chart): present, its objects unknown.
    for (const key of s.unrenderedApplications) {
      const [environment, application] = key.split('\0')
      const k = application.includes('/') ? 'HelmRelease' : 'Application'
      out.set(`${k}\0${environment}\0${application}`, {kind: k, environment: environment || null, name: application})
    }
    return out
  }
  const [b, h] = [names(base), names(head)]
  const sorted = (
    m: Map<string, {kind: string; environment: string | null; name: string}>,
    other: Map<string, unknown>,
    invalid: ReadonlySet<string>,
  ) =>
    [...m.entries()]
      .filter(([k, v]) => !other.has(k) && !invalid.has(`${v.environment ?? ''}\0${v.name}`))
      .sort(([x], [y]) => cmp(x, y))
      .map(([, v]) => v)
  return {added: sorted(h, b, head.invalidApplications), removed: sorted(b, h, base.invalidApplications)}
}
