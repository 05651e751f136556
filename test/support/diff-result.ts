/** Synthetic `gitops diff` results, for the tests of what is made of one (comments, their parts). */
import type {GitopsDiffResult} from '../../src/gitops/diff/types.js'

/**
 * A diff result with `n` deployables (none: `unchanged`), each with one object whose diff is `lines` numbered lines.
 */
export function bigResult(n: number, lines: number): GitopsDiffResult {
  const deployables = Array.from({length: n}, (_, i) => ({
    change: 'changed' as const,
    kind: 'Application' as const,
    environment: 'dev',
    application: `app-${i}`,
    source: 'charts/app',
    declaredIn: `apps/app-${i}.yaml`,
    objects: [
      {
        change: 'changed' as const,
        apiVersion: 'v1',
        kind: 'ConfigMap',
        name: `app-${i}`,
        masked: false,
        diff: `--- a/ConfigMap/app-${i}\n+++ b/ConfigMap/app-${i}\n@@ -1,${lines} +1,${lines} @@\n${Array.from({length: lines}, (_, l) => `+  key-${i}-${l}: ${'v'.repeat(60)}`).join('\n')}\n`,
      },
    ],
    counts: {added: 0, removed: 0, changed: 1, unchanged: 0},
  }))
  const counts = {
    applicationsAdded: 0,
    applicationsRemoved: 0,
    deployablesAdded: 0,
    deployablesRemoved: 0,
    deployablesChanged: n,
    objectsAdded: 0,
    objectsRemoved: 0,
    objectsChanged: n,
    imagesMoved: 0,
    findingsFixed: 0,
    findingsIntroduced: 0,
    failures: 0,
  }
  const revision = {revision: 'main', commit: 'a'.repeat(40), chosenBy: '--base'}
  return {
    summary: n > 0 ? 'changed' : 'unchanged',
    base: revision,
    head: {...revision, revision: 'HEAD', chosenBy: '--head'},
    environments: ['dev'],
    counts,
    applications: {added: [], removed: []},
    images: [],
    verdict: {fixed: [], introduced: []},
    deployables,
    moves: [],
    failures: [],
    renders: {base: {rendered: n, cached: 0, unchanged: 0}, head: {rendered: n, cached: 0, unchanged: 0}},
  }
}
