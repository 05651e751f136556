/**
 * `primitive gitops scaffold`: its flags checked (the same kind and name rules as `primitive scaffold`), the
 * workflow inputs and PR branch they make, and the dispatch followed to the PR (run.ts).
 */
import {parseEnvironment} from '../core/environment.js'
import {usageError} from '../core/errors.js'
import {parseKind, parseName} from '../primitives/kinds.js'
import {workflowInputs, type PrimitiveInputs} from './inputs.js'
import {dispatchAndFollow} from './run.js'
import type {DispatchDeps, DispatchOutcome, DispatchRequest} from './types.js'

export const VERSION_PATTERN = /^v[0-9]+$/

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
  if (raw.env !== undefined) parseEnvironment(raw.env)
  return {kind, name, version: raw.version, withSmoke: raw.withSmoke, ...(raw.env === undefined ? {} : {env: raw.env})}
}

/** A scaffold dispatch: the primitive and the branch pattern instead of ready inputs. */
export interface ScaffoldDispatchRequest extends Omit<DispatchRequest, 'inputs' | 'prBranch' | 'prSearch' | 'afterPr'> {
  primitive: PrimitiveInputs
  /** Head branch of the PR the workflow opens; placeholders {kind} {name} {version}. */
  branchPattern: string
}

/** Dispatches the scaffold workflow with the primitive's inputs and follows it to its PR. */
export async function gitopsScaffold(
  request: ScaffoldDispatchRequest,
  deps: DispatchDeps = {},
): Promise<DispatchOutcome> {
  const {primitive, branchPattern, ...rest} = request
  const {kind, name, version} = primitive
  return dispatchAndFollow(
    {
      ...rest,
      inputs: workflowInputs(primitive),
      prBranch: expandBranch({branchPattern, primitive}),
      prSearch: `${kind}-${name}-${version}`,
      afterPr: ['Enabling the primitive and setting image.ref are separate GitOps pull requests.'],
    },
    deps,
  )
}

export function expandBranch(request: Pick<ScaffoldDispatchRequest, 'branchPattern' | 'primitive'>): string {
  const {kind, name, version} = request.primitive
  return request.branchPattern.replaceAll('{kind}', kind).replaceAll('{name}', name).replaceAll('{version}', version)
}
