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
  /** Flags not offered as arguments (a second output file where structuredContent already is the result; human-only). */
  omit?: readonly string[]
  /**
   * Closed sets the command checks itself (so its flag has no oclif `options`), offered as enums: where the result
   * schemas already list them (`file#pointer`; test/core/closed-sets.test.ts keeps those equal to the code), so no
   * command module is loaded to list the tools.
   */
  enums?: Readonly<Record<string, string>>
}

const KINDS = 'scaffold.schema.json#/properties/kind/enum'

const readOnly = {readOnlyHint: true, destructiveHint: false, idempotentHint: true} as const

/**
 * The tools, in the order `tools/list` gives them. Verify, status, gitops verify, gitops diff and doctor write nothing the
 * user owns (the result cache lives in the git directory; their `--sarif` / `--markdown` file is left out, the result
 * is structuredContent).
 * A rerun changes nothing: scaffold skips the files that exist, publish at the same commit finds its images and tags
 * there, set-image/promote with the same refs change no byte: all idempotent.
 * No tool deletes anything. Status, publish, doctor (one GitHub call unless `offline`), the writers' `openPr`, and
 * gitops verify, diff and preview (the charts the base declares unless `offline`; Argo CD's cluster list with
 * `argocdServer`) reach remote services.
 */
export const TOOLS: readonly ToolEntry[] = [
  {
    id: 'primitive:scaffold',
    schema: 'scaffold.schema.json',
    annotations: {readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false},
    enums: {kind: KINDS, lang: 'scaffold.schema.json#/properties/language/enum'},
  },
  {
    id: 'primitive:verify',
    schema: 'verify.schema.json',
    annotations: {...readOnly, openWorldHint: false},
    omit: ['sarif'],
    enums: {kind: KINDS, check: 'verify.schema.json#/definitions/check/properties/id/enum'},
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
    annotations: {...readOnly, openWorldHint: true},
    omit: ['sarif'],
    enums: {rule: 'gitops-verify.schema.json#/definitions/rule/enum'},
  },
  {
    id: 'gitops:diff',
    schema: 'gitops-diff.schema.json',
    annotations: {...readOnly, openWorldHint: true},
    omit: ['markdown'],
  },
  {
    id: 'gitops:preview',
    schema: 'gitops-preview.schema.json',
    annotations: {...readOnly, openWorldHint: true},
    omit: ['markdown'],
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
  {
    id: 'doctor',
    schema: 'doctor.schema.json',
    // --verbose shapes the human report only; the result carries every line.
    omit: ['verbose'],
    annotations: {...readOnly, openWorldHint: true},
  },
]

/** `gitops:set-image` → `gitops_set-image`. */
export const toolName = (id: string): string => id.replaceAll(':', '_')

/** Tools whose progress (`primitive publish`, `primitive status`) is relayed as MCP progress notifications. */
export const LONG_TOOLS: ReadonlySet<string> = new Set(['primitive:publish', 'primitive:status'])

/** The commands that render (Helm, kustomize, jsonnet in the render module): after one, the next call's process starts the module ahead. */
export const RENDERING_TOOLS: ReadonlySet<string> = new Set(['gitops:diff', 'gitops:verify', 'gitops:preview'])
