import {CHECK_IDS} from '../verify/types.js'
import {KINDS} from '../primitives/kinds.js'
import {RULE_IDS} from '../gitops/verify/rules/ids.js'

/** What an agent is told about a tool's effects (MCP tool annotations); checked against `readOnly` at start-up. */
export interface ToolAnnotations {
  readOnlyHint: boolean
  destructiveHint: boolean
  idempotentHint: boolean
  openWorldHint: boolean
}

/** One command offered as a tool. Everything else (description, inputs, output) is read from the build. */
export interface ToolEntry {
  /** The oclif command id, `primitive:verify`; the tool's name is `primitive_verify`. */
  id: string
  /** The command's checked-in `--json` result schema under schemas/. */
  schema: string
  annotations: ToolAnnotations
  /** Flags not offered as arguments (a second output file where structuredContent already is the result). */
  omit?: readonly string[]
  /** Closed sets the command checks itself (so its flag has no oclif `options`): offered as enums. */
  enums?: Readonly<Record<string, readonly string[]>>
}

const LANGUAGES = ['go', 'python', 'typescript'] as const

const readOnly = {readOnlyHint: true, destructiveHint: false, idempotentHint: true} as const

/**
 * The tools, in the order `tools/list` gives them. Verify, status and gitops verify write nothing the user owns (the
 * result cache lives in the git directory; their `--sarif` file is left out, the result is structuredContent).
 * Scaffold creates files and refuses an existing primitive, so a rerun fails: not idempotent. Publish at the same
 * commit finds its images and tags already there, and set-image/promote with the same refs change no byte: idempotent.
 * No tool deletes anything. Status, publish and the writers' `openPr` reach remote services.
 */
export const TOOLS: readonly ToolEntry[] = [
  {
    id: 'primitive:scaffold',
    schema: 'scaffold.schema.json',
    annotations: {readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false},
    enums: {kind: KINDS, lang: LANGUAGES},
  },
  {
    id: 'primitive:verify',
    schema: 'verify.schema.json',
    annotations: {...readOnly, openWorldHint: false},
    omit: ['sarif'],
    enums: {kind: KINDS, check: CHECK_IDS, mode: ['repo']},
  },
  {
    id: 'primitive:status',
    schema: 'primitive-status.schema.json',
    annotations: {...readOnly, openWorldHint: true},
    enums: {kind: KINDS},
  },
  {
    id: 'primitive:publish',
    schema: 'publish.schema.json',
    annotations: {readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true},
  },
  {
    id: 'gitops:verify',
    schema: 'gitops-verify.schema.json',
    annotations: {...readOnly, openWorldHint: false},
    omit: ['sarif'],
    enums: {rule: RULE_IDS},
  },
  {
    id: 'gitops:set-image',
    schema: 'gitops-set-image.schema.json',
    annotations: {readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true},
  },
  {
    id: 'gitops:promote',
    schema: 'gitops-promote.schema.json',
    annotations: {readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true},
  },
]

/** `gitops:set-image` → `gitops_set-image`. */
export const toolName = (id: string): string => id.replaceAll(':', '_')

/** Tools whose progress (`primitive publish`, `primitive status`) is relayed as MCP progress notifications. */
export const LONG_TOOLS: ReadonlySet<string> = new Set(['primitive:publish', 'primitive:status'])
