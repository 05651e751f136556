import {isTestFileOf} from '../classify.js'
import type {Check} from '../types.js'

const PATTERNS = {go: '*_test.go', python: 'test_*.py or *_test.py', typescript: '*.test.ts or *.spec.ts'}

/** At least one test file in the primitive's language; none is a fail, never a warn. Runs nothing. */
export const testsCheck: Check = {
  id: 'tests',
  summary: "at least one test file in the primitive's language (tests are not run)",
  skipReason: () => null,
  run(ctx) {
    const count = ctx.files.filter((f) => isTestFileOf(ctx.language, f.rel)).length
    if (count > 0) return {findings: [], note: `${count} test file(s)`}
    return {
      findings: [
        {
          rule: 'no-tests',
          severity: 'error',
          file: ctx.path,
          line: 0,
          message: `No ${ctx.language} test files (${PATTERNS[ctx.language]}) in ${ctx.path}.`,
          hint: `Add a test next to the code it covers (${PATTERNS[ctx.language]}); the scaffold's tests are a starting point.`,
        },
      ],
    }
  },
}
