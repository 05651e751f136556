/** `dev-environment`: the dev overlay directory is gone and no cluster config enables `env: dev` (backlog/603). */
import {finding, type GitopsFinding, type PolicyRule} from './rule.js'

export const devEnvironment: PolicyRule<'dev-environment'> = {
  id: 'dev-environment',
  kind: 'policy',
  title: 'A dev environment still exists (overlay directory or cluster config)',
  source: 'backlog/603 checklist 3 (remove env/dev)',
  hint: 'Remove sources/values/env/dev/ and env: dev from config/clusters/*.yaml; the environments are local, staging, production.',
  checkFile({file, zone, found}) {
    if (zone.kind !== 'cluster-config') return []
    const out: GitopsFinding[] = []
    for (const k of found.keyed) {
      if (k.value === 'dev' && !/^imageTag$/i.test(k.key)) {
        out.push(finding(devEnvironment, file, k, `${k.path}: dev still enables the dev environment on this cluster.`))
      }
    }
    return out
  },
  checkRepo({layout, files}) {
    const roots = layout.overlayRoot('dev').map((r) => `${r}/`)
    const first = files.find((f) => roots.some((r) => f.startsWith(r)))
    if (!first) return []
    const dir = roots.find((r) => first.startsWith(r))!.slice(0, -1)
    return [
      finding(devEnvironment, `${dir}/`, {line: 0, column: 0}, `${dir}/ still exists; there is no dev environment.`),
    ]
  },
}
