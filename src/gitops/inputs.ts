import {usageError} from '../core/errors.js'
import {parseKind, parseName, type Kind} from '../primitives/kinds.js'

export const VERSION_PATTERN = /^v[0-9]+$/
/** A lowercase DNS label (RFC 1123): the env name flows into Kubernetes names. */
export const ENV_PATTERN = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/
export const REPOSITORY_PATTERN = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/
export const WORKFLOW_PATTERN = /^[A-Za-z0-9_.-]+\.ya?ml$/

/** Workflow inputs that, when declared, carry a unique id ameide sends and then finds in the run's title. */
export const CORRELATION_INPUT_NAMES = ['distinct_id', 'correlation_id'] as const

export interface PrimitiveInputs {
  kind: Kind
  name: string
  version: string
  withSmoke: boolean
  env?: string
}

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
): {code: string; message: string}[] {
  const problems: {code: string; message: string}[] = []
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

/** `--api-url` / GITHUB_API_URL: an http(s) URL without credentials (GitHub Enterprise Server: https://HOST/api/v3). */
export function parseApiUrl(value: string, source: string): string {
  let url: URL | null = null
  try {
    url = new URL(value)
  } catch {
    url = null
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password) {
    throw usageError('INVALID_API_URL', `${source} ${JSON.stringify(value)} is not an http(s) URL.`, [
      'e.g. https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server.',
    ])
  }
  return value.replace(/\/+$/, '')
}
