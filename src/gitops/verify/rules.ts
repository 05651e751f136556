import {
  floatingTagOf,
  isDigestPinned,
  parseImageReference,
  InvalidImageReference,
  type ImageReference,
} from '../../images/reference.js'
import type {FileImages, ImageMap, ImageSite, Span} from '../images/find.js'
import type {GitopsPolicy, Zone} from '../layout.js'
import {PREVIEW_RULES} from './preview/rules.js'

/** The rules of `ameide gitops verify`; ids are stable. Declared once: help, docs, schema and SARIF read this. */
export const RULES = {
  'image-not-pinned': {
    title: 'Image reference without a digest in an environment overlay or cluster values',
    source: 'seed 000 WP-3, WP-5',
    hint: 'Pin the image by digest: <repository>:<git-sha>@sha256:<64 hex> (the tag is for readers, the digest is what runs).',
  },
  'floating-tag': {
    title: 'Floating tag (dev, main, latest, or no tag at all) in GitOps-managed YAML',
    source: 'seed 000 WP-5',
    hint: 'Replace it with the digest-pinned ref from the publish report (ameide gitops set-image does it for you).',
  },
  'split-image-fields': {
    title: 'Image split into repository/tag/digest, or a global tag default, instead of one image.ref',
    source: 'seed 000 WP-3',
    hint: 'Write one image.ref: "<repository>:<tag>@sha256:<digest>" (or declare gitopsPolicy.imageContract: split).',
  },
  'override-precedence': {
    title: 'Override block resolves to an image without a digest, or inherits the root digest for another repository',
    source: 'seed 004 (control plane image override precedence)',
    hint: 'Give the override its own digest (or repository, tag and digest together); never let it inherit the root digest.',
  },
  'lockstep-sha': {
    title: 'Control plane and controllers of one release carry different git-sha tags in production',
    source: 'seed 004 (failure modes: lockstep promotion)',
    hint: 'Promote the control plane and the controllers together: the same git-sha tag and digest set.',
  },
  'pull-policy-always': {
    title: 'pullPolicy / imagePullPolicy Always',
    source: 'seed 000 WP-6, sequencing step 4',
    hint: 'Set IfNotPresent; a rollout comes from a new digest in Git, not from a forced pull.',
  },
  'pull-policy-implicit': {
    title: 'Container of a raw manifest without an explicit imagePullPolicy: IfNotPresent',
    source: 'seed 000 WP-6',
    hint: 'Add imagePullPolicy: IfNotPresent so Argo CD does not diff against the defaulted field.',
  },
  'primitive-pull-policy': {
    title: 'Primitive custom resource sets spec.imagePullPolicy',
    source: 'seed 000 WP-2',
    hint: 'Remove spec.imagePullPolicy; the operators default to IfNotPresent.',
  },
  'dev-environment': {
    title: 'A dev environment still exists (overlay directory or cluster config)',
    source: 'seed 000 checklist 3 (remove env/dev)',
    hint: 'Remove sources/values/env/dev/ and env: dev from config/clusters/*.yaml; the environments are local, staging, production.',
  },
  unsigned: {
    title: 'Digest-pinned image without a valid signature',
    source: 'seed 000 goal (every image signed), seed 003 GitOps gate',
    hint: 'Publish it with ameide primitive publish (which signs), or check the verification key / identity.',
  },
  'sbom-missing': {
    title: 'Digest-pinned image without a verified SBOM attestation (cyclonedx or spdxjson)',
    source: 'seed 000 goal (SBOM), seed 003 GitOps gate',
    hint: 'Publish it with ameide primitive publish (which attests an SBOM), or attest one with cosign attest.',
  },
  'provenance-missing': {
    title: 'Digest-pinned image without a verified SLSA provenance attestation (slsaprovenance1)',
    source: 'seed 000 goal (provenance), seed 003 GitOps gate',
    hint: 'Publish it with ameide primitive publish (which attests provenance), or attest it with cosign attest.',
  },
  // Preview ApplicationSets (pull-request generators), seed 001 A–F: src/gitops/verify/preview/.
  ...PREVIEW_RULES,
} as const satisfies Record<string, {title: string; source: string; hint: string; severity?: 'error' | 'warning'}>

export type RuleId = keyof typeof RULES
export const RULE_IDS = Object.keys(RULES) as RuleId[]
export const POLICY_RULE_IDS = RULE_IDS.filter((r) => !['unsigned', 'sbom-missing', 'provenance-missing'].includes(r))

/** A finding of `gitops verify`: the same shape as `primitive verify`'s findings (file repo-relative, 1-based). */
export interface GitopsFinding {
  rule: RuleId
  severity: 'error' | 'warning'
  file: string
  line: number
  column: number
  message: string
  hint: string
}

export function finding(
  rule: RuleId,
  file: string,
  at: {line: number; column: number},
  message: string,
): GitopsFinding {
  return {rule, severity: severityOf(rule), file, line: at.line, column: at.column, message, hint: RULES[rule].hint}
}

/** Every rule is an error but the ones declared warnings (preview-refresh). */
export function severityOf(rule: RuleId): 'error' | 'warning' {
  const r = RULES[rule]
  return 'severity' in r ? r.severity : 'error'
}

const q = (s: string) => JSON.stringify(s)

/** Applies the policy rules to what was found in one file of `zone`. */
export function checkFile(file: string, zone: Zone, found: FileImages, policy: GitopsPolicy): GitopsFinding[] {
  const out: GitopsFinding[] = []
  const pinningZone = zone.kind === 'overlay' || zone.kind === 'cluster'
  const where = zone.kind === 'overlay' ? `the ${zone.env} overlay` : `${zone.kind} values`

  for (const site of found.images) {
    const ref = parse(site)
    if (!ref) continue
    const tag = floatingTagOf(ref, policy.extraFloatingTags)
    if (tag !== undefined) {
      const how =
        ref.tag === undefined ? 'has no tag and no digest, so it means :latest' : `uses the floating tag :${tag}`
      out.push(finding('floating-tag', file, site, `Image ${q(site.value)} (${site.path}) ${how}.`))
    }
    if (pinningZone && !isDigestPinned(ref)) {
      out.push(
        finding(
          'image-not-pinned',
          file,
          site,
          `Image ${q(site.value)} (${site.path}) in ${where} is not pinned by digest.`,
        ),
      )
    }
  }

  for (const map of found.imageMaps) {
    const tag = map.fields.tag?.value
    if (tag !== undefined && (tagIsFloating(tag, policy) || tag === '')) {
      out.push(finding('floating-tag', file, map.fields.tag!, `${map.path}.tag: ${tag} is a floating tag.`))
    }
    if (policy.imageContract === 'ref') {
      const fields = (['repository', 'tag', 'digest'] as const).filter((f) => map.fields[f])
      out.push(
        finding(
          'split-image-fields',
          file,
          map,
          `${map.path} splits the image into ${fields.join('/')}; the contract is one ${map.path}.ref.`,
        ),
      )
      if (pinningZone && !map.fields.ref && !map.fields.digest) {
        out.push(finding('image-not-pinned', file, map, `${map.path} in ${where} has no digest.`))
      }
    }
  }
  if (policy.imageContract === 'split') out.push(...overrides(file, zone, found, policy))
  out.push(...lockstep(file, zone, found, policy))

  for (const k of found.keyed) {
    if (/^imageTag$/i.test(k.key) && zone.kind !== 'cluster-config') {
      out.push(
        finding(
          'split-image-fields',
          file,
          k,
          `${k.path}: ${k.value} is a global tag default; every image sets its own ref.`,
        ),
      )
    }
    if (zone.kind === 'cluster-config' && k.value === 'dev' && !/^imageTag$/i.test(k.key)) {
      out.push(finding('dev-environment', file, k, `${k.path}: dev still enables the dev environment on this cluster.`))
    }
  }

  for (const p of found.pullPolicies) {
    if (p.value === 'Always') out.push(finding('pull-policy-always', file, p, `${p.path}: Always forces pulls.`))
  }
  for (const c of found.containers) {
    if (c.pullPolicy === undefined || (c.pullPolicy !== 'IfNotPresent' && c.pullPolicy !== 'Always')) {
      const what = c.pullPolicy === undefined ? 'sets no imagePullPolicy' : `sets imagePullPolicy: ${c.pullPolicy}`
      out.push(
        finding('pull-policy-implicit', file, c, `The container at ${c.path} ${what}; IfNotPresent is required.`),
      )
    }
  }
  for (const p of found.primitives) {
    if (p.pullPolicy) {
      const name = p.name ? ` ${p.name}` : ''
      out.push(finding('primitive-pull-policy', file, p.pullPolicy, `${p.kind}${name} sets spec.imagePullPolicy.`))
    }
  }
  return out
}

function parse(site: ImageSite): ImageReference | undefined {
  try {
    return parseImageReference(site.value.trim())
  } catch (error) {
    if (error instanceof InvalidImageReference) return undefined
    throw error
  }
}

function tagIsFloating(tag: string, policy: GitopsPolicy): boolean {
  return ['dev', 'main', 'latest'].includes(tag) || policy.extraFloatingTags.includes(tag)
}

interface Effective {
  repository?: string
  tag?: string
  digest?: string
  /** The digest came from the root image, not from the override itself. */
  inheritedDigest: boolean
  at: Span
}

/** Seed 004: an override block falls back field by field to the root `image`. */
function overrides(file: string, zone: Zone, found: FileImages, policy: GitopsPolicy): GitopsFinding[] {
  const out: GitopsFinding[] = []
  const byPath = new Map(found.imageMaps.filter((m) => !m.embedded).map((m) => [m.path, m]))
  const root = byPath.get('image')
  const requireDigest =
    (zone.kind === 'overlay' && policy.requireDigestEnvironments.includes(zone.env)) || found.requireDigest === true
  for (const path of policy.overrides) {
    const override = byPath.get(path)
    if (!override) continue
    const eff = effective(override, root)
    if (requireDigest && !eff.digest) {
      out.push(
        finding(
          'override-precedence',
          file,
          override,
          `${path} resolves to an image without a digest (seed 004 precedence).`,
        ),
      )
    }
    const ownRepository = override.fields.repository?.value
    if (eff.inheritedDigest && ownRepository !== undefined && ownRepository !== root?.fields.repository?.value) {
      out.push(
        finding(
          'override-precedence',
          file,
          override.fields.repository!,
          `${path} names ${ownRepository} but inherits the digest of image (${root?.fields.repository?.value ?? '?'}): that digest belongs to another repository.`,
        ),
      )
    }
  }
  return out
}

function effective(override: ImageMap, root: ImageMap | undefined): Effective {
  const pick = (f: 'repository' | 'tag' | 'digest') => override.fields[f]?.value || root?.fields[f]?.value || undefined
  return {
    repository: pick('repository'),
    tag: pick('tag'),
    digest: pick('digest'),
    inheritedDigest: !override.fields.digest?.value && Boolean(root?.fields.digest?.value),
    at: override,
  }
}

/** Production: the control plane and the controllers of one release carry the same git-sha tag (seed 004). */
function lockstep(file: string, zone: Zone, found: FileImages, policy: GitopsPolicy): GitopsFinding[] {
  if (zone.kind !== 'overlay' || !policy.lockstepEnvironments.includes(zone.env)) return []
  const tags = new Map<string, {tag: string; at: Span}>()
  const maps = new Map(found.imageMaps.filter((m) => !m.embedded).map((m) => [m.path, m]))
  const refs = new Map(
    found.images.filter((s) => s.kind === 'ref' && !s.embedded).map((s) => [s.path.replace(/\.ref$/, ''), s]),
  )
  for (const path of ['image', ...policy.overrides]) {
    const ref = refs.get(path)
    if (ref) {
      const parsed = parse(ref)
      if (parsed?.tag) tags.set(path, {tag: parsed.tag, at: ref})
      continue
    }
    const map = maps.get(path)
    if (!map) continue
    const eff = effective(map, path === 'image' ? undefined : maps.get('image'))
    if (eff.tag) tags.set(path, {tag: eff.tag, at: map.fields.tag ?? map})
  }
  const [controlPlane, ...others] = policy.overrides
  const cp = tags.get(controlPlane)
  if (!cp) return []
  const out: GitopsFinding[] = []
  for (const other of others.length > 0 ? others : []) {
    // Controllers fall back to the root image when they have no override of their own (seed 004).
    const ctl = tags.get(other) ?? tags.get('image')
    if (ctl && ctl.tag !== cp.tag) {
      out.push(
        finding(
          'lockstep-sha',
          file,
          ctl.at,
          `${controlPlane} is at ${cp.tag} but ${tags.has(other) ? other : 'image (the controllers)'} is at ${ctl.tag}; one release moves in lockstep.`,
        ),
      )
    }
  }
  return out
}
