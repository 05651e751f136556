/**
 * The standalone `kustomize` (5.x), run as a process: `kustomize build DIR`. Missing → exit 3 KUSTOMIZE_NOT_FOUND.
 * kustomize reads only: never `--enable-helm`, `--enable-alpha-plugins` or `--enable-exec` (no KRM function, exec
 * plugin or Helm inflator runs), with the allow-listed environment of effects/tools.ts and a private, empty home.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {describeBreach, RENDER_LIMITS, type LimitBreach} from './limits.js'
import {sandboxFor, type Confinement} from './sandbox.js'
import {runTool} from './tools.js'

export const KUSTOMIZE_INSTALL_HINT =
  'Install the standalone kustomize 5.x (bash scripts/ci/install-toolchain.sh fetches it from Debian trixie).'

/**
 * What one render answered: the rendered YAML, or the tool's own message; `unavailable`: not run (no sandbox for an
 * untrusted revision); `limit`: stopped at a limit of effects/limits.ts.
 */
export type BuildResult =
  | {ok: true; yaml: string}
  | {ok: false; message: string}
  | {ok: false; unavailable: true; message: string}
  | {ok: false; limit: LimitBreach; message: string}

/** Whether a render's answer says something of its inputs, so a cache may keep it: not a tool that did not run or was stopped. */
export const preparedByModule = (what: string) =>
  `kustomize did not run: ${what} as the controller applies them only through the render module, which this installation lacks (npm run build)`

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
   * first). Only the render module runs them: elsewhere the build is unavailable.
   */
  prepare?: {cwd: string; commands: string[][]; what: string}
}

export interface Kustomize {
  build(dir: string, options?: BuildOptions): Promise<BuildResult>
  /** What `kustomize version` says (a distribution build's `(devel)` read from its package changelog). */
  version?(): Promise<string>
  /** The sandbox builds run in (`bubblewrap 0.8.0`), null when they run unconfined. */
  sandbox?(): Promise<string | null>
}

/**
 * `kustomize build` through `binary` (default `kustomize` on PATH); `known`: its `version` answer remembered for this
 * very binary (effects/tools.ts binaryIdentity), then `version` runs nothing. With a `confinement`, each build runs
 * in the sandbox seeing only its folder and the `reads` it names, within RENDER_LIMITS.
 */
export function kustomize(binary = 'kustomize', known?: string, confinement?: Confinement): Kustomize {
  let version: Promise<string> | undefined = known === undefined ? undefined : Promise.resolve(known)
  return {
    async build(dir, options) {
      if (options?.prepare) return {ok: false, unavailable: true, message: preparedByModule(options.prepare.what)}
      const jail = await sandboxFor(confinement, [dir, ...(options?.reads ?? [])])
      if ('unavailable' in jail)
        return {ok: false, unavailable: true, message: `kustomize did not run: ${jail.unavailable}`}
      const home = mkdtempSync(path.join(os.tmpdir(), 'ameide-kustomize-'))
      const args = [
        'build',
        dir,
        ...(options?.loadRestrictionsNone ? ['--load-restrictor', 'LoadRestrictionsNone'] : []),
      ]
      const result = await runTool(binary, args, {
        missingCode: 'KUSTOMIZE_NOT_FOUND',
        installHint: KUSTOMIZE_INSTALL_HINT,
        isolatedHome: home,
        ...jail,
        limits: RENDER_LIMITS,
      }).finally(() => rmSync(home, {recursive: true, force: true}))
      if (result.limit)
        return {ok: false, limit: result.limit, message: `kustomize build stopped: ${describeBreach(result.limit)}`}
      if (result.exitCode === 0) return {ok: true, yaml: result.stdout}
      const message = (result.stderr || result.stdout).trim() || `kustomize exited ${result.exitCode}`
      return {ok: false, message: result.timedOut ? `${message} (timed out)` : message}
    },
    async sandbox() {
      const probe = await confinement?.sandbox
      return probe?.available ? `${probe.kind} ${probe.version}` : null
    },
    version() {
      // Asked once per run (the report and the render cache key read it).
      version ??= (async () => {
        const home = mkdtempSync(path.join(os.tmpdir(), 'ameide-kustomize-'))
        const result = await runTool(binary, ['version'], {
          missingCode: 'KUSTOMIZE_NOT_FOUND',
          installHint: KUSTOMIZE_INSTALL_HINT,
          timeoutMs: 10_000,
          isolatedHome: home,
        }).finally(() => rmSync(home, {recursive: true, force: true}))
        const said = result.stdout.trim().split(/\s+/)[0] ?? ''
        if (said && said !== '(devel)') return said
        return (await debianVersion(binary)) ?? (said || 'unknown')
      })()
      return version
    },
  }
}

/** A Debian build says `(devel)`: its version is the first line of the package's changelog beside the binary. */
async function debianVersion(binary: string): Promise<string | undefined> {
  const [{existsSync, readFileSync, realpathSync}, path, {gunzipSync}] = await Promise.all([
    import('node:fs'),
    import('node:path'),
    import('node:zlib'),
  ])
  try {
    const found = binary.includes('/')
      ? binary
      : (process.env.PATH ?? '')
          .split(path.delimiter)
          .map((d) => path.join(d, binary))
          .find((f) => existsSync(f))
    if (!found) return undefined
    const usr = path.dirname(path.dirname(realpathSync(found)))
    const log = gunzipSync(readFileSync(path.join(usr, 'share', 'doc', 'kustomize', 'changelog.Debian.gz'))).toString(
      'utf8',
    )
    return /^kustomize \(([^)]+)\)/.exec(log)?.[1]
  } catch {
    return undefined
  }
}
