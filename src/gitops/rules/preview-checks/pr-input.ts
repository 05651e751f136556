/** preview-pr-input: the sources' repositories, and PR data anywhere in the templates, the generators and templatePatch. */
import type {Node, Scalar, YAMLMap} from 'yaml'

import type {PreviewChecker} from './checker.js'
import {templateExpressions} from './expressions.js'
import {keyOf, mapAt, q, scalarValue} from './nodes.js'
import {isImageTag, lineKey, prParams} from './pr-data.js'
import {sameRepository} from '../../revision/repositories.js'
import {HEAD_SHA_PARAMS} from './rules.js'

/** Keys whose value selects manifests: the head sha there means PR-chosen manifests (backlog/520 E). */
const MANIFEST_KEYS = new Set(['repoURL', 'targetRevision', 'path', 'chart', 'valueFiles', 'revision'])

/** preview-pr-input: every source's repoURL (a Source Hydrator's too) is one allowed repository, written out. */
export function checkSources(c: PreviewChecker, template: YAMLMap): void {
  const y = c.y
  const spec = mapAt(y, template, 'spec')
  if (!spec) return
  const list: YAMLMap[] = []
  const one = mapAt(y, spec, 'source')
  if (one) list.push(one)
  const many = spec.get('sources', true)
  if (many && y.isSeq(many)) for (const s of many.items) if (s && y.isMap(s)) list.push(s as YAMLMap)
  // A Source Hydrator renders its dry source and commits to (and syncs from) its sync source's repository.
  const hydrator = mapAt(y, spec, 'sourceHydrator')
  for (const key of ['drySource', 'syncSource']) {
    const m = hydrator && mapAt(y, hydrator, key)
    if (m) list.push(m)
  }
  const allowed = c.input.policy.repositories
  for (const source of list) {
    const pair = source.items.find((p) => keyOf(y, p)?.value === 'repoURL')
    const url = pair ? scalarValue(y, pair.value as Node) : undefined
    if (!pair || typeof url !== 'string') continue
    const node = pair.value as Node
    const expressions = templateExpressions(url)
    if (expressions.length > 0) {
      // PR parameters there are reported by the scan; any other template is still not a fixed repository.
      if (!expressions.some((e) => prParams(e).length > 0 || e.wholeContext)) {
        c.add('preview-pr-input', node, `repoURL ${q(url)} is a template: manifests must come from a fixed repository.`)
      }
    } else if (allowed.length === 0) {
      c.add(
        'preview-pr-input',
        node,
        `repoURL ${q(url)} cannot be checked: the GitOps repository has no origin remote and gitopsPolicy.preview.repositories is empty.`,
      )
    } else if (!allowed.some((a) => sameRepository(a, url))) {
      c.add(
        'preview-pr-input',
        node,
        `repoURL ${q(url)} is not one of gitopsPolicy.preview.repositories (${allowed.join(', ')}): manifests must come from the GitOps repository.`,
      )
    }
  }
}

/** Walks a subtree for strings with template expressions. */
export function scanTemplate(c: PreviewChecker, node: Node | null, path: string[], depth = 0, parent?: YAMLMap): void {
  const y = c.y
  if (!node || depth > 64) return
  if (y.isMap(node)) {
    for (const pair of node.items) {
      const key = keyOf(y, pair)
      if (key) scanTemplate(c, pair.value as Node | null, [...path, String(key.value)], depth + 1, node as YAMLMap)
    }
  } else if (y.isSeq(node)) {
    node.items.forEach((item, i) => scanTemplate(c, item as Node | null, [...path, String(i)], depth + 1))
  } else if (y.isScalar(node) && typeof node.value === 'string') {
    // The `name` of a Helm parameter whose `value` this is (…helm.parameters.N.value).
    const n = path.length
    const helm =
      n >= 3 && path[n - 1] === 'value' && path[n - 3] === 'parameters' && parent
        ? scalarValue(y, parent.get('name', true))
        : undefined
    checkScalar(c, node, path, typeof helm === 'string' ? helm : undefined)
  }
}

export function checkScalar(c: PreviewChecker, node: Scalar, path: string[], helmName?: string): void {
  const text = String(node.value)
  for (const e of templateExpressions(text)) {
    const offset = c.exprOffset(node, text, e)
    const pr = prParams(e)
    const where = path.join('.')
    const other = pr.filter((p) => !HEAD_SHA_PARAMS.has(p) && p !== 'number')
    if (e.wholeContext) {
      c.add(
        'preview-pr-input',
        node,
        `${where} hands the whole parameter set to ${q(e.body)}, PR title and branch included.`,
        offset,
      )
    } else if (other.length > 0) {
      c.add(
        'preview-pr-input',
        node,
        `${where} uses PR data ${other.join(', ')} (${q(`{{${e.body}}}`)}); only the PR number and head sha may reach a preview.`,
        offset,
      )
    }
    const sha = pr.filter((p) => HEAD_SHA_PARAMS.has(p))
    if (sha.length === 0) continue
    const key = lineKey(text, e.start) ?? path[path.length - 1]
    const manifestKey = [key, ...path].find((k) => MANIFEST_KEYS.has(k))
    if (manifestKey) {
      c.add(
        'preview-pr-input',
        node,
        `${where} uses the head sha as ${manifestKey}: the PR would choose the manifests; the head sha only selects images (backlog/520 F).`,
        offset,
      )
    } else if (!isImageTag(text, e, key, helmName)) {
      c.add(
        'preview-pr-input',
        node,
        `${where} uses the head sha other than as an image tag (${q(`{{${e.body}}}`)}).`,
        offset,
      )
    }
  }
}
