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
   * schemas already list them (`file#pointer`; test/core/closed-sets.unit.test.ts keeps those equal to the code), so no
   * command module is loaded to list the tools.
   */
  enums?: Readonly<Record<string, string>>
  /** Said after the command's summary in the tool's description: what the annotations alone cannot say. */
  note?: string
  /** Positional arguments that name files or directories: confined to the roots as FILE and DIR flags are. */
  pathArgs?: readonly string[]
  /**
   * Answered within a byte budget (src/mcp/budget.ts): the tool takes `maxBytes` and `detail`, its result may carry
   * `truncated`, and `main` names the list a `detail.offset` pages through.
   */
  paged?: {main: string}
}

const KINDS = 'scaffold.schema.json#/properties/kind/enum'

const readOnly = {readOnlyHint: true, destructiveHint: false, idempotentHint: true} as const

/** Writes what a rerun with the same inputs leaves as it is, and deletes nothing (see below). */
const idempotentWrite = {readOnlyHint: false, destructiveHint: false, idempotentHint: true} as const

const DISPATCH_NOTE =
  'Not idempotent: each call (without dryRun) dispatches a new workflow run on GitHub; no earlier run of the ' +
  'same inputs is looked for, so call it again only after checking the run and pull request of the last call.'

/** A workflow dispatch: a new run on GitHub at each call (see below). */
const DISPATCHES: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: false,
  openWorldHint: true,
}

/**
 * The tools, in the order `tools/list` gives them. Verify, status, gitops verify, gitops diff and doctor write nothing the
 * user owns (the result cache lives in the git directory; their `--sarif` / `--markdown` file is left out, the result
 * is structuredContent).
 * A rerun changes nothing: scaffold skips the files that exist, publish at the same commit finds its images and tags
 * there, set-image/promote with the same refs change no byte: all idempotent.
 * No tool deletes anything. Status, publish, doctor (one GitHub call unless `offline`), the writers' `openPr`, and
 * gitops verify, diff and preview (the charts the base declares unless `offline`; Argo CD's cluster list with
 * `argocdServer`) reach remote services.
 *
 * The two dispatchers (`primitive gitops scaffold`, `… update-images`) write nothing locally but start a workflow
 * run in the GitOps repository on GitHub, which opens a pull request: remote state, so not read-only, and open
 * world. They are NOT idempotent: each call sends a new dispatch, and src/dispatch/ never looks for an earlier run
 * of the same inputs (find-run.ts only finds the run this call started), so a rerun starts a second run (its
 * workflow may then find its branch or pull request already there). dryRun sends nothing.
 * `publish merge` reads shard reports, writes the merged report to `output` (replacing a file there) and, with
 * `updateMain` and no failed shard, moves each component's :main tag in the registry to the merged digest (the image
 * :main named before stays, by digest: nothing is deleted). A rerun on the same reports writes the same report and
 * moves :main to where it already is: idempotent. Only `updateMain` reaches the registry; open world.
 */
export const TOOLS: readonly ToolEntry[] = [
  {
    id: 'primitive:scaffold',
    schema: 'scaffold.schema.json',
    annotations: {...idempotentWrite, openWorldHint: false},
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
    annotations: {...idempotentWrite, openWorldHint: true},
  },
  {
    id: 'primitive:publish:merge',
    schema: 'publish.schema.json',
    annotations: {...idempotentWrite, openWorldHint: true},
    note: 'Writes the merged report to output (replacing that file); with updateMain, moves :main in the registry.',
    pathArgs: ['reports'],
  },
  {
    id: 'primitive:gitops:scaffold',
    schema: 'gitops-scaffold.schema.json',
    annotations: DISPATCHES,
    note: DISPATCH_NOTE,
    enums: {kind: KINDS},
  },
  {
    id: 'primitive:gitops:update-images',
    schema: 'gitops-update-images.schema.json',
    annotations: DISPATCHES,
    note: DISPATCH_NOTE,
  },
  {
    id: 'gitops:verify',
    schema: 'gitops-verify.schema.json',
    annotations: {...readOnly, openWorldHint: true},
    omit: ['sarif'],
    enums: {rule: 'gitops-verify.schema.json#/definitions/rule/enum'},
    paged: {main: 'findings'},
  },
  {
    id: 'gitops:diff',
    schema: 'gitops-diff.schema.json',
    annotations: {...readOnly, openWorldHint: true},
    omit: ['markdown'],
    paged: {main: 'deployables'},
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
    annotations: {...idempotentWrite, openWorldHint: true},
  },
  {
    id: 'gitops:promote',
    schema: 'gitops-promote.schema.json',
    annotations: {...idempotentWrite, openWorldHint: true},
  },
  {
    id: 'doctor',
    schema: 'doctor.schema.json',
    // --verbose shapes the human report only; the result carries every line.
    omit: ['verbose'],
    annotations: {...readOnly, openWorldHint: true},
  },
]

/** `gitops:set-image` → `gitops_set-image`; `primitive:publish:merge` → `primitive_publish_merge`. */
export const toolName = (id: string): string => id.replaceAll(':', '_')

/**
 * Tools whose progress is relayed as MCP progress notifications: `primitive publish`, `primitive status`, and the
 * dispatchers' events (the dispatch, the run found, its status changes, the pull request found).
 */
export const LONG_TOOLS: ReadonlySet<string> = new Set([
  'primitive:publish',
  'primitive:status',
  'primitive:gitops:scaffold',
  'primitive:gitops:update-images',
])

/**
 * The GitOps readers: they only read, and they render (Helm, kustomize, jsonnet in the render module). Their calls run
 * in one resident process, one after another (src/mcp/resident.ts); where one runs in a process of its own, the next
 * call's process starts the render module ahead.
 */
export const GITOPS_READERS: ReadonlySet<string> = new Set(['gitops:diff', 'gitops:verify', 'gitops:preview'])
