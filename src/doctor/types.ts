/** `ameide doctor`'s model: one check per thing a command needs, and the result (schemas/doctor.schema.json). */

import type {BuiltInKubernetes} from './kubernetes.js'
import type {CopyRecord} from './release.js'

/** ok: found and answers; missing: not found; unusable: found but fails (exits non-zero, too old, refused); unknown: could not be asked (offline, timed out). */
export const CHECK_STATUSES = ['ok', 'missing', 'unusable', 'unknown'] as const
export type CheckStatus = (typeof CHECK_STATUSES)[number]

/**
 * What a line means here, the three marks of the report: ok ✓ ready; warn ! optional or degraded (the detail says why); fail ✗ a command this repository is configured for cannot run (the fix says how).
 * Any fail is exit 3.
 */
export const CHECK_STATES = ['ok', 'warn', 'fail'] as const
export type CheckState = (typeof CHECK_STATES)[number]

/** The checks, in the order doctor prints them. */
export const CHECK_IDS = [
  'node',
  'git',
  'config',
  'builder',
  'cosign',
  'sbom',
  'buf',
  'charts',
  'render-module',
  'template-engine',
  'registry-credentials',
  'github-token',
] as const
export type CheckId = (typeof CHECK_IDS)[number]

/** The commands a check can be needed by (`ameide <id>`). */
export const COMMAND_IDS = [
  'primitive scaffold',
  'primitive verify',
  'primitive publish',
  'primitive status',
  'primitive gitops scaffold',
  'primitive gitops update-images',
  'gitops verify',
  'gitops diff',
  'gitops set-image',
  'gitops promote',
  'mcp',
] as const
export type CommandId = (typeof COMMAND_IDS)[number]

/** One line of the report. */
export interface DoctorCheck {
  id: CheckId
  title: string
  /** What the probe found. */
  status: CheckStatus
  /** What that means here: ok when found; fail when required and not ok; warn otherwise. */
  state: CheckState
  /** The version the tool reported, when it reports one. */
  version: string | null
  /** What was found, or why it is missing, unusable or unknown (never a secret). */
  detail: string
  /** The command that fixes it; null when the line is ok. */
  fix: string | null
  /** The commands that use it (some only with a flag, said in `detail`). */
  neededBy: CommandId[]
  /** A command this repository is configured for cannot run without it: not ok here makes the exit 3. */
  required: boolean
  /** template-engine, when built: what built it (dist/engine/engine.json). */
  engine?: EngineRecord
  /** render-module: the Kubernetes minors and the CRD catalog built in (./kubernetes.ts). */
  kubernetes?: BuiltInKubernetes
  /** render-module: the renderers installed (the build's, or a render package's) and the engine that renders. */
  renderers?: {native: string | null; wasm: string | null; engine: string}
}

/** A line as its check group finds it, before the repository's needs decide required and state. */
export type ProbedCheck = Omit<DoctorCheck, 'neededBy' | 'required' | 'state'>

/** What built the ApplicationSet template engine: Go, the engine's sha256, each Go module's version and go.sum hash. */
export interface EngineRecord {
  go: string
  sha256: string | null
  /** The Go modules linked into the engine, as the workspace (src/effects/go.work) resolves them. */
  modules: Array<{path: string; version: string; sum: string}>
}

/** What the repository is, by what it holds: a monorepo (primitives/), a GitOps checkout, both, or none. */
export type RepositoryKind = 'monorepo' | 'gitops' | 'both' | 'none'

export interface DoctorResult {
  /** No check is fail: every required check is ok (exit 0); else exit 3. */
  ready: boolean
  /** The running copy of ameide: version, origin (release tarball or a checkout's build), what it was built from. */
  ameide: CopyRecord
  offline: boolean
  repository: {
    root: string | null
    kind: RepositoryKind
    /** `ameide.yaml` when the repository has one, else null (the defaults apply). */
    config: string | null
    /** The commands the repository is configured for: their needs decide `required`. */
    commands: CommandId[]
  }
  checks: DoctorCheck[]
}
