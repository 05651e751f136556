import type {ToolEntry} from './catalogue.js'

/** A flag as oclif.manifest.json records it. */
export interface ManifestFlag {
  name: string
  type: 'boolean' | 'option'
  description?: string
  summary?: string
  required?: boolean
  multiple?: boolean
  options?: string[]
  default?: unknown
  allowNo?: boolean
  helpValue?: string
  hidden?: boolean
  aliases?: string[]
}

/** A command as oclif.manifest.json records it. */
export interface ManifestCommand {
  id: string
  summary?: string
  description?: string
  flags: Record<string, ManifestFlag>
  args?: Record<string, {name: string; description?: string; required?: boolean}>
  /** false: the last argument takes every word left (`publish merge REPORT…`). */
  strict?: boolean
}

/** How one argument of a tool becomes command-line flags. */
export interface ArgumentFlag {
  flag: string
  kind: 'boolean' | 'string' | 'strings' | 'integer'
  allowNo: boolean
  /** A file or directory (helpValue FILE / DIR, an argument the catalogue names): resolved against `root` and confined to the roots. */
  path: boolean
  /** `URL=PATH` (helpValue ending `=PATH`, e.g. --source-repo): the part after the first `=` is a path, confined alike. */
  pathAfterEquals?: boolean
  /** A positional argument (`flag` is its name): its values go last, after `--`. */
  positional?: boolean
}

/** A tool's input: the JSON Schema offered to clients, and the way back from arguments to argv. */
export interface ToolInput {
  schema: Record<string, unknown>
  arguments: Record<string, ArgumentFlag>
  /** The command's flag for its checkout: `--repo-root` or `--root`; the tool's `root` argument. */
  rootFlag: string | undefined
}

/** The flags of every command that name its checkout; offered as the one `root` argument. */
const ROOT_FLAGS = new Set(['repo-root', 'root'])

/** `dry-run` → `dryRun`. */
export const camelCase = (flag: string): string => flag.replaceAll(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase())

/**
 * A tool's inputSchema derived from the command's flags as the manifest records them: booleans, strings, repeatable
 * flags as arrays, closed sets as enums (oclif's `options`, or the set the command checks itself), `N` values as
 * integers, defaults and required flags as declared; `--json` is implied and the checkout flag is `root`.
 */
export function deriveInput(
  command: ManifestCommand,
  entry: ToolEntry,
  enums: Readonly<Record<string, readonly string[]>> = {},
): ToolInput {
  const properties: Record<string, Record<string, unknown>> = {}
  const required: string[] = []
  const args: Record<string, ArgumentFlag> = {}
  let rootFlag: string | undefined
  for (const flag of Object.values(command.flags)) {
    if (flag.name === 'json' || flag.hidden || entry.omit?.includes(flag.name)) continue
    if (ROOT_FLAGS.has(flag.name)) {
      rootFlag = flag.name
      properties.root = {
        type: 'string',
        description:
          'The repository to work in: a directory inside one of the client roots (relative paths are resolved ' +
          'against the first root). Default: the first root.',
      }
      continue
    }
    const name = camelCase(flag.name)
    const description = flag.summary ?? flag.description
    const closed = flag.options ?? enums[flag.name]
    let property: Record<string, unknown>
    let kind: ArgumentFlag['kind']
    if (flag.type === 'boolean') {
      kind = 'boolean'
      property = {type: 'boolean'}
    } else if (flag.helpValue === 'N' && !flag.multiple) {
      kind = 'integer'
      property = {type: 'integer', minimum: 1}
    } else {
      const item: Record<string, unknown> = closed ? {type: 'string', enum: [...closed]} : {type: 'string'}
      kind = flag.multiple ? 'strings' : 'string'
      property = flag.multiple ? {type: 'array', items: item} : item
    }
    if (description !== undefined) property.description = description
    if (flag.default !== undefined) property.default = flag.default
    properties[name] = property
    if (flag.required) required.push(name)
    args[name] = {
      flag: flag.name,
      kind,
      allowNo: flag.allowNo === true,
      path: flag.helpValue === 'FILE' || flag.helpValue === 'DIR',
      ...(flag.helpValue?.endsWith('=PATH') ? {pathAfterEquals: true} : {}),
    }
  }
  addPositionals(command, entry, {properties, required, args})
  const schema: Record<string, unknown> = {type: 'object', properties, additionalProperties: false}
  if (required.length > 0) schema.required = required
  return {schema, arguments: args, rootFlag}
}

/** The command's positional arguments as tool arguments: a variadic one (strict false) as an array of strings. */
function addPositionals(
  command: ManifestCommand,
  entry: ToolEntry,
  into: {properties: Record<string, Record<string, unknown>>; required: string[]; args: Record<string, ArgumentFlag>},
): void {
  const {properties, required, args} = into
  for (const arg of Object.values(command.args ?? {})) {
    const variadic = command.strict === false
    const property: Record<string, unknown> = variadic
      ? {type: 'array', items: {type: 'string'}, ...(arg.required ? {minItems: 1} : {})}
      : {type: 'string'}
    if (arg.description !== undefined) property.description = arg.description
    const name = camelCase(arg.name)
    properties[name] = property
    if (arg.required) required.push(name)
    const path = entry.pathArgs?.includes(arg.name) === true
    args[name] = {flag: arg.name, kind: variadic ? 'strings' : 'string', allowNo: false, path, positional: true}
  }
}

/**
 * The argv for a call: every argument as its flag (`--flag=value`, so a value starting with `-` stays a value;
 * `--no-flag` for false where the flag allows it), `--json`, then the positional values after `--`. Paths arrive
 * already resolved.
 */
export function toArgv(input: ToolInput, args: Record<string, unknown>, root: string | undefined): string[] {
  const argv: string[] = []
  if (input.rootFlag !== undefined && root !== undefined) argv.push(`--${input.rootFlag}=${root}`)
  const positional: string[] = []
  for (const [name, value] of Object.entries(args)) {
    const spec = input.arguments[name]
    if (spec === undefined || value === undefined) continue
    if (spec.positional) {
      positional.push(...(Array.isArray(value) ? value : [value]).map(String))
    } else if (spec.kind === 'boolean') {
      if (value === true) argv.push(`--${spec.flag}`)
      else if (spec.allowNo) argv.push(`--no-${spec.flag}`)
    } else if (Array.isArray(value)) {
      for (const v of value) argv.push(`--${spec.flag}=${String(v)}`)
    } else {
      argv.push(`--${spec.flag}=${String(value)}`)
    }
  }
  argv.push('--json')
  // After `--` a value is an argument, also one that starts with `-`.
  if (positional.length > 0) argv.push('--', ...positional)
  return argv
}
