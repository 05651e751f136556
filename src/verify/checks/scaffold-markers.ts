import {lineIndexOf} from '../text.js'
import type {Check, Finding} from '../types.js'

export const SCAFFOLD_MARKER = 'AMEIDE_SCAFFOLD'

/** Any file containing AMEIDE_SCAFFOLD fails: one finding per occurrence. */
export const scaffoldMarkersCheck: Check = {
  id: 'scaffold-markers',
  summary: `no file contains the ${SCAFFOLD_MARKER} placeholder marker`,
  skipReason: () => null,
  run(ctx) {
    const findings: Finding[] = []
    for (const file of ctx.files) {
      const text = file.text
      if (text === null) continue
      let at = text.indexOf(SCAFFOLD_MARKER)
      while (at !== -1) {
        const {line, column} = lineIndexOf(file).position(at)
        findings.push({
          rule: 'scaffold-marker',
          severity: 'error',
          file: file.repoPath,
          line,
          column,
          message: `${SCAFFOLD_MARKER} placeholder is still here: the scaffold is not implemented yet.`,
          hint: isTest(file.rel)
            ? 'Replace the placeholder failure with real assertions on behaviour (RED→GREEN→REFACTOR).'
            : 'Replace the placeholder text with the real content, then remove the marker.',
        })
        at = text.indexOf(SCAFFOLD_MARKER, at + SCAFFOLD_MARKER.length)
      }
    }
    return {findings}
  },
}

const isTest = (rel: string) => /(_test\.go|\.test\.ts|\.spec\.ts|(^|\/)test_[^/]*\.py|_test\.py)$/.test(rel)
