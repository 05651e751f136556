/**
 * `kustomize build DIR` as a renderer answers it (the render module's, ./render-module/kustomize.ts): what is asked,
 * what comes back, and whether a cache may keep the answer. kustomize reads only: no KRM function or exec plugin
 * runs; its Helm inflator only with `helm`, through the renderer's own Helm.
 */
import type {LimitBreach} from './limits.js'

/**
 * What one render answered: the rendered YAML, or the tool's own message; `unavailable`: not run (the render module
 * is not built, or an input is not fetched); `limit`: stopped at a limit of effects/limits.ts.
 */
export type BuildResult =
  /** `documents`: the render module's reading of `yaml` (its go/documents.go), where it gave one. */
  | {ok: true; yaml: string; documents?: string}
  | {ok: false; message: string}
  | {ok: false; unavailable: true; message: string}
  | {ok: false; limit: LimitBreach; message: string}

/** Whether a render's answer says something of its inputs, so a cache may keep it: not a tool that did not run or was stopped. */
export const rememberable = (result: BuildResult): boolean =>
  result.ok || !('unavailable' in result || 'limit' in result)

export interface BuildOptions {
  /** Files outside the kustomization's folder may be read (kustomize-controller's setting). */
  loadRestrictionsNone?: boolean
  reads?: readonly string[]
  /**
   * What the controller does to the folder `cwd` before it builds: Argo CD's kustomize options as its repo-server
   * applies them (`kustomize edit`), a Flux Kustomization's fields as kustomize-controller's generator writes them —
   * the render module's `commands`, in order (what source-controller leaves out of a GitRepository's artifact
   * first).
   */
  prepare?: {cwd: string; commands: string[][]}
  /**
   * `--enable-helm` (Argo CD's kustomize.buildOptions) with `--helm-kube-version` and each `--helm-api-versions`:
   * the kustomizations' `helmCharts` inflated by the renderer's own Helm, from charts in the files it reads only.
   */
  helm?: {kubeVersion?: string; apiVersions?: readonly string[]}
  /** Files laid over what the build reads (absolute path → text): the charts fetched for its `helmCharts`. */
  files?: Record<string, string>
}

export interface Kustomize {
  build(dir: string, options?: BuildOptions): Promise<BuildResult>
  /** What `kustomize version` says (a distribution build's `(devel)` read from its package changelog). */
  version?(): Promise<string>
  /** What confines the builds (`webassembly (go1.26.8)`), null when nothing builds. */
  sandbox?(): Promise<string | null>
}
