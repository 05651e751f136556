import {readFileSync} from 'node:fs'
import path from 'node:path'

import {TOOLS, toolName, type ToolAnnotations, type ToolEntry} from './catalogue.js'
import {deriveInput, type ManifestCommand, type ToolInput} from './input-schema.js'
import {DEFAULT_MAX_BYTES} from './budget.js'
import {bundleSchema} from './schema-bundle.js'

/** A tool as `tools/list` gives it, and what a call needs to run its command. */
export interface Tool {
  entry: ToolEntry
  input: ToolInput
  listing: {
    name: string
    title: string
    description: string
    inputSchema: Record<string, unknown>
    outputSchema: Record<string, unknown>
    annotations: ToolAnnotations & {title: string}
  }
}

/**
 * The tools, from the build alone: oclif.manifest.json (each command's summary and flags) and schemas/ (each
 * result schema, bundled). No command's code is loaded. `readOnly` keeps only the tools that claim readOnlyHint.
 */
export function loadTools(packageRoot: string, options: {readOnly?: boolean; only?: readonly string[]} = {}): Tool[] {
  const manifest = JSON.parse(readFileSync(path.join(packageRoot, 'oclif.manifest.json'), 'utf8')) as {
    commands: Record<string, ManifestCommand>
  }
  const schemas = path.join(packageRoot, 'schemas')
  const tools: Tool[] = []
  for (const entry of TOOLS) {
    const command = manifest.commands[entry.id]
    if (command === undefined) throw new Error(`oclif.manifest.json has no command ${entry.id}`)
    const enums = Object.fromEntries(
      Object.entries(entry.enums ?? {}).map(([flag, where]) => [flag, closedSet(schemas, where)]),
    )
    const input = deriveInput(command, entry, enums)
    checkAnnotations(entry, input)
    if (options.readOnly && !entry.annotations.readOnlyHint) continue
    if (options.only && !options.only.includes(toolName(entry.id))) continue
    const title = `ameide ${entry.id.replaceAll(':', ' ')}`
    const outputSchema = bundleSchema(schemas, entry.schema)
    tools.push({
      entry,
      input,
      listing: {
        name: toolName(entry.id),
        title,
        description: [command.summary ?? command.id, entry.note, entry.paged && PAGED_NOTE].filter(Boolean).join(' '),
        inputSchema: entry.paged ? pagedInput(input.schema) : input.schema,
        outputSchema: entry.paged ? pagedOutput(outputSchema, entry.paged.main) : outputSchema,
        annotations: {title, ...entry.annotations},
      },
    })
  }
  return tools
}

const PAGED_NOTE =
  `The answer fits maxBytes (default ${DEFAULT_MAX_BYTES}): summary first, every count whole; what does not fit is ` +
  'named in truncated, with the detail to ask next and the resource holding the whole document.'

/** A paged tool's arguments: its flags, and the budget and the part asked for. */
function pagedInput(schema: Record<string, unknown>): Record<string, unknown> {
  const properties = schema.properties as Record<string, unknown>
  return {
    ...schema,
    properties: {
      ...properties,
      maxBytes: {
        type: 'integer',
        minimum: 1000,
        maximum: 100_000_000,
        description: `The answer's size at most (compact JSON, bytes; default ${DEFAULT_MAX_BYTES}). The whole document is always a resource.`,
      },
      detail: {
        type: 'object',
        additionalProperties: false,
        description:
          "Only this part of the result: the list items of an environment, a deployable (an Application's name or a source folder), a rule; offset skips the first items of the main list (a truncated answer's next).",
        properties: {
          environment: {type: 'string'},
          deployable: {type: 'string'},
          rule: {type: 'string'},
          offset: {type: 'integer', minimum: 0},
          result: {
            type: 'string',
            description:
              'A kept result (ameide://results/N, a truncated answer names it): answered from that document, the command not run again.',
          },
        },
      },
    },
  }
}

/** A paged tool's result: the command's, which may carry `truncated`. */
function pagedOutput(schema: Record<string, unknown>, main: string): Record<string, unknown> {
  const detail = {
    type: 'object',
    additionalProperties: false,
    properties: {
      environment: {type: 'string'},
      deployable: {type: 'string'},
      rule: {type: 'string'},
      offset: {type: 'integer', minimum: 0},
      result: {type: 'string'},
    },
  }
  const truncated = {
    type: 'object',
    additionalProperties: false,
    required: ['maxBytes', 'bytes', 'lists', 'resource', 'how'],
    description: `Set when the answer left something out to fit maxBytes: the lists cut (the main one: ${main}), the detail that asks for the next ${main}, the resource holding the whole document.`,
    properties: {
      maxBytes: {type: 'integer'},
      bytes: {type: 'integer', description: 'The whole document (compact JSON, bytes).'},
      lists: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['path', 'from', 'shown', 'total'],
          properties: {
            path: {type: 'string'},
            from: {type: 'integer'},
            shown: {type: 'integer'},
            total: {type: 'integer'},
          },
        },
      },
      next: {...detail, description: `The detail to call with for the next ${main} (absent: none left).`},
      resource: {type: 'string', description: 'The MCP resource (resources/read) holding the whole document.'},
      how: {type: 'string'},
    },
  }
  return {...schema, properties: {...(schema.properties as Record<string, unknown>), truncated}}
}

/** The values a schema lists at `file#/json/pointer`. */
function closedSet(schemas: string, where: string): string[] {
  const [file, pointer] = where.split('#')
  let node: unknown = JSON.parse(readFileSync(path.join(schemas, file), 'utf8'))
  for (const key of pointer.split('/').filter(Boolean)) node = (node as Record<string, unknown> | undefined)?.[key]
  if (!Array.isArray(node) || !node.every((v) => typeof v === 'string'))
    throw new Error(`${where} is not a list of names`)
  return node
}

/** Annotations that contradict the command are a bug, refused when the server starts (none is ever listed). */
function checkAnnotations(entry: ToolEntry, input: ToolInput): void {
  const a = entry.annotations
  const writes = 'dryRun' in input.arguments
  if (a.readOnlyHint && (writes || a.destructiveHint || !a.idempotentHint))
    throw new Error(`${entry.id}: a read-only tool must write nothing, delete nothing and be idempotent`)
  if (writes && a.readOnlyHint) throw new Error(`${entry.id}: a tool with dryRun writes; it cannot be read-only`)
}
