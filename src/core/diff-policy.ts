/**
 * `gitopsPolicy.diff.ignore` in ameide.yaml: which objects a diff counts as ignored (absent fields: any), and which of
 * their places or lines; its regular expressions checked when the file loads (src/core/config.ts).
 */

/** An ignore rule of `gitopsPolicy.diff.ignore`: which objects (absent: any), and which of their places or lines. */
export interface DiffIgnoreRule {
  group?: string
  kind?: string
  name?: string
  namespace?: string
  jsonPointers?: string[]
  jqPathExpressions?: string[]
  /** Regular expressions (JavaScript syntax) over the lines of the object's YAML. */
  lines?: string[]
}

/** Each `gitopsPolicy.diff.ignore[].lines` entry that is not a regular expression, as a problem of the file. */
export function diffIgnoreProblems(raw: {gitopsPolicy?: {diff?: {ignore?: DiffIgnoreRule[]}}}): string[] {
  const problems: string[] = []
  for (const [i, rule] of (raw.gitopsPolicy?.diff?.ignore ?? []).entries()) {
    for (const [j, line] of (rule.lines ?? []).entries()) {
      try {
        new RegExp(line)
      } catch (error) {
        problems.push(
          `gitopsPolicy.diff.ignore[${i}].lines[${j}] is not a regular expression: ${(error as Error).message}`,
        )
      }
    }
  }
  return problems
}
