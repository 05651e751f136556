/** `lockstep-sha`: in lockstep environments the control plane and the controllers carry the same git-sha tag (the image-override precedence design). */
import type {Span} from '../facts/index.js'
import {effective, mapsByPath, parseSite} from './common.js'
import {finding, type GitopsFinding, type PolicyRule} from './rule.js'

export const lockstepSha: PolicyRule<'lockstep-sha'> = {
  id: 'lockstep-sha',
  kind: 'policy',
  title: 'Control plane and controllers of one release carry different git-sha tags in production',
  source: 'the image-override precedence design (failure modes: lockstep promotion)',
  hint: 'Promote the control plane and the controllers together: the same git-sha tag and digest set.',
  checkFile({file, zone, found, policy}) {
    if (zone.kind !== 'overlay' || !policy.lockstepEnvironments.includes(zone.env)) return []
    const tags = new Map<string, {tag: string; at: Span}>()
    const maps = mapsByPath(found.imageMaps)
    const refs = new Map(
      found.images.filter((s) => s.kind === 'ref' && !s.embedded).map((s) => [s.path.replace(/\.ref$/, ''), s]),
    )
    for (const path of ['image', ...policy.overrides]) {
      const ref = refs.get(path)
      if (ref) {
        const parsed = parseSite(ref)
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
    for (const other of others) {
      // Controllers fall back to the root image when they have no override of their own (the image-override precedence design).
      const ctl = tags.get(other) ?? tags.get('image')
      if (ctl && ctl.tag !== cp.tag) {
        const who = tags.has(other) ? other : 'image (the controllers)'
        const message = `${controlPlane} is at ${cp.tag} but ${who} is at ${ctl.tag}; one release moves in lockstep.`
        out.push(finding(lockstepSha, file, ctl.at, message))
      }
    }
    return out
  },
}
