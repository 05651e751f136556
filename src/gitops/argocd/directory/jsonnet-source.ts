/**
 * The jsonnet of an Argo CD directory source: its .jsonnet files (./directory.ts selects them with the YAML and
 * JSON), `directory.jsonnet` (`tlas`, `extVars` — each a string or, with `code: true`, jsonnet code — and `libs`) and
 * the repo-server's build environment its values may name (argoproj/argo-cd reposerver/repository/repository.go
 * newEnv, makeJsonnetVM: `$ARGOCD_APP_NAME`, `$ARGOCD_APP_NAMESPACE`, `$ARGOCD_APP_PROJECT_NAME`,
 * `$ARGOCD_APP_SOURCE_REPO_URL`, `$ARGOCD_APP_SOURCE_PATH`, `$ARGOCD_APP_SOURCE_TARGET_REVISION`). The revision
 * Argo CD resolves (`$ARGOCD_APP_REVISION`, `…_SHORT`, `…_SHORT_8`) is not known here: a value naming it is not
 * evaluated (render-unavailable). Evaluated by src/gitops/argocd/directory/jsonnet.ts.
 */
import type {JsonnetSource} from '../../model/model.js'
import type {JsonnetVariable} from '../../model/model.js'
import type {DeployablesContext} from '../../model/context.js'
import type {DirectorySelection} from './directory.js'
import {argoEnv, isMap, str} from '../../model/source-helpers.js'
import {filesUnder, jsonnetLibs} from '../../model/source-inputs.js'
import type {ArgoApplication} from '../../model/types.js'

export {UNKNOWN_VARIABLES} from '../../model/source-helpers.js'

/**
 * The source's jsonnet and what it reads (jsonnet imports whatever it likes: the folder and the libraries' folders are
 * named as its inputs), or nothing when the selection holds no .jsonnet file.
 */
export function jsonnetSource(
  selection: DirectorySelection,
  source: Record<string, unknown>,
  dir: string,
  app: ArgoApplication,
  ctx: DeployablesContext,
): {jsonnet?: JsonnetSource; reads: string[]} {
  if (selection.jsonnet.length === 0) return {reads: []}
  const options = isMap(source.directory) && isMap(source.directory.jsonnet) ? source.directory.jsonnet : {}
  const jsonnet: JsonnetSource = {
    files: selection.jsonnet,
    tlas: variables(options.tlas),
    extVars: variables(options.extVars),
    libs: Array.isArray(options.libs) ? options.libs.filter((l): l is string => typeof l === 'string') : [],
    env: argoEnv(app, source),
  }
  return {jsonnet, reads: [...filesUnder(ctx, dir), ...jsonnetLibs(source, ctx)]}
}

/** `tlas` / `extVars`: entries with a name; a missing value is empty (Go's zero value), `code` false unless true. */
function variables(list: unknown): JsonnetVariable[] {
  if (!Array.isArray(list)) return []
  return list.filter(isMap).map((v) => ({
    name: str(v.name) ?? '',
    value: typeof v.value === 'string' ? v.value : v.value === undefined ? '' : String(v.value),
    code: v.code === true,
  }))
}
