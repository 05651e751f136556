/**
 * What a rule of `ameide gitops verify` is: its id, title, seed source and hint (what help, docs, the JSON schema
 * and SARIF read), whether it is a policy rule (read from the files) or an evidence rule (asked of the registry
 * with `--evidence`), and its check. One file per rule in this folder; `index.ts` registers them.
 */
import type {YamlModule} from '../../images/yaml/index.js'
import type {LocalChart} from '../facts/local-charts.js'
import type {FileImages, Span} from '../facts/index.js'
import type {GitopsPolicy, Layout, Zone} from '../layout/index.js'
import type {RuleId} from './ids.js'
import type {DependencySite} from '../../effects/helm.js'
import type {EvidenceJudgement} from '../evidence/types.js'
import type {EvidenceFacts} from '../evidence/types.js'

/** A finding of `gitops verify`: the same shape as `primitive verify`'s findings (file repo-relative, 1-based). */
export interface GitopsFinding {
  rule: RuleId
  severity: 'error' | 'warning'
  file: string
  line: number
  column: number
  message: string
  hint: string
  /** With --render: the rendered object the finding is about (file/line are then the source that decided it). */
  object?: RenderedObjectRef
  /** With --render: the environment of the render root. */
  environment?: string
  /** With --render: the deployable that rendered the object (an Argo CD Application's name, a HelmRelease's namespace/name). */
  application?: string
  /** With --render, a chart not rendered for one of its dependencies: the Chart.yaml line that asked, the repository. */
  dependency?: DependencySite
}

/** A rendered object (and container) a finding names. */
export interface RenderedObjectRef {
  kind: string
  namespace?: string
  name: string
  container?: string
}

/** One file of a scope the gate looks at, with what `findImages` found in it. */
export interface FileContext {
  file: string
  zone: Zone
  found: FileImages
  policy: GitopsPolicy
  /** The file's text and the YAML module that parsed it, for rules that read documents of their own (previews). */
  text: string
  yaml: YamlModule
  /** The local Helm chart the file is a values file of, and whether its templates read a digest value. */
  chart?: LocalChart
}

/** The whole checkout: every file path, for rules about what exists (a dev overlay). */
export interface RepoContext {
  layout: Layout
  files: string[]
}

/** The supply-chain evidence of one digest-pinned image, as the verifier answered (one entry of the JSON). */
export interface EvidenceRecord extends EvidenceFacts {
  /** `<repository>@sha256:<digest>`, as cosign is asked. */
  image: string
  /** Files and lines that use this digest. */
  uses: Array<{file: string; line: number}>
}

/** A record with its judgement, and the tag each use wrote (parallel to `record.uses`): what the rules read. */
export interface JudgedEvidence {
  record: EvidenceRecord
  judgement: EvidenceJudgement
  tags: Array<string | undefined>
}

interface RuleBase<Id extends RuleId> {
  id: Id
  title: string
  /** The seed passage the rule enforces. */
  source: string
  /** The general hint: on every finding and in SARIF's `help`. */
  hint: string
  /** Findings are errors (they fail the run) unless the rule says warning (reported, never failing). */
  severity?: 'warning'
}

/** A rule read from the files: checked per file, and optionally once over the whole checkout. */
export interface PolicyRule<Id extends RuleId = RuleId> extends RuleBase<Id> {
  kind: 'policy'
  checkFile?(ctx: FileContext): GitopsFinding[]
  checkRepo?(ctx: RepoContext): GitopsFinding[]
}

/**
 * A supply-chain rule (`--evidence`): the messages of the image's evidence failing it at one of its uses (index into
 * `record.uses`); none when it passes.
 */
export interface EvidenceRule<Id extends RuleId = RuleId> extends RuleBase<Id> {
  kind: 'evidence'
  checkEvidence(evidence: JudgedEvidence, use: number): string[]
}

/**
 * A rule of `gitops diff` alone: about what a change does between two revisions (an update the API server refuses),
 * never checked by `gitops verify`, which reads one revision.
 */
export interface DiffRule<Id extends RuleId = RuleId> extends RuleBase<Id> {
  kind: 'diff'
}

export type Rule<Id extends RuleId = RuleId> = PolicyRule<Id> | EvidenceRule<Id> | DiffRule<Id>

/** A finding of `rule` at `at` (1-based; line 0 for a finding about a directory). */
export function finding(
  rule: Pick<RuleBase<RuleId>, 'id' | 'hint' | 'severity'>,
  file: string,
  at: Pick<Span, 'line' | 'column'>,
  message: string,
): GitopsFinding {
  return {
    rule: rule.id,
    severity: rule.severity ?? 'error',
    file,
    line: at.line,
    column: at.column,
    message,
    hint: rule.hint,
  }
}

/** Whether the judgement says any of `what` is stored in a format the installed cosign cannot read. */
export function unreadableEvidence(
  judgement: EvidenceJudgement,
  ...what: Array<'signature' | 'sbom' | 'provenance'>
): boolean {
  return judgement.unreadable.some((u) => what.includes(u.what))
}

/**
 * The check of a required attestation (`sbom-missing`, `provenance-missing`): a finding when the image has no verified
 * `what` attestation, an evidence policy requires it, and neither the signature nor the attestation is unreadable by
 * this cosign (evidence-unreadable reports that).
 */
export const attestationMissing =
  (what: 'sbom' | 'provenance', name: string): EvidenceRule['checkEvidence'] =>
  ({record: r, judgement: j}) =>
    r[what] || j.policyMissing || !j[`${what}Required`] || unreadableEvidence(j, 'signature', what)
      ? []
      : [`${r.image} has no verified ${name} attestation.`]
