/**
 * Two rendered revisions compared: deployables added, removed and changed (per environment), each changed
 * deployable's objects with their unified diffs, the images that move (with the line that decided the new one), the
 * render gate's findings fixed and introduced, and what either revision could not render.
 */
import {sameData, shownBody, stableYaml, unifiedDiff} from './objects.js'
import {compareApplications} from './applications.js'
import {compareImages} from './images.js'
import {blindTo, failuresOf, touchedApplications} from './incomplete.js'
import {pairMoves} from './moves.js'
import {NoiseTally, noiseReport, onlyNoise, type NoisePolicy} from './noise/index.js'
import {cmp} from './order.js'
import type {NotRendered} from '../render/not-rendered.js'
import type {Snapshot, SnapshotUnit} from './snapshot.js'
import type {DeployableDiff, DiffFailure, GitopsDiffResult, ObjectDiff} from './types.js'
import {difference, unknownVerdicts} from './finding-changes.js'
import {controllerOf, type Controller} from './controller.js'
import {objectFate, refusedFindings} from './updates.js'

export type Compared = Omit<GitopsDiffResult, 'summary' | 'base' | 'head' | 'markdown'>

/** Each revision's not-rendered findings the change touches, as the verdict (./verdict.ts touchedBy) found them. */
export type Touched = {base: readonly NotRendered[]; head: readonly NotRendered[]}

export async function compareSnapshots(
  base: Snapshot,
  head: Snapshot,
  touched: Touched,
  maskKinds: readonly string[],
  noise?: NoisePolicy,
): Promise<Compared> {
  const yaml = await import('yaml')
  // A revision with a file declaring deployables it could not read (and the other could, or read otherwise): what
  // is missing from it is unknown there, never "removed" (or, from the base, "added").
  const blind = {base: blindTo(base, touched.base), head: blindTo(head, touched.head)}
  // An Application something of which the change touches and neither revision can render: its objects are unknown.
  const unknown = new Set([...touchedApplications(touched.base), ...touchedApplications(touched.head)])
  const {deployables, moves} = await compareDeployables(yaml, base, head, {blind, unknown}, {maskKinds, noise})
  const compared = compareApplications(base, head)
  const applications = {
    added: blind.base ? [] : compared.added,
    removed: blind.head ? [] : compared.removed,
  }
  // The images of a deployable that moved are compared at its new place.
  const rename = new Map(
    moves.filter((m) => m.application === undefined).map((m) => [`${m.environment ?? ''}\0${m.from}`, m.to]),
  )
  const images = compareImages(base, head, rename)
  // A finding of a deployable the other revision could not render is neither fixed nor introduced: unknown there.
  const fixed = difference(base.findings, head.findings, unknownVerdicts(head))
  // A refused update is introduced by the change: first, before every finding the render gate made.
  const introduced = [
    ...refusedFindings(deployables),
    ...difference(head.findings, base.findings, unknownVerdicts(base)),
  ]
  const failures: DiffFailure[] = [...failuresOf('base', touched.base), ...failuresOf('head', touched.head)]
  const verdict = {fixed, introduced}
  const environments = [...new Set([...base.units.values(), ...head.units.values()].map((u) => u.environment))].sort(
    (x, y) => cmp(x ?? '', y ?? ''),
  )
  return {
    environments,
    counts: countsOf({applications, images, verdict, deployables, failures}),
    applications,
    images,
    verdict,
    deployables,
    moves,
    failures,
    renders: {base: base.renders, head: head.renders},
    ...(noise ? {noise: noiseReport(noise)} : {}),
  }
}

/**
 * The deployables added, removed and changed (sorted by environment, application, kind and source), and those whose
 * folder moved. One that either revision cannot see (not rendered, an Application the change touches that neither
 * can render, or missing from a revision blind to it) is left out: its objects are unknown.
 */
async function compareDeployables(
  yaml: typeof import('yaml'),
  base: Snapshot,
  head: Snapshot,
  {blind, unknown}: {blind: {base: boolean; head: boolean}; unknown: ReadonlySet<string>},
  policy: {maskKinds: readonly string[]; noise: NoisePolicy | undefined},
): Promise<Pick<Compared, 'deployables' | 'moves'>> {
  const deployables: DeployableDiff[] = []
  const keys = [...new Set([...base.units.keys(), ...head.units.keys()])].sort()
  // A deployable whose folder moved is the same deployable: matched by what Argo CD / Flux know it by.
  const moved = pairMoves(base, head, keys)
  const movedBase = new Set(moved.keys())
  const moves: Compared['moves'] = []
  for (const key of keys) {
    // A deployable one revision could not render is not "added" or "removed": its objects are unknown there (the
    // failure says it is incomplete).
    if (base.unrendered.has(key) || head.unrendered.has(key)) continue
    if (movedBase.has(key)) continue
    const pairedBase = [...moved].find(([, h]) => h === key)?.[0]
    const b = base.units.get(pairedBase ?? key)
    const h = head.units.get(key)
    const unit = (h ?? b)!
    const app = unit.application === undefined ? undefined : `${unit.environment ?? ''}\0${unit.application}`
    if (app && unknown.has(app)) continue
    if ((!h && blind.head) || (!b && blind.base)) continue
    if (pairedBase !== undefined && b && h) {
      moves.push({
        kind: h.kind,
        environment: h.environment,
        ...(h.application !== undefined ? {application: h.application} : {}),
        from: b.source,
        to: h.source,
      })
    }
    // The head's controller decides what becomes of the objects; the base's, of those of a deployable removed.
    const controller = h ? controllerOf(h, head) : controllerOf(b!, base)
    const d = await compareUnit(yaml, b, h, unit, {...policy, controller})
    if (d) deployables.push(pairedBase !== undefined && b ? {...d, movedFrom: b.source} : d)
  }
  deployables.sort(
    (x, y) =>
      cmp(x.environment ?? '', y.environment ?? '') ||
      cmp(x.application ?? '', y.application ?? '') ||
      cmp(x.kind, y.kind) ||
      cmp(x.source, y.source),
  )
  return {deployables, moves}
}

/** The result's counts: applications, deployables and objects added, removed and changed; images; findings; failures. */
function countsOf(
  parts: Pick<Compared, 'applications' | 'images' | 'verdict' | 'deployables' | 'failures'>,
): Compared['counts'] {
  const {applications, images, verdict, deployables, failures} = parts
  const count = (c: ObjectDiff['change'] | 'folded' | 'ignored') =>
    deployables.reduce((n, d) => n + (d.counts[c] ?? 0), 0)
  return {
    applicationsAdded: applications.added.length,
    applicationsRemoved: applications.removed.length,
    deployablesAdded: deployables.filter((d) => d.change === 'added').length,
    deployablesRemoved: deployables.filter((d) => d.change === 'removed').length,
    // A deployable listed only for its folded or ignored objects is not changed.
    deployablesChanged: deployables.filter((d) => d.change === 'changed' && !onlyNoise(d)).length,
    objectsAdded: count('added'),
    objectsRemoved: count('removed'),
    objectsChanged: count('changed'),
    imagesMoved: images.length,
    findingsFixed: verdict.fixed.length,
    findingsIntroduced: verdict.introduced.length,
    failures: failures.length,
    objectsFolded: count('folded'),
    objectsIgnored: count('ignored'),
  }
}

async function compareUnit(
  yaml: typeof import('yaml'),
  b: SnapshotUnit | undefined,
  h: SnapshotUnit | undefined,
  unit: SnapshotUnit,
  {
    maskKinds,
    noise,
    controller,
  }: {maskKinds: readonly string[]; noise: NoisePolicy | undefined; controller: Controller},
): Promise<DeployableDiff | undefined> {
  const objects: ObjectDiff[] = []
  const counts = {added: 0, removed: 0, changed: 0, unchanged: 0}
  const tally = new NoiseTally(yaml, noise)
  const keys = [...new Set([...(b?.objects.keys() ?? []), ...(h?.objects.keys() ?? [])])].sort()
  for (const k of keys) {
    const before = b?.objects.get(k)
    const after = h?.objects.get(k)
    const o = (after ?? before)!
    const shownBefore = before && shownBody(before.body, undefined, false, maskKinds)
    const shownAfter = after && shownBody(after.body, before?.body, true, maskKinds)
    const masked = Boolean(shownBefore?.masked || shownAfter?.masked)
    const bodyBefore = shownBefore?.body
    const bodyAfter = shownAfter?.body
    // The same data is the same text: most objects of a changed deployable are not printed to find that out.
    if (before && after && sameData(bodyBefore, bodyAfter)) {
      counts.unchanged++
      continue
    }
    const textBefore = stableYaml(yaml, bodyBefore)
    const textAfter = stableYaml(yaml, bodyAfter)
    const change = !before ? 'added' : !after ? 'removed' : textBefore === textAfter ? undefined : 'changed'
    if (!change) {
      counts.unchanged++
      continue
    }
    const fate = objectFate(change, before?.body, after?.body, controller, !h)
    // A change the base's policy folds or ignores: counted and listed apart, never shown as a change (but an update
    // of a field the API server refuses, whatever the rules cover).
    const target = {...o, ...(unit.application !== undefined ? {application: unit.application} : {})}
    if (change === 'changed' && !fate.update && tally.take(target, before!.body, after!.body)) continue
    counts[change]++
    const name = `${o.kind}/${o.namespace ? `${o.namespace}/` : ''}${o.name}`
    objects.push({
      change,
      apiVersion: o.apiVersion,
      kind: o.kind,
      ...(o.namespace ? {namespace: o.namespace} : {}),
      name: o.name,
      ...(before?.scopeUnknown || after?.scopeUnknown ? {scope: 'unknown' as const} : {}),
      masked,
      diff: await unifiedDiff(name, textBefore, textAfter, {base: !before, head: !after}),
      ...fate,
    })
  }
  const change = !b ? 'added' : !h ? 'removed' : objects.length + tally.count > 0 ? 'changed' : undefined
  if (!change) return undefined
  return tally.into({
    change,
    kind: unit.kind,
    environment: unit.environment,
    ...(unit.application !== undefined ? {application: unit.application} : {}),
    source: unit.source,
    declaredIn: unit.declaredIn,
    ...((h ?? b)?.foundBy ? {foundBy: (h ?? b)!.foundBy} : {}),
    objects,
    counts,
  })
}
