import {LAYOUTS} from '../../primitives/layout.js'
import type {Check, Finding} from '../types.js'

/** The files each kind requires, read from LAYOUTS: the same source of truth `scaffold` writes from. */
export const shapeCheck: Check = {
  id: 'shape',
  summary: 'the files the kind requires exist (from the layout scaffold generates)',
  skipReason: () => null,
  run(ctx) {
    const required = LAYOUTS[ctx.kind].filter((f) => f.required)
    const findings: Finding[] = required
      .filter((f) => !ctx.byRel.has(f.path))
      .map((f) => ({
        rule: 'missing-file',
        severity: 'error',
        file: `${ctx.path}/${f.path}`,
        line: 0,
        message: `${f.path} is required for a ${ctx.kind} primitive (${f.role}) and is missing.`,
        hint: `Restore it; \`ameide primitive scaffold --kind ${ctx.kind} --name ${ctx.name}\` writes only missing files and never overwrites.`,
      }))
    return {findings, note: `${required.length - findings.length}/${required.length} required files present`}
  },
}
