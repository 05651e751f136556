/**
 * An ExternalArtifact an ArtifactGenerator assembles from this repository's GitRepositories, as a view of one of its
 * folders: where the copy rules put that folder (the shift a Kustomization's `spec.path` is read under), and the
 * fields of the GitRepositories copied from, which decide what their artifact holds.
 */
import path from 'node:path'

import {at} from '../../kubernetes/objects.js'
import type {GitArtifact} from '../../model/render-inputs.js'
import type {GitRepositoryOf} from './sources.js'

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

/**
 * The fields of the GitRepositories an ArtifactGenerator's copy rules read (`@<alias>/…`, its `spec.sources`), when
 * they are one set (a GitRepository not in the revision sets none); undefined when they differ.
 */
export function copiedArtifact(
  rules: readonly unknown[],
  generator: unknown,
  gitRepositories: ReadonlyMap<string, GitRepositoryOf>,
): GitArtifact | undefined {
  const sources = at(generator, 'spec', 'sources')
  const ns = str(at(generator, 'metadata', 'namespace')) ?? 'default'
  const found = new Map<string, GitArtifact>()
  for (const r of rules) {
    const alias = /^@([^/]+)\//.exec(str(at(r, 'from')) ?? '')?.[1]
    const source = Array.isArray(sources) ? sources.find((x) => at(x, 'alias') === alias) : undefined
    const ref = `${str(at(source, 'namespace')) ?? ns}/${str(at(source, 'name')) ?? ''}`
    const artifact = gitRepositories.get(ref)?.artifact ?? {}
    found.set(JSON.stringify(artifact), artifact)
  }
  return found.size <= 1 ? ([...found.values()][0] ?? {}) : undefined
}

/**
 * The folder of this repository an artifact is a view of: every copy rule takes a folder (`@repo/apps/base/**`,
 * `@repo/apps/base/`) or a file of a GitRepository source to the same relative place under `@artifact/`
 * (`@artifact/base/`), so that `<folder>/<path>` in the repository is `<path>` in the artifact, for one `<folder>` —
 * then what kustomize-controller builds from the artifact is what kustomize builds from that folder. Undefined when a
 * rule copies from another kind of source, with a glob other than a trailing `**`, or to another place.
 */
export function artifactShift(rules: readonly unknown[], sources: unknown): string | undefined {
  if (rules.length === 0) return undefined
  const shifts = new Set<string>()
  for (const r of rules) {
    const from = str(at(r, 'from'))
    const to = str(at(r, 'to')) ?? '@artifact/'
    const m = from ? /^@([^/]+)\/(.*)$/.exec(from) : null
    const target = /^@artifact\/(.*)$/.exec(to)
    if (!m || !target || at(r, 'strategy') === 'Merge') return undefined
    const source = Array.isArray(sources) ? sources.find((s) => at(s, 'alias') === m[1]) : undefined
    if (at(source, 'kind') !== 'GitRepository') return undefined
    let fromPath = m[2].replace(/\*\*$/, '')
    let toPath = target[1]
    if (/[*?[\]]/.test(fromPath)) return undefined
    // A file copied into a folder keeps its name.
    if (!fromPath.endsWith('/') && fromPath !== '' && (toPath === '' || toPath.endsWith('/')))
      toPath += path.posix.basename(fromPath)
    fromPath = fromPath.replace(/\/$/, '')
    toPath = toPath.replace(/\/$/, '')
    if (toPath === '') shifts.add(fromPath)
    else if (fromPath === toPath) shifts.add('')
    else if (fromPath.endsWith(`/${toPath}`)) shifts.add(fromPath.slice(0, -toPath.length - 1))
    else return undefined
  }
  return shifts.size === 1 ? [...shifts][0] : undefined
}
