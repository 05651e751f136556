/**
 * `kustomize build` through the render module (./host.ts): kustomize's own build command over the folders the
 * caller names, in memory, asked as data (./commands.ts KustomizeBuild) — in the native helper where it runs
 * (go/kustomize_fs.go), with Argo CD's edits or Flux's steps before it, else in WebAssembly. No plugin, exec or
 * container function can run: the module has nothing to run them with. `helmCharts` inflate (options.helm) through
 * the module's own Helm (go/helm_kustomize.go), from charts in what it is given, never pulled.
 */
import {describeBreach, MODULE_LIMITS, overObjects} from '../limits.js'
import type {BuildResult, Kustomize} from '../kustomize.js'
import type {ModuleCommand} from './commands.js'
import type {RenderModule} from './host.js'
import {sandboxOf} from './native.js'

export function moduleKustomize(module: RenderModule): Kustomize {
  return {
    async build(dir, options) {
      const helm = options?.helm
      const build: ModuleCommand = {
        kustomizeBuild: {
          dir,
          loadRestrictionsNone: options?.loadRestrictionsNone === true,
          ...(helm
            ? {enableHelm: true, helmKubeVersion: helm.kubeVersion, helmApiVersions: [...(helm.apiVersions ?? [])]}
            : {}),
        },
        documents: true,
      }
      // What the controller does to the folder first, run in it: its writes end with the request.
      const prepare = options?.prepare?.commands ?? []
      // The caller's first read is its own temporary folder (a wrapper), the rest the revision: kept per thread.
      const [wrapper, ...revision] = options?.reads ?? []
      const run = await module.run({
        roots: revision,
        transient: [wrapper ?? dir],
        files: options?.files ?? {},
        cwd: options?.prepare?.cwd ?? '/',
        commands: [...prepare, build],
      })
      return answer(run)
    },
    version: () => Promise.resolve(module.build.kustomize),
    sandbox: () => Promise.resolve(sandboxOf(module.engine(), module.build.go)),
  }
}

function answer(run: Awaited<ReturnType<RenderModule['run']>>): BuildResult {
  if (!run.ok)
    return 'limit' in run
      ? {ok: false, limit: run.limit, message: `kustomize build stopped: ${describeBreach(run.limit, MODULE_LIMITS)}`}
      : {ok: false, message: run.message, ...(run.unavailable && {unavailable: true as const})}
  const result = run.results.at(-1)
  if (result!.limit)
    return {ok: false, limit: result!.limit, message: `kustomize build stopped: ${describeBreach(result!.limit)}`}
  if (result!.exit !== 0)
    return {
      ok: false,
      message: result!.error ? `Error: ${result!.error.message.trim()}` : `kustomize exited ${result!.exit}`,
    }
  if (overObjects(result!.stdout, MODULE_LIMITS.objects))
    return {ok: false, limit: 'objects', message: `kustomize build stopped: ${describeBreach('objects')}`}
  return {ok: true, yaml: result!.stdout, ...(result!.documents ? {documents: result!.documents} : {})}
}
