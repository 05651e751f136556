import type {ExitCodeValue} from '../core/exit-codes.js'
import {redact} from '../core/secrets.js'
import {writeFileAtomic} from '../effects/atomic-file.js'
import {writeGithubOutputs} from './actions-outputs.js'
import type {PublishReport} from './report.js'

/**
 * Hands a finished report (publish's, or merge's) to its readers: `--output FILE` written atomically and redacted
 * (exit 3 FILE_NOT_WRITABLE when it cannot be), then the Actions outputs and job summary. Returns the exit code the
 * report's failures call for: theirs when they agree, else 1; 0 without failures.
 */
export async function deliverReport(
  report: PublishReport,
  output: string | undefined,
  env: Record<string, string | undefined>,
): Promise<ExitCodeValue> {
  if (output) await writeFileAtomic(output, redact(JSON.stringify(report, null, 2)) + '\n')
  await writeGithubOutputs(report, env)
  if (report.failures.length === 0) return 0
  const codes = new Set(report.failures.map((f) => f.exitCode))
  return (codes.size === 1 ? [...codes][0] : 1) as ExitCodeValue
}
