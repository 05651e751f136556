/**
 * Workflow inputs: the scaffold workflow's, and every workflow's declared `workflow_dispatch` inputs that a dispatch
 * is checked against. Pure: input errors are raised by the callers (scaffold.ts, plan.ts).
 */
import type {Kind} from '../primitives/kinds.js'

/** Why the workflow would reject an input. */
export type DispatchProblem = 'INPUT_NOT_DECLARED' | 'INPUT_NOT_ALLOWED' | 'REQUIRED_INPUT_MISSING'

/** Workflow inputs that, when declared, carry a unique id ameide sends and then finds in the run's title. */
export const CORRELATION_INPUT_NAMES = ['distinct_id', 'correlation_id'] as const

export interface PrimitiveInputs {
  kind: Kind
  name: string
  version: string
  withSmoke: boolean
  env?: string
}

/** The workflow inputs, exactly as sent: strings only, `env` only when given. */
export function workflowInputs(p: PrimitiveInputs): Record<string, string> {
  return {
    kind: p.kind,
    name: p.name,
    version: p.version,
    with_smoke: p.withSmoke ? 'true' : 'false',
    ...(p.env === undefined ? {} : {env: p.env}),
  }
}

export interface DeclaredInput {
  name: string
  required: boolean
  type: string
  options?: string[]
  default?: string
}

/**
 * The `on.workflow_dispatch.inputs` of a workflow file. Returns null when the workflow has no
 * workflow_dispatch trigger at all.
 */
export async function parseDeclaredInputs(workflowYaml: string): Promise<DeclaredInput[] | null> {
  const {parse} = await import('yaml')
  let doc: unknown
  try {
    doc = parse(workflowYaml, {maxAliasCount: 50})
  } catch (error) {
    throw new DeclaredInputsError(`the workflow file is not valid YAML: ${(error as Error).message.split('\n')[0]}`)
  }
  const on = (doc as {on?: unknown; true?: unknown} | null)?.on ?? (doc as {true?: unknown} | null)?.true
  if (on === 'workflow_dispatch') return []
  if (Array.isArray(on)) return on.includes('workflow_dispatch') ? [] : null
  if (!on || typeof on !== 'object' || !('workflow_dispatch' in on)) return null
  const dispatch = (on as {workflow_dispatch: unknown}).workflow_dispatch
  const inputs = (dispatch as {inputs?: unknown} | null)?.inputs
  if (inputs === undefined || inputs === null) return []
  if (typeof inputs !== 'object' || Array.isArray(inputs))
    throw new DeclaredInputsError('on.workflow_dispatch.inputs is not a mapping')
  return Object.entries(inputs as Record<string, unknown>).map(([name, raw]) => {
    const spec = (raw ?? {}) as {required?: unknown; type?: unknown; options?: unknown; default?: unknown}
    return {
      name,
      required: spec.required === true || spec.required === 'true',
      type: typeof spec.type === 'string' ? spec.type : 'string',
      ...(Array.isArray(spec.options) ? {options: spec.options.map(String)} : {}),
      ...(spec.default === undefined || spec.default === null ? {} : {default: String(spec.default)}),
    }
  })
}

export class DeclaredInputsError extends Error {}

/** Problems of `inputs` against the declared ones; empty when GitHub would accept them. */
export function checkAgainstDeclared(
  inputs: Record<string, string>,
  declared: DeclaredInput[],
): {code: DispatchProblem; message: string}[] {
  const problems: {code: DispatchProblem; message: string}[] = []
  const byName = new Map(declared.map((d) => [d.name, d]))
  for (const [name, value] of Object.entries(inputs)) {
    const d = byName.get(name)
    if (!d) {
      problems.push({code: 'INPUT_NOT_DECLARED', message: `input "${name}" is not declared by the workflow`})
      continue
    }
    if (d.type === 'choice' && d.options && !d.options.includes(value)) {
      problems.push({
        code: 'INPUT_NOT_ALLOWED',
        message: `input "${name}"=${JSON.stringify(value)} is not one of its options (${d.options.join(', ')})`,
      })
    }
    if (d.type === 'boolean' && value !== 'true' && value !== 'false') {
      problems.push({code: 'INPUT_NOT_ALLOWED', message: `input "${name}" must be "true" or "false"`})
    }
    if (d.type === 'number' && !Number.isFinite(Number(value))) {
      problems.push({code: 'INPUT_NOT_ALLOWED', message: `input "${name}" must be a number`})
    }
  }
  for (const d of declared) {
    if (d.required && d.default === undefined && !(d.name in inputs)) {
      problems.push({
        code: 'REQUIRED_INPUT_MISSING',
        message: `the workflow requires input "${d.name}", which ameide does not send`,
      })
    }
  }
  return problems
}

/** The correlation input the workflow declares, if any. */
export function correlationInput(declared: DeclaredInput[]): string | undefined {
  return CORRELATION_INPUT_NAMES.find((n) => declared.some((d) => d.name === n))
}
