/**
 * A Flux Kustomization's post-build variable substitution through the render module (./host.ts, ./go/flux.go):
 * kustomize-controller's per-resource step around fluxcd/pkg's own envsubst, over a root's built YAML. Each resource's
 * YAML is substituted (`${var}`, `${var:=default}`, `${var^^}`, `${var:0:3}`, `${var/old/new}`, `${#var}`, …; `$${…}`
 * kept literal), strict as the controller is by default (a variable with no value and no default is an error), a
 * resource labeled or annotated `kustomize.toolkit.fluxcd.io/substitute: disabled` left as it is, and read back as
 * YAML (a value that breaks it is an error, as in the cluster). There is no binary to fall back on: without the
 * module, nothing is substituted.
 */
import {describeBreach, MODULE_LIMITS, overObjects, type LimitBreach} from '../limits.js'
import type {ModuleRun, RenderModule} from './host.js'

export interface PostBuildRequest {
  /** The root's built YAML (`kustomize build`'s output). */
  yaml: string
  /** substituteFrom's ConfigMaps' and Secrets' data, merged in order, postBuild.substitute's over them. */
  vars: Readonly<Record<string, string>>
  /** postBuild.substituteStrategy: Always (substitute even with no variable). */
  always: boolean
}

export type PostBuildResult =
  {ok: true; yaml: string} | {ok: false; message: string; limit?: LimitBreach; unavailable?: true}

export interface FluxPostBuild {
  /** fluxcd/pkg envsubst's release, e.g. `v1.8.0`. */
  version: string
  substitute(request: PostBuildRequest): Promise<PostBuildResult>
}

/** Where the built YAML is handed to the module (its own file system: nothing of the host's is there). */
const BUILT = '/.ameide/flux-built.yaml'

export function moduleFluxPostBuild(module: RenderModule, version: string): FluxPostBuild {
  return {
    version,
    async substitute(request) {
      // Strict: kustomize-controller's StrictPostBuildSubstitutions feature gate, on unless its operator turns it off.
      const spec = {file: BUILT, vars: request.vars, strict: true, always: request.always}
      const run = await module.run({
        roots: [],
        files: {[BUILT]: request.yaml},
        cwd: '/',
        commands: [['flux', 'substitute', JSON.stringify(spec)]],
      })
      return answer(run)
    },
  }
}

function answer(run: ModuleRun): PostBuildResult {
  if (!run.ok)
    return 'limit' in run
      ? {ok: false, limit: run.limit, message: `post-build stopped: ${describeBreach(run.limit, MODULE_LIMITS)}`}
      : {ok: false, message: run.message, ...(run.unavailable && {unavailable: true as const})}
  const [result] = run.results
  if (result!.limit)
    return {ok: false, limit: result!.limit, message: `post-build stopped: ${describeBreach(result!.limit)}`}
  if (result!.exit !== 0)
    return {ok: false, message: result!.error?.message.trim() || `post-build exited ${result!.exit}`}
  if (overObjects(result!.stdout, MODULE_LIMITS.objects))
    return {ok: false, limit: 'objects', message: `post-build stopped: ${describeBreach('objects')}`}
  return {ok: true, yaml: result!.stdout}
}
