/**
 * Two rendered revisions compared: deployables added, removed and changed (per environment), each changed
 * deployable's objects with their unified diffs, the images that move (with the line that decided the new one), the
 * render gate's findings fixed and introduced, and what either revision could not render.
 */
import {canonicalJson} from '../../core/canonical-json.js'
import {isDigestPinned, tryParseImageReference} from '../../images/reference.js'
import type {RenderedImage} from '../render/gate.js'
import type {GitopsFinding} from '../rules/index.js'
import {shownBody, stableYaml, unifiedDiff} from './objects.js'
import {isNotRendered, type Snapshot, type SnapshotUnit} from './snapshot.js'
import type {DeployableDiff, DiffFailure, GitopsDiffResult, ImageMove, ObjectDiff, VerdictFinding} from './types.js'

type Compared = Omit<GitopsDiffResult, 'summary' | 'base' | 'head' | 'markdown'>

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

export async function compareSnapshots(
  base: Snapshot,
  head: Snapshot,
  maskKinds: readonly string[],
): Promise<Compared> {
  const yaml = await import('yaml')
  const deployables: DeployableDiff[] = []
  // A revision with a file declaring deployables it could not read (and the other could, or read otherwise): what
  // is missing from it is unknown there, never "removed" (or, from the base, "added").
  const blind = {base: blindTo(base, head), head: blindTo(head, base)}
  const keys = [...new Set([...base.units.keys(), ...head.units.keys()])].sort()
  // An Application something of which the change touches and neither revision can render: its objects are unknown.
  const incomplete = new Set([...touchedApplications(base, head), ...touchedApplications(head, base)])
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
    if (app && incomplete.has(app)) continue
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
    const d = await compareUnit(yaml, b, h, unit, maskKinds)
    if (d) deployables.push(pairedBase !== undefined && b ? {...d, movedFrom: b.source} : d)
  }
  deployables.sort(
    (x, y) =>
      cmp(x.environment ?? '', y.environment ?? '') ||
      cmp(x.application ?? '', y.application ?? '') ||
      cmp(x.kind, y.kind) ||
      cmp(x.source, y.source),
  )
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
  const introduced = difference(head.findings, base.findings, unknownVerdicts(base))
  const failures: DiffFailure[] = [...failuresOf('base', base, head), ...failuresOf('head', head, base)]
  const count = (c: ObjectDiff['change']) => deployables.reduce((n, d) => n + d.counts[c], 0)
  const environments = [...new Set([...base.units.values(), ...head.units.values()].map((u) => u.environment))].sort(
    (x, y) => cmp(x ?? '', y ?? ''),
  )
  return {
    environments,
    counts: {
      applicationsAdded: applications.added.length,
      applicationsRemoved: applications.removed.length,
      deployablesAdded: deployables.filter((d) => d.change === 'added').length,
      deployablesRemoved: deployables.filter((d) => d.change === 'removed').length,
      deployablesChanged: deployables.filter((d) => d.change === 'changed').length,
      objectsAdded: count('added'),
      objectsRemoved: count('removed'),
      objectsChanged: count('changed'),
      imagesMoved: images.length,
      findingsFixed: fixed.length,
      findingsIntroduced: introduced.length,
      failures: failures.length,
    },
    applications,
    images,
    verdict: {fixed, introduced},
    deployables,
    moves,
    failures,
    renders: {base: base.renders, head: head.renders},
  }
}

async function compareUnit(
  yaml: typeof import('yaml'),
  b: SnapshotUnit | undefined,
  h: SnapshotUnit | undefined,
  unit: SnapshotUnit,
  maskKinds: readonly string[],
): Promise<DeployableDiff | undefined> {
  const objects: ObjectDiff[] = []
  const counts = {added: 0, removed: 0, changed: 0, unchanged: 0}
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
    const textBefore = stableYaml(yaml, bodyBefore)
    const textAfter = stableYaml(yaml, bodyAfter)
    const change = !before ? 'added' : !after ? 'removed' : textBefore === textAfter ? undefined : 'changed'
    if (!change) {
      counts.unchanged++
      continue
    }
    counts[change]++
    const name = `${o.kind}/${o.namespace ? `${o.namespace}/` : ''}${o.name}`
    objects.push({
      change,
      apiVersion: o.apiVersion,
      kind: o.kind,
      ...(o.namespace ? {namespace: o.namespace} : {}),
      name: o.name,
      masked,
      diff: await unifiedDiff(name, textBefore, textAfter, {base: !before, head: !after}),
    })
  }
  const change = !b ? 'added' : !h ? 'removed' : objects.length > 0 ? 'changed' : undefined
  if (!change) return undefined
  return {
    change,
    kind: unit.kind,
    environment: unit.environment,
    ...(unit.application !== undefined ? {application: unit.application} : {}),
    source: unit.source,
    declaredIn: unit.declaredIn,
    ...((h ?? b)?.foundBy ? {foundBy: (h ?? b)!.foundBy} : {}),
    objects,
    counts,
  }
}

/**
 * Deployables present in one revision only, paired across a move: an Application's (or HelmRelease's) with the same
 * kind, environment and name, one on each side (its source path moved); else one of the same kind and environment
 * that renders exactly the same objects (the folder was renamed, whatever follows it). Base key → head key.
 */
function pairMoves(base: Snapshot, head: Snapshot, keys: readonly string[]): Map<string, string> {
  const known = (s: Snapshot, k: string) => !s.unrendered.has(k) && !s.unchanged.has(k)
  const only = (a: Snapshot, other: Snapshot) =>
    keys.filter((k) => a.units.has(k) && !other.units.has(k) && known(a, k) && known(other, k))
  const group = (k: string) => k.split('\0').slice(0, 3).join('\0') // kind, environment, application
  const [gone, come] = [only(base, head), only(head, base)]
  const out = new Map<string, string>()
  const taken = new Set<string>()
  for (const b of gone) {
    const candidates = come.filter((h) => group(h) === group(b) && !taken.has(h))
    const named = base.units.get(b)!.application !== undefined
    const h = named
      ? candidates.length === 1 && gone.filter((x) => group(x) === group(b)).length === 1
        ? candidates[0]
        : undefined
      : candidates.find((c) => sameObjects(base.units.get(b)!, head.units.get(c)!))
    if (h === undefined) continue
    out.set(b, h)
    taken.add(h)
  }
  // A folder renamed with what follows it (an ApplicationSet naming its Applications after the folder): whatever
  // the name, one of the same kind and environment that renders exactly the same objects.
  const kindEnv = (k: string) => k.split('\0').slice(0, 2).join('\0')
  for (const b of gone) {
    if (out.has(b)) continue
    const h = come.find(
      (c) => !taken.has(c) && kindEnv(c) === kindEnv(b) && sameObjects(base.units.get(b)!, head.units.get(c)!),
    )
    if (h === undefined) continue
    out.set(b, h)
    taken.add(h)
  }
  return out
}

function sameObjects(a: SnapshotUnit, b: SnapshotUnit): boolean {
  if (a.objects.size !== b.objects.size || a.objects.size === 0) return false
  for (const [k, o] of a.objects) {
    const other = b.objects.get(k)
    if (!other || canonicalJson(o.body) !== canonicalJson(other.body)) return false
  }
  return true
}

/** The named deployables (Applications, HelmReleases) present in one revision and not the other. */
function compareApplications(base: Snapshot, head: Snapshot): Compared['applications'] {
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

const imageKey = (i: RenderedImage) =>
  [
    i.environment ?? '',
    i.application ?? i.root,
    i.object.kind,
    i.object.namespace ?? '',
    i.object.name,
    i.object.container ?? '',
  ].join('\0')

/**
 * Where a revision's images are unknown: the deployables it could not render (environment, Application or folder)
 * and the Applications something of which it could not render.
 */
function unknownImages(s: Snapshot): (i: RenderedImage) => boolean {
  const places = new Set<string>()
  for (const key of s.unrendered) {
    const [, environment, application, dir] = key.split('\0')
    places.add(`${environment}\0${application || dir}`)
  }
  return (i) =>
    places.has(`${i.environment ?? ''}\0${i.application ?? i.root}`) ||
    (i.application !== undefined && s.unrenderedApplications.has(`${i.environment ?? ''}\0${i.application}`))
}

function compareImages(base: Snapshot, head: Snapshot, rename: ReadonlyMap<string, string>): ImageMove[] {
  const moved = (i: RenderedImage) => {
    const to = i.application === undefined ? rename.get(`${i.environment ?? ''}\0${i.root}`) : undefined
    return to === undefined ? i : {...i, root: to}
  }
  const b = new Map(base.images.map((i) => [imageKey(moved(i)), i]))
  const h = new Map(head.images.map((i) => [imageKey(i), i]))
  const unknownInBase = unknownImages(base)
  const unknownInHead = unknownImages(head)
  const out: ImageMove[] = []
  for (const key of [...new Set([...b.keys(), ...h.keys()])].sort()) {
    const from = b.get(key)
    const to = h.get(key)
    if (from && to && from.image === to.image) continue
    // The other revision could not render its deployable: the image's value there is unknown, not "none" (the
    // failure says the diff is incomplete).
    if (!from && unknownInBase(to!)) continue
    if (!to && unknownInHead(from!)) continue
    const at = (to ?? from)!
    const ref = to ? tryParseImageReference(to.image) : undefined
    out.push({
      environment: at.environment,
      ...(at.application !== undefined ? {application: at.application} : {}),
      source: at.root,
      object: at.object,
      from: from?.image ?? null,
      to: to?.image ?? null,
      pinned: ref ? isDigestPinned(ref) : false,
      file: at.file,
      line: at.line,
      how: at.how,
    })
  }
  return out
}

/** A finding's identity across revisions: its rule, place in the rendered output, and message without line numbers. */
const findingKey = (f: GitopsFinding) =>
  JSON.stringify([
    f.rule,
    f.environment ?? '',
    f.application ?? '',
    f.object ?? null,
    f.file,
    f.message.replace(/:\d+\b/g, ':N').replace(/\bline \d+/g, 'line N'),
  ])

/** Whether a revision could not judge what a finding is about: its deployable (environment, Application) not rendered. */
function unknownVerdicts(s: Snapshot): (f: GitopsFinding) => boolean {
  const places = new Set<string>()
  for (const key of s.unrendered) {
    const [, environment, application] = key.split('\0')
    places.add(`${environment}\0${application}`)
  }
  for (const key of s.unrenderedApplications) places.add(key)
  return (f) => !isNotRendered(f.rule) && places.has(`${f.environment ?? ''}\0${f.application ?? ''}`)
}

function difference(
  a: GitopsFinding[],
  b: GitopsFinding[],
  unknownInB: (f: GitopsFinding) => boolean,
): VerdictFinding[] {
  const seen = new Set(b.map(findingKey))
  const out = new Map<string, VerdictFinding>()
  for (const f of a) {
    const k = findingKey(f)
    if (seen.has(k) || out.has(k) || unknownInB(f)) continue
    out.set(k, {
      rule: f.rule,
      severity: f.severity,
      file: f.file,
      line: f.line,
      message: f.message,
      ...(f.environment ? {environment: f.environment} : {}),
      ...(f.application ? {application: f.application} : {}),
      ...(f.object ? {object: f.object} : {}),
    })
  }
  return [...out.values()].sort(
    (x, y) => cmp(x.file, y.file) || x.line - y.line || cmp(x.rule, y.rule) || cmp(x.message, y.message),
  )
}

/** What a not-rendered finding is about, with the key of its inputs: the same in both revisions is untouched. */
function inputsOfFailures(s: Snapshot): Set<string> {
  const out = new Set<string>()
  for (const [f, key] of s.inputKeys) out.add(touchKey(f, key))
  return out
}

const touchKey = (f: GitopsFinding, key: string) =>
  JSON.stringify([f.rule, f.file, f.environment ?? '', f.application ?? '', key])

/**
 * Whether a not-rendered finding makes the diff incomplete: always, unless what it is about has the same inputs (its
 * spec, the files it reads, a remote chart's pinned name and version) in the other revision, which then cannot
 * render differently either. A refusal (`render-refused`) and a limit reached (`render-limit`) always do.
 */
export function makesIncomplete(f: GitopsFinding, mine: Snapshot, other: Set<string>): boolean {
  if ((f.rule as string) === 'render-refused' || (f.rule as string) === 'render-limit') return true
  const key = mine.inputKeys.get(f)
  return key === undefined || !other.has(touchKey(f, key))
}

/** Whether `mine` holds an unread file whose finding makes the diff incomplete (what it deploys is unknown there). */
function blindTo(mine: Snapshot, other: Snapshot): boolean {
  if (mine.unread.length === 0) return false
  const unread = new Set(mine.unread)
  const inputs = inputsOfFailures(other)
  return mine.findings.some((f) => isNotRendered(f.rule) && unread.has(f.file) && makesIncomplete(f, mine, inputs))
}

/** `environment\0application` of each Application or HelmRelease with a not-rendered finding that makes the diff incomplete. */
function touchedApplications(mine: Snapshot, other: Snapshot): string[] {
  const inputs = inputsOfFailures(other)
  return mine.findings
    .filter((f) => isNotRendered(f.rule) && f.application !== undefined && makesIncomplete(f, mine, inputs))
    .map((f) => `${f.environment ?? ''}\0${f.application}`)
}

function failuresOf(revision: 'base' | 'head', mine: Snapshot, other: Snapshot): DiffFailure[] {
  const inputs = inputsOfFailures(other)
  return mine.findings
    .filter((f) => isNotRendered(f.rule) && makesIncomplete(f, mine, inputs))
    .map((f) => ({
      revision,
      rule: f.rule as DiffFailure['rule'],
      file: f.file,
      line: f.line,
      ...(f.environment ? {environment: f.environment} : {}),
      ...(f.application ? {application: f.application} : {}),
      message: f.message,
    }))
    .sort((x, y) => cmp(x.file, y.file) || x.line - y.line || cmp(x.message, y.message))
}
