/**
 * The one rule for an environment name (`--env`, `--from`, `--to`, `gitops.environments` in ameide.yaml): a
 * lowercase DNS label (RFC 1123), because it names an overlay folder and flows into Kubernetes names. Checked at
 * the door, before any repository is resolved: INVALID_ENVIRONMENT, exit 2.
 */
import {usageError} from './errors.js'

export const ENVIRONMENT_PATTERN = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/

/** `value` when it is an environment name; else INVALID_ENVIRONMENT naming `flag`. */
export function parseEnvironment(value: string, flag = '--env'): string {
  if (!ENVIRONMENT_PATTERN.test(value)) {
    throw usageError('INVALID_ENVIRONMENT', `${flag} ${JSON.stringify(value)} is not an environment name.`, [
      'Use lowercase letters, digits and dashes, at most 63 characters, e.g. dev or staging.',
    ])
  }
  return value
}
