/**
 * What the ApplicationSet generator tests share: an ApplicationSet document expanded offline, as the gate expands
 * it (src/gitops/argocd/applicationset), with no revision behind it and the registries a test gives.
 */
import * as yaml from 'yaml'

import {DEFAULT_GITOPS_POLICY} from '../../src/core/config.js'
import {sharedTemplateEngine} from '../../src/effects/gotemplate/index.js'
import {expandApplicationSet} from '../../src/gitops/argocd/applicationset/index.js'
import type {ExpansionContext} from '../../src/gitops/model/types.js'
import {linedDocuments} from '../../src/gitops/kubernetes/yaml-lines.js'

/** The expansion of the first document of `text` (declared in `file`), over `extra` (clusters, scm). */
export function expandDocument(text: string, file: string, extra: Partial<ExpansionContext> = {}) {
  const ctx: ExpansionContext = {
    trackedFiles: [],
    isThisRepository: () => true,
    readText: () => undefined,
    templateEngine: sharedTemplateEngine,
    maxApplications: DEFAULT_GITOPS_POLICY.maxApplications,
    ...extra,
  }
  const [doc] = linedDocuments(yaml, text)
  return expandApplicationSet(ctx, {file, text: doc.text, lineOf: doc.lineOf})
}
