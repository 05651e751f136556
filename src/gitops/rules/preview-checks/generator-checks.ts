/** The rules on a pull-request generator itself (preview-untrusted, preview-refresh) and on the spec's template options (preview-template-strict). */
import type {Node, Scalar} from 'yaml'

import type {PreviewChecker} from './checker.js'
import {templateExpressions} from './expressions.js'
import type {PrGenerator} from './generators.js'
import {keyOf, scalarValue} from './nodes.js'
import {PR_PROVIDERS, type PrProvider} from './rules.js'

/** preview-untrusted, preview-refresh: the generator itself. */
export function checkGenerator(c: PreviewChecker, pr: PrGenerator): void {
  const y = c.y
  const providers = pr.node.items.filter((p) => {
    const k = keyOf(y, p)?.value
    return typeof k === 'string' && k in PR_PROVIDERS
  })
  if (providers.length === 0) {
    c.add('preview-untrusted', pr.key, 'The pullRequest generator names no SCM provider with a trusted filter.')
  }
  for (const p of providers) {
    const name = keyOf(y, p)!.value as PrProvider
    const block = p.value as Node | null
    if (!PR_PROVIDERS[name].labels) {
      c.add(
        'preview-untrusted',
        p.key as Scalar,
        `pullRequest.${name} cannot filter by labels in Argo CD (branch and title filters are chosen by the PR author): every pull request, forks included, would deploy.`,
      )
      continue
    }
    const labels = block && y.isMap(block) ? block.get('labels', true) : undefined
    const values =
      labels && y.isSeq(labels)
        ? labels.items.map((i) => scalarValue(y, i as Node)).filter((v) => typeof v === 'string' && v.trim() !== '')
        : []
    if (values.length === 0 || values.some((v) => templateExpressions(String(v)).length > 0)) {
      c.add(
        'preview-untrusted',
        (labels as Node | undefined) ?? (p.key as Scalar),
        `pullRequest.${name} has no labels filter${pr.node.has('filters') ? ' (branch and title filters are chosen by the PR author)' : ''}: every pull request, forks included, would create a preview environment.`,
      )
    }
  }
  const requeue = pr.node.items.find((p) => keyOf(y, p)?.value === 'requeueAfterSeconds')
  const seconds = requeue ? scalarValue(y, requeue.value as Node) : undefined
  if (!c.input.policy.webhook && !(typeof seconds === 'number' && seconds <= 300)) {
    const how =
      seconds === undefined
        ? 'sets no requeueAfterSeconds (Argo CD polls every 30 minutes)'
        : `polls every ${String(seconds)} seconds`
    c.add(
      'preview-refresh',
      (requeue?.value as Node | undefined) ?? pr.key,
      `The pullRequest generator ${how} and gitopsPolicy.preview.webhook is not true: PR updates reach the preview late.`,
    )
  }
}

/** preview-template-strict: strict Go templates. */
export function checkStrict(c: PreviewChecker): void {
  const y = c.y
  const goPair = c.spec.items.find((p) => keyOf(y, p)?.value === 'goTemplate')
  const optPair = c.spec.items.find((p) => keyOf(y, p)?.value === 'goTemplateOptions')
  if (!goPair || scalarValue(y, goPair.value as Node) !== true) {
    c.add(
      'preview-template-strict',
      (goPair?.value as Node | undefined) ?? c.specKey,
      goPair
        ? 'spec.goTemplate is not true.'
        : 'spec.goTemplate is not set: fasttemplate leaves unknown keys in place.',
    )
    return
  }
  const options = optPair?.value as Node | null | undefined
  const strict =
    options && y.isSeq(options) && options.items.some((i) => scalarValue(y, i as Node) === 'missingkey=error')
  if (!strict) {
    c.add(
      'preview-template-strict',
      (options as Node | undefined) ?? (goPair.key as Scalar),
      'spec.goTemplateOptions lacks "missingkey=error": a missing key renders as "<no value>" instead of failing.',
    )
  }
}
