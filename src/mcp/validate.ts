import type {ValidateFunction} from 'ajv'

import type {Tool} from './tools.js'

const compiled = new WeakMap<Tool, ValidateFunction>()

/** Arguments against the tool's inputSchema: undefined when they fit, else what is wrong (for invalid params). */
export async function checkArguments(tool: Tool, args: Record<string, unknown>): Promise<string | undefined> {
  let validate = compiled.get(tool)
  if (validate === undefined) {
    const {Ajv} = await import('ajv')
    validate = new Ajv({allErrors: true, strict: false}).compile(tool.listing.inputSchema)
    compiled.set(tool, validate)
  }
  if (validate(args)) return undefined
  return (validate.errors ?? [])
    .map((e) => {
      const where = e.instancePath === '' ? 'arguments' : e.instancePath.slice(1).replaceAll('/', '.')
      const extra = e.keyword === 'additionalProperties' ? ` (${String(e.params.additionalProperty)})` : ''
      const allowed = e.keyword === 'enum' ? `: ${(e.params.allowedValues as unknown[]).join(', ')}` : ''
      return `${where} ${e.message ?? 'is invalid'}${extra}${allowed}`
    })
    .join('; ')
}
