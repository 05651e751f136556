/** The images of a set-image run given as --ref flags (a publish report is read by publish/read-report.ts). */
import {parseDesiredRef, uniqueDesired, type DesiredImage} from '../../images/desired.js'

export type {DesiredImage, SkippedImage} from '../../images/desired.js'

/** `--ref` values (repeatable). Two refs for one repository are a conflict (exit 2). */
export function desiredFromRefs(refs: string[]): DesiredImage[] {
  return uniqueDesired(refs.map((ref, i) => parseDesiredRef(ref.trim(), undefined, `--ref #${i + 1}`)))
}
