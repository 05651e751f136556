import {floatingTagOf, isDigestPinned, tryParseImageReference} from '../../images/reference.js'
import type {GitopsPolicy, Zone} from '../layout/index.js'
import {mayHoldApplicationSet} from '../rules/preview-checks/file.js'

/**
 * Parsing YAML is the expensive part of the gate, so a file is parsed only when it could break a rule. A file
 * passes this test when it has none of the words a rule other than the reference rules looks at (pull policies,
 * containers, split fields, kinds, override blocks, block strings that may embed YAML, aliases, flow collections),
 * and every `image:` / `ref:` value on its line is a digest-pinned reference without a floating tag. Such a file
 * has nothing the parser could report. Cluster config and files naming an ApplicationSet are always parsed.
 */
export function mayViolate(text: string, zone: Zone, policy: GitopsPolicy): boolean {
  if (zone.kind === 'cluster-config') return true
  if (TRIGGERS.test(text)) return true
  // A byte-order mark or a NUL hides a line start from REF_LINE.
  if (text.includes('\uFEFF') || text.includes('\0')) return true
  if (mayHoldApplicationSet(text)) return true
  for (const override of policy.overrides) if (text.includes(override.split('.')[0])) return true
  REF_LINE.lastIndex = 0
  for (let m = REF_LINE.exec(text); m; m = REF_LINE.exec(text)) {
    const value = m[2].replace(/\s+#.*$/, '').trim()
    if (value === '') {
      // A map follows (its own `ref:` line is looked at), unless the value is a plain scalar on the next line.
      if (!NEXT_IS_KEY.test(text.slice(REF_LINE.lastIndex, REF_LINE.lastIndex + 512))) return true
      continue
    }
    const unquoted = /^(["'])(.*)\1$/.exec(value)?.[2] ?? value
    const ref = tryParseImageReference(unquoted)
    if (!ref || !isDigestPinned(ref) || floatingTagOf(ref, policy.extraFloatingTags) !== undefined) return true
  }
  return false
}

/**
 * Words some rule looks at (`helm:` for Argo CD parameters such as `.argocd-source-<app>.yaml`'s), and YAML that a
 * line scan cannot follow (block strings, aliases, anchors, flow style, tags).
 */
const TRIGGERS =
  /Always|pull_?policy|containers|repository|digest|imageTag|requireDigest|images\s*:|newTag|newName|\btag["']?\s*:|kind\s*:|\bhelm\s*:|[|>][-+0-9]*\s*(?:#.*)?$|[*&!{[]|\\/im

/** After an `image:` line with no value: blank and comment lines, then a `key:` or `- ` line (a map or a list). */
const NEXT_IS_KEY =
  /^\r?\n(?:[ \t]*(?:#[^\n]*)?\r?\n)*[ \t]*(?:-(?:[ \t]|\r?\n)|["']?[\w./-]+["']?[ \t]*:(?:[ \t]|\r?\n))/

/** An `image:` or `ref:` key and the rest of its line. */
const REF_LINE = /^[ \t]*(?:-[ \t]+)?["']?(image|ref)["']?[ \t]*:(.*)$/gm
