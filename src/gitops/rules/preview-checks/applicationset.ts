import type {YAMLMap} from 'yaml'

import {checkCleanup, checkNamespace, checkProject} from './application-checks.js'
import {PreviewChecker, type PreviewFinding, type PreviewInput} from './checker.js'
import {checkGenerator, checkStrict} from './generator-checks.js'
import {previewGenerators, type PrGenerator} from './generators.js'
import {mapAt} from './nodes.js'
import {checkScalar, checkSources, scanTemplate} from './pr-input.js'

export type {PreviewFinding, PreviewInput} from './checker.js'
export {isPreviewApplicationSet} from './generators.js'
export {namespaceProblem} from './pr-data.js'
export {sameRepository} from '../../revision/repositories.js'

export function checkPreviewApplicationSet(input: PreviewInput): PreviewFinding[] {
  const {yaml: y, root} = input
  const prs = previewGenerators(y, root)
  if (prs.length === 0) return []
  const c = new PreviewChecker(input, root as YAMLMap)
  for (const pr of prs) checkGenerator(c, pr)
  checkTemplates(c, prs)
  checkStrict(c)
  const seen = new Set<string>()
  return c.out.filter((f) => {
    const k = `${f.rule}\0${f.line}\0${f.column}\0${f.message}`
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}

/** The rules on the generated Application: project, namespace, cleanup, PR inputs. */
function checkTemplates(c: PreviewChecker, prs: PrGenerator[]): void {
  const y = c.y
  const specTemplate = mapAt(y, c.spec, 'template')
  for (const pr of prs) {
    // Argo CD merges a generator's own template over spec.template; the innermost wins.
    const layers = [
      mapAt(y, pr.node, 'template'),
      ...[...pr.chain].reverse().map((m) => mapAt(y, m, 'template')),
      specTemplate,
    ].filter((m): m is YAMLMap => m !== undefined)
    checkProject(c, layers)
    checkNamespace(c, layers)
    checkCleanup(c, layers)
    for (const layer of layers) checkSources(c, layer)
  }
  // PR data anywhere in the templates, the generators next to a PR generator, their values, and templatePatch.
  if (specTemplate) scanTemplate(c, specTemplate, ['template'])
  for (const top of new Set(prs.map((p) => p.top))) scanTemplate(c, top, ['generators'])
  const patch = c.spec.get('templatePatch', true)
  if (patch && y.isScalar(patch) && typeof patch.value === 'string') checkScalar(c, patch, ['templatePatch'])
}
