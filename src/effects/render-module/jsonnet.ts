/**
 * Argo CD's jsonnet evaluation through the render module (./host.ts, ./go/jsonnet.go): go-jsonnet's own VM over the
 * revision in memory, as the repo-server's makeJsonnetVM sets it up (TLAs, extVars, `libs` from the repository root,
 * JPaths [app path, libs…], FileImporter) and findManifests reads its output (an array of objects or one object).
 * The module sees only the revision: an import outside it (an absolute path of the host, `../` past its root, a link
 * leading out) is not found. There is no jsonnet binary to fall back on: without the module, nothing evaluates.
 */
import {describeBreach, MODULE_LIMITS, type LimitBreach} from '../limits.js'
import type {ModuleRun, RenderModule} from './host.js'

/** One of `directory.jsonnet.tlas` or `extVars`. */
export interface JsonnetVariable {
  name: string
  value: string
  code: boolean
}

export interface JsonnetRequest {
  /** The revision's root (the repository root Argo CD resolves `libs` from), absolute. */
  revision: string
  /** The source's folder, absolute (the first JPath). */
  appPath: string
  /** The .jsonnet files to evaluate, absolute, in Argo CD's order. */
  files: string[]
  tlas: JsonnetVariable[]
  extVars: JsonnetVariable[]
  /** `directory.jsonnet.libs`, as written (relative to the repository root). */
  libs: string[]
  /** The repo-server's build environment, as far as it is known (`$ARGOCD_APP_NAME`, …). */
  env: Record<string, string>
  /** Variables whose value is not known here (the resolved revision): a TLA or extVar naming one is not evaluated. */
  unknown: string[]
}

export type JsonnetResult =
  | {ok: true; files: Array<{file: string; objects: Array<Record<string, unknown>>}>}
  | {ok: false; message: string; limit?: LimitBreach; unavailable?: true}
  | {ok: false; message: string; unknownVariable: string}

export interface Jsonnet {
  /** go-jsonnet's release, e.g. `v0.22.0`. */
  version: string
  evaluate(request: JsonnetRequest): Promise<JsonnetResult>
}

export function moduleJsonnet(module: RenderModule, version: string): Jsonnet {
  return {
    version,
    async evaluate(request) {
      const spec = {
        repoRoot: request.revision,
        appPath: request.appPath,
        files: request.files,
        tlas: request.tlas,
        extVars: request.extVars,
        libs: request.libs,
        env: request.env,
        unknown: request.unknown,
      }
      const run = await module.run({
        roots: [request.revision],
        files: {},
        cwd: request.appPath,
        commands: [['jsonnet', JSON.stringify(spec)]],
      })
      return answer(run, request.revision)
    },
  }
}

function answer(run: ModuleRun, revision: string): JsonnetResult {
  if (!run.ok)
    return 'limit' in run
      ? {ok: false, limit: run.limit, message: `jsonnet stopped: ${describeBreach(run.limit, MODULE_LIMITS)}`}
      : {ok: false, message: run.message, ...(run.unavailable && {unavailable: true as const})}
  const [result] = run.results
  if (result!.limit)
    return {ok: false, limit: result!.limit, message: `jsonnet stopped: ${describeBreach(result!.limit)}`}
  if (result!.exit !== 0) {
    const error = result!.error
    const message = relative(error?.message.trim() ?? '', revision) || `jsonnet exited ${result!.exit}`
    return error?.code === 'unknown-variable' && error.variable
      ? {ok: false, message, unknownVariable: error.variable}
      : {ok: false, message}
  }
  const files = JSON.parse(result!.stdout) as Array<{file: string; objects: Array<Record<string, unknown>>}>
  return {ok: true, files: files.map((f) => ({...f, file: relative(f.file, revision)}))}
}

/** Paths of the revision as the repository names them (the checkout's temporary folder is no part of a message). */
const relative = (text: string, revision: string) => text.replaceAll(`${revision.replace(/\/$/, '')}/`, '')
