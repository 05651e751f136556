import {usageError} from '../core/errors.js'
import {parseKind, parseName} from '../primitives/kinds.js'
import type {PrimitiveInputs} from './inputs.js'

/** `primitive gitops scaffold`'s flags, checked before anything else (bad input is exit 2 everywhere). */
export const VERSION_PATTERN = /^v[0-9]+$/
/** A lowercase DNS label (RFC 1123): the env name flows into Kubernetes names. */
export const ENV_PATTERN = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/

/** Local checks, the same rules as `ameide primitive scaffold` for kind and name (exit 2 on any problem). */
export function parsePrimitiveInputs(raw: {
  kind: string
  name: string
  version: string
  withSmoke: boolean
  env?: string
}): PrimitiveInputs {
  const kind = parseKind(raw.kind)
  const name = parseName(raw.name)
  if (!VERSION_PATTERN.test(raw.version)) {
    throw usageError(
      'INVALID_VERSION',
      `Invalid version ${JSON.stringify(raw.version)}: it must match ${VERSION_PATTERN.source}.`,
      ['Versions are v0, v1, v2, …'],
    )
  }
  if (raw.env !== undefined && !ENV_PATTERN.test(raw.env)) {
    throw usageError('INVALID_ENV', `Invalid env ${JSON.stringify(raw.env)}: it must be a lowercase DNS label.`, [
      'Use lowercase letters, digits and dashes, at most 63 characters, e.g. dev or staging.',
    ])
  }
  return {kind, name, version: raw.version, withSmoke: raw.withSmoke, ...(raw.env === undefined ? {} : {env: raw.env})}
}
