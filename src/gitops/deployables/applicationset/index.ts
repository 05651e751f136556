/**
 * PLACEHOLDER for the offline ApplicationSet evaluation (generators, goTemplate/fasttemplate, templatePatch),
 * built in parallel: this stand-in generates nothing, so the render gate's call site compiles and runs. The real
 * module replaces this file when both are merged; its signature is the contract (../types.ts).
 */
import type {ApplicationSetExpansion, ExpansionContext, SpecPath} from '../types.js'

export function expandApplicationSet(
  _ctx: ExpansionContext,
  _file: string,
  _doc: unknown,
  _lineOf: (path: SpecPath) => number | undefined,
): ApplicationSetExpansion {
  return {applications: [], notRendered: [], errors: []}
}
