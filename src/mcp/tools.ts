import {readFileSync} from 'node:fs'
import path from 'node:path'

import {TOOLS, toolName, type ToolAnnotations, type ToolEntry} from './catalogue.js'
import {deriveInput, type ManifestCommand, type ToolInput} from './input-schema.js'
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
export function loadTools(packageRoot: string, options: {readOnly?: boolean} = {}): Tool[] {
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
    const title = `ameide ${entry.id.replaceAll(':', ' ')}`
    tools.push({
      entry,
      input,
      listing: {
        name: toolName(entry.id),
        title,
        description: [command.summary ?? command.id, entry.note].filter(Boolean).join(' '),
        inputSchema: input.schema,
        outputSchema: bundleSchema(schemas, entry.schema),
        annotations: {title, ...entry.annotations},
      },
    })
  }
  return tools
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
