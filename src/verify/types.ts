import type {Kind, Language} from '../primitives/kinds.js'

/** Stable check ids, in the order they run and are reported. */
export const CHECK_IDS = [
  'shape',
  'scaffold-markers',
  'tests',
  'imports',
  'codegen',
  'secrets',
  'image-policy',
  'naming',
  'process-bpmn',
  'buf-lint',
  'buf-breaking',
] as const
export type CheckId = (typeof CHECK_IDS)[number]

/**
 * The ids among `ids`, in the stable report order: what `checksFor` (./primitive.ts) returns the checks of, without
 * loading them (the checks' modules load when a primitive is checked).
 */
export function inReportOrder(ids: Iterable<CheckId>): CheckId[] {
  const wanted = new Set(ids)
  return CHECK_IDS.filter((id) => wanted.has(id))
}

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip'

/** `error` findings fail their check; `warning` findings only warn. */
export type Severity = 'error' | 'warning'

/** One precise, fixable finding. `file` is repo-relative; `line` is 1-based, 0 when the finding is about a whole file. */
export interface Finding {
  rule: string
  severity: Severity
  file: string
  line: number
  column?: number
  message: string
  hint: string
}

export interface CheckResult {
  id: CheckId
  status: CheckStatus
  /** Why the check was skipped, or what it looked at; never a secret. */
  note?: string
  /** Files the check did not read, and why (the secrets check: binary files). */
  skippedFiles?: Array<{file: string; reason: string}>
  findings: Finding[]
}

export interface PrimitiveResult {
  kind: Kind
  name: string
  path: string
  summary: 'pass' | 'fail'
  checks: CheckResult[]
}

/**
 * A repository folder that is not a primitive but is checked under `--all`: the shared proto module
 * (`packages/ameide_core_proto`), with the buf checks only.
 */
export interface SharedResult {
  /** Repo-relative folder. */
  path: string
  summary: 'pass' | 'fail'
  checks: CheckResult[]
}

/** The `--json` result of `ameide primitive verify` (schemas/verify.schema.json). */
export interface VerifyResult {
  /** `fail` when any primitive or shared module fails. */
  summary: 'pass' | 'fail'
  primitives: PrimitiveResult[]
  /** Checked shared modules: empty unless `--all` and the shared proto module exists (and a buf check is selected). */
  shared: SharedResult[]
  nextSteps: string[]
  /** Absolute path of the SARIF file written with --sarif. */
  sarif?: string
}

/** Every checked folder of a result, primitives first, then shared modules: what reporters iterate. */
export function verifiedTargets(result: VerifyResult): Array<{path: string; checks: CheckResult[]}> {
  return [...result.primitives, ...result.shared]
}

/** A file of the primitive, read once and shared by every check. */
export interface SourceFile {
  /** Path relative to the primitive folder, with forward slashes. */
  rel: string
  /** Repo-relative path. */
  repoPath: string
  abs: string
  size: number
  /** UTF-8 text, or null for binary or oversized files (only the shape and tests checks see those). */
  text: string | null
}

/** Tools a check may need; resolved once per run. */
export interface VerifyTools {
  /** Absolute path of `buf`, or null when it is not installed. */
  buf: string | null
  /** PATH for child processes (buf plugins such as protoc-gen-es are found through it). */
  path: string
  /** The branch `publish` compares with (ameide.yaml publish.baseBranch): buf-breaking's base. */
  baseBranch: string
}

export interface PrimitiveContext {
  repoRoot: string
  kind: Kind
  name: string
  language: Language
  /** Repo-relative folder, e.g. primitives/domain/orders. */
  path: string
  dir: string
  /** Every file of the primitive, sorted by `rel`. */
  files: SourceFile[]
  /** `rel` → file. */
  byRel: Map<string, SourceFile>
  tools: VerifyTools
}

export interface CheckOutcome {
  /** Derived from the findings when omitted: any error → fail, any warning → warn, else pass. */
  status?: CheckStatus
  note?: string
  skippedFiles?: Array<{file: string; reason: string}>
  findings: Finding[]
}

/** One mechanical guardrail. `run` reads the shared context and never writes inside the repository. */
export interface Check {
  id: CheckId
  /** One line for help and docs. */
  summary: string
  /** A skip reason when the check does not apply to this primitive, else null. */
  skipReason(ctx: PrimitiveContext): string | null
  run(ctx: PrimitiveContext): CheckOutcome | Promise<CheckOutcome>
}
