/**
 * The render module's commands (protocol ameide-render/5, go/run.go Request): `helm template` and `kustomize build`
 * as data — the module's Go fills Helm's and kustomize's own options from them, nothing parses arguments on the way
 * — and the other steps as their tools' argv (`helm dependency build`, Argo CD's `kustomize edit` sequence, jsonnet,
 * Flux's artifact, generate and substitute).
 */
import type {FluxPostRender} from '../helm.js'

/** `documents`: the output's documents are answered as data too (go/documents.go, CommandResult.documents). */
export type ModuleCommand =
  {helmTemplate: HelmTemplate; documents?: true} | {kustomizeBuild: KustomizeBuild; documents?: true} | string[]

/** go/helm.go HelmTemplate: the flags Argo CD's repo-server and helm-controller give `helm template`, as fields. */
export interface HelmTemplate {
  release: string
  /** The chart's folder (or `.`, the request's working folder). */
  chart: string
  namespace?: string
  kubeVersion?: string
  apiVersions?: readonly string[]
  includeCrds?: boolean
  skipTests?: boolean
  skipSchemaValidation?: boolean
  /** In order: each a `--values` file (a name with commas is split as helm splits it). */
  valueFiles?: readonly string[]
  /** `--set` / `--set-string` / `--set-file` in order, each `name=value` to Helm's strvals. */
  set?: ReadonlyArray<{name: string; value: string}>
  setString?: ReadonlyArray<{name: string; value: string}>
  setFile?: ReadonlyArray<{name: string; value: string}>
  fluxPostRender?: FluxPostRender
  /**
   * Not helm's: a chart folder whose files cannot change while the process lives (a frozen revision's), named so the
   * module loads its files once a thread (go/chart_files.go); absent, the folder is read as Helm reads it.
   */
  chartKey?: string
}

/** go/kustomize.go KustomizeBuild. */
export interface KustomizeBuild {
  dir: string
  loadRestrictionsNone?: boolean
  /**
   * `--enable-helm` (Argo CD's kustomize.buildOptions): `helmCharts` inflated by the module's own Helm
   * (go/helm_kustomize.go), from charts in the request's tree only — nothing executed or pulled.
   */
  enableHelm?: boolean
  /** With enableHelm: `--helm-kube-version` and each `--helm-api-versions`. */
  helmKubeVersion?: string
  helmApiVersions?: string[]
}
