/**
 * A not-rendered finding (`render-unavailable`, `render-failed`, `render-refused`, `render-limit`,
 * `application-invalid`) as the render gate produces it: the finding and, by construction, the inputs of what it is
 * about. `gitops diff`'s verdict (src/gitops/diff/verdict.ts) is decided from these alone.
 */
import type {GitopsFinding} from '../rules/index.js'

/**
 * What the controller builds the thing a finding is about from, as one key: the spec fields that change its output,
 * the files it reads (by blob id), the source object's revision, the tools — never the whole object. The same key in
 * both revisions: it cannot build differently there. `unknowable`: what it reads cannot be said (a refusal, a limit
 * reached, an input no producer can name), so no other revision can be said to hold the same.
 */
export type BuildInputs = {readonly key: string} | {readonly unknowable: 'refused' | 'limit' | 'inputs-unknown'}

/** A not-rendered finding: it cannot be made without the inputs of what it is about. */
export class NotRendered {
  constructor(
    readonly finding: GitopsFinding,
    readonly inputs: BuildInputs,
  ) {
    if (!isNotRendered(finding.rule)) throw new Error(`not a not-rendered finding: ${finding.rule}`)
    if (!('key' in inputs) && !('unknowable' in inputs)) throw new Error('a not-rendered finding needs its inputs')
  }
}

/**
 * A rule that says something was not rendered: any `render-*` rule, and `application-invalid` (an Application the
 * API server would refuse deploys nothing, so nothing of it is rendered).
 */
export const isNotRendered = (rule: string): boolean => rule.startsWith('render-') || rule === 'application-invalid'
