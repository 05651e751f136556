/**
 * `unreadable-file`: a file in a zone the gate checks that it could not read or parse is a file it did not check
 * (fail closed). Helm templates are not this rule's: they are skipped and listed. Raised by the scan, not a check.
 */
import {finding, type GitopsFinding, type PolicyRule} from './rule.js'

export const unreadableFile: PolicyRule<'unreadable-file'> = {
  id: 'unreadable-file',
  kind: 'policy',
  title: 'A file in a checked zone could not be read or parsed, so it was not checked',
  source: 'fail closed: what the gate could not read is not a pass',
  hint: "Fix or remove the file (valid UTF-8 YAML, a regular file the gate may read, within gitopsPolicy.maxFileBytes); a Helm template belongs under a chart's templates/ folder.",
}

/** The finding for a file (line 1) or, for a path ending in `/`, a directory (line 0) the gate could not read. */
export const unreadable = (file: string, reason: string): GitopsFinding =>
  finding(
    unreadableFile,
    file,
    file.endsWith('/') ? {line: 0, column: 0} : {line: 1, column: 1},
    `Not checked: ${reason}.`,
  )
