/**
 * The .jsonnet files of an Argo CD directory source, evaluated as the repo-server evaluates them (argoproj/argo-cd
 * reposerver/repository/repository.go findManifests, makeJsonnetVM) by the render module's go-jsonnet
 * (effects/render-module/jsonnet.ts), over the revision in memory. A file holding `+argocd:skip-file-rendering` is
 * skipped, as Argo CD skips it. Without the module, or when a TLA or extVar names the revision Argo CD resolves
 * (unknown here), the source is render-unavailable, named; an evaluation error fails it, with go-jsonnet's message;
 * a limit of the module reached (time, memory, output, objects) is a render-limit.
 */
import {readFileSync} from '../../../core/memory-fs/index.js'
import path from 'node:path'

import type {Jsonnet} from '../../../effects/render-module/jsonnet.js'
import type {DirectoryDeployable} from '../../model/model.js'
import {UNKNOWN_VARIABLES} from './jsonnet-source.js'
import {decodeManifest, SKIP_MARKER} from './render.js'
import type {Doc} from '../../kubernetes/objects.js'

export type JsonnetEvaluation =
  {ok: true; docs: Map<string, Doc[]>} | {ok: false; status: 'failed' | 'unavailable'; message: string; limit?: boolean}

/** The documents each .jsonnet file of `d` evaluates to (repo-relative file → objects, in the file's order). */
export async function evaluateDirectoryJsonnet(
  d: DirectoryDeployable,
  root: string,
  jsonnet: Jsonnet | undefined,
): Promise<JsonnetEvaluation> {
  const docs = new Map<string, Doc[]>()
  const source = d.jsonnet
  if (!source) return {ok: true, docs}
  const files = source.files.filter((f) => !skipped(root, f))
  for (const f of source.files) if (!files.includes(f)) docs.set(f, [])
  if (files.length === 0) return {ok: true, docs}
  if (!jsonnet) return {ok: false, status: 'unavailable', message: unavailableMessage(files)}
  const result = await jsonnet.evaluate({
    revision: root,
    appPath: path.join(root, d.dir),
    files: files.map((f) => path.join(root, f)),
    tlas: source.tlas,
    extVars: source.extVars,
    libs: source.libs,
    env: source.env,
    unknown: UNKNOWN_VARIABLES,
  })
  if (!result.ok) {
    if ('unavailable' in result && result.unavailable)
      return {ok: false, status: 'unavailable', message: result.message}
    return 'unknownVariable' in result
      ? {
          ok: false,
          status: 'unavailable',
          message: `its jsonnet TLAs or extVars name $${result.unknownVariable}, the commit Argo CD resolves the target revision to, which ameide does not substitute: what it deploys is not rendered or judged.`,
        }
      : {
          ok: false,
          status: 'failed',
          message: result.message,
          ...('limit' in result && result.limit ? {limit: true} : {}),
        }
  }
  for (const f of result.files) docs.set(f.file, f.objects)
  return {ok: true, docs}
}

/** Argo CD reads every candidate file and skips one holding the marker, .jsonnet files too. */
function skipped(root: string, file: string): boolean {
  try {
    return decodeManifest(readFileSync(path.join(root, file))).includes(SKIP_MARKER)
  } catch {
    return false // unreadable: go-jsonnet says why
  }
}

function unavailableMessage(files: string[]): string {
  const named = `${files.slice(0, 3).join(', ')}${files.length > 3 ? ', …' : ''}`
  return `holds jsonnet (${named}), which Argo CD evaluates with go-jsonnet: ameide evaluates it only with its render module (go-jsonnet as WebAssembly), which is not built (npm run build), so what it deploys is not rendered or judged.`
}
