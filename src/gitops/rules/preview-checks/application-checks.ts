/** The rules on the generated Application's effective template: its project, its namespace and its clean-up. */
import type {Node, Scalar, YAMLMap, YAMLSeq} from 'yaml'

import type {PreviewChecker} from './checker.js'
import {templateExpressions} from './expressions.js'
import {pairAt, q, scalarValue} from './nodes.js'
import {describe, namespaceProblem, prParams} from './pr-data.js'

const FINALIZER = 'resources-finalizer.argocd.argoproj.io'

export function checkProject(c: PreviewChecker, layers: YAMLMap[]): void {
  const found = c.lookup(layers, ['spec', 'project'])
  const value = found ? scalarValue(c.y, found.node) : undefined
  if (!found || typeof value !== 'string' || value.trim() === '') {
    c.add(
      'preview-project',
      found?.node ?? c.missingAt(layers, ['spec', 'project']),
      'template.spec.project is not set.',
    )
    return
  }
  const {projects} = c.input.policy
  if (templateExpressions(value).length > 0) {
    c.add('preview-project', found.node, `template.spec.project ${q(value)} is a template expression.`)
  } else if (projects.length > 0 && !projects.includes(value)) {
    c.add(
      'preview-project',
      found.node,
      `template.spec.project ${q(value)} is not one of gitopsPolicy.preview.projects (${projects.join(', ')}).`,
    )
  } else if (projects.length === 0 && value === 'default') {
    c.add('preview-project', found.node, 'template.spec.project is "default", which may deploy anything anywhere.')
  }
}

export function checkNamespace(c: PreviewChecker, layers: YAMLMap[]): void {
  const found = c.lookup(layers, ['spec', 'destination', 'namespace'])
  const value = found ? scalarValue(c.y, found.node) : undefined
  if (!found || typeof value !== 'string' || value.trim() === '') {
    c.add(
      'preview-namespace',
      found?.node ?? c.missingAt(layers, ['spec', 'destination', 'namespace']),
      'template.spec.destination.namespace is not set.',
    )
  } else {
    const problem = namespaceProblem(value)
    if (problem) c.add('preview-namespace', found.node, `template.spec.destination.namespace ${q(value)} ${problem}.`)
  }
  for (const field of ['server', 'name']) {
    const dest = c.lookup(layers, ['spec', 'destination', field])
    const v = dest ? scalarValue(c.y, dest.node) : undefined
    if (!dest || typeof v !== 'string') continue
    for (const e of templateExpressions(v)) {
      const pr = prParams(e)
      if (pr.length > 0 || e.wholeContext) {
        c.add(
          'preview-namespace',
          dest.node,
          `template.spec.destination.${field} is templated from PR data (${describe(e)}).`,
          c.exprOffset(dest.node as Scalar, v, e),
        )
      }
    }
  }
}

export function checkCleanup(c: PreviewChecker, layers: YAMLMap[]): void {
  const y = c.y
  const prune = c.lookup(layers, ['spec', 'syncPolicy', 'automated', 'prune'])
  if (!prune || scalarValue(y, prune.node) !== true) {
    c.add(
      'preview-cleanup',
      prune?.node ?? c.missingAt(layers, ['spec', 'syncPolicy', 'automated', 'prune']),
      'template.spec.syncPolicy.automated.prune is not true: resources removed from Git stay in the preview.',
    )
  }
  const finalizers = c.lookup(layers, ['metadata', 'finalizers'])
  const has =
    finalizers?.node &&
    y.isSeq(finalizers.node) &&
    (finalizers.node as YAMLSeq).items.some((i) => {
      const v = scalarValue(y, i as Node)
      return typeof v === 'string' && (v === FINALIZER || v.startsWith(`${FINALIZER}/`))
    })
  if (!has) {
    c.add(
      'preview-cleanup',
      finalizers?.node ?? c.missingAt(layers, ['metadata', 'finalizers']),
      `template.metadata.finalizers lacks ${FINALIZER}: deleting the Application would leave its resources behind.`,
    )
  }
  const options = c.lookup(layers, ['spec', 'syncPolicy', 'syncOptions'])
  if (options?.node && y.isSeq(options.node)) {
    for (const item of (options.node as YAMLSeq).items) {
      const v = scalarValue(y, item as Node)
      if (typeof v === 'string' && /^CreateNamespace\s*=\s*true$/i.test(v.trim())) {
        c.add(
          'preview-cleanup',
          item as Node,
          'syncOptions CreateNamespace=true lets Argo CD own the preview namespace; a GitOps lane creates it (backlog/520 D).',
        )
      }
    }
  }
  const preserve = pairAt(y, c.spec, ['syncPolicy', 'preserveResourcesOnDeletion'])
  if (preserve && scalarValue(y, preserve.value as Node) === true) {
    c.add(
      'preview-cleanup',
      preserve.value as Node,
      'spec.syncPolicy.preserveResourcesOnDeletion: true keeps the resources of closed PRs.',
    )
  }
}
