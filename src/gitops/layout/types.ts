/** What the checkout looks like (`none`: no Kubernetes manifest and no known layout) and what layout detection reports (the `detection` of the verify result), below both layout.ts and detect.ts. */
import type {GitopsPolicy, GitopsPreset} from '../../core/config.js'

export const DETECTED_LAYOUTS = ['seed', 'flux', 'kustomize', 'argocd', 'plain', 'none'] as const
export type DetectedLayout = (typeof DETECTED_LAYOUTS)[number]

/** The layout `gitops verify` used and why (`detection` in the verify result). */
export interface LayoutDetection {
  /** `configured`: ameide.yaml set the preset or zone globs (nothing detected); `detected`: from the checkout. */
  source: 'configured' | 'detected'
  layout: DetectedLayout
  /** The preset the policy starts from. */
  preset: GitopsPreset
  imageContract: GitopsPolicy['imageContract']
  /**
   * Globs detection added to the preset's: folders of manifests no zone of the preset covers; the overlay globs of
   * kustomize environments outside `overlays/` (`envs/{env}/**`, `environments/`, `env/`, `clusters/`).
   */
  added: {cluster: string[]; argocd: string[]; overlays: string[]}
  /** Why, one sentence each. */
  evidence: string[]
  /** Every layout with some evidence in the checkout, with how many files show it (the chosen one first). */
  candidates: Array<{layout: DetectedLayout; files: number}>
}

export interface ApplicationSetView {
  file: string
  line: number
  name: string
  applications: GeneratedApplicationView[]
  notRendered: Array<{line: number; generator: string; why: string}>
  errors: Array<{line: number; message: string}>
}

/** One generated Application as `--print-layout` lists it. */
export interface GeneratedApplicationView {
  name: string
  environment: string | null
  /** The Application as the controller would write it: metadata (namespace, labels, annotations, finalizers), spec. */
  metadata: Record<string, unknown>
  spec: Record<string, unknown>
  sources: Array<{repoURL: string | null; path?: string; chart?: string; valueFiles: string[]}>
}
