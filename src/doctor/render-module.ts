/**
 * The render module (src/effects/render-module): Helm's, kustomize's, go-jsonnet's and Flux's envsubst's own Go code,
 * as this platform's native helper and as WebAssembly — a build's dist/render-module/, or the render package npm
 * installed for the machine (src/effects/render-module/installed.ts; the line says which, and which renders). It is
 * the one renderer: it renders every chart,
 * kustomize root (a Flux Kustomization's post-build variables too) and Argo CD jsonnet — nothing to install, trusted
 * or not; without it nothing renders (render-unavailable). Read from the build's record; the WebAssembly module is not
 * started (doctor stays fast), the native helper is (./native.ts: checked, confined, its confinement read from /proc;
 * a few milliseconds), so that the engine `helm template` renders with, and why, is told as a render would find it.
 */
import {existsSync, readFileSync} from 'node:fs'

import {packagePath} from '../core/package-root.js'
import {renderModuleBuild, sharedRenderModule, type RenderModuleBuild} from '../effects/render-module/host.js'
import {installedModule, WASM_PACKAGES} from '../effects/render-module/installed.js'
import {installedNative, NATIVE_ENGINE} from '../effects/render-module/native.js'
import {builtInKubernetes, describeKubernetes} from './kubernetes.js'
import type {ProbedCheck} from './types.js'

export async function checkRenderModule(): Promise<ProbedCheck> {
  const title = 'helm, kustomize and jsonnet (render module)'
  const build = renderModuleBuild()
  const kubernetes = builtInKubernetes()
  if (!build)
    return {
      id: 'render-module',
      title,
      status: 'missing',
      version: null,
      detail:
        'not built: no chart, kustomize root or Argo CD jsonnet renders (gitops verify --render and gitops diff report each render-unavailable)',
      fix: existsSync(packagePath('src/effects/render-module/go'))
        ? `npm run build in ${packagePath('.')} (the Go module proxy reachable: it takes the workspace's Go release itself where no Go on PATH builds with it)`
        : 'install a clone: npm ci && npm run build',
      kubernetes,
    }
  const engine = (await sharedRenderModule()?.probeEngine()) ?? 'wasm'
  const renderers = installedRenderers(engine)
  const catalog = kubernetes.crdCatalog ? ' and the built-in CRD catalog' : ''
  const validation =
    kubernetes.apiextensions && engine === NATIVE_ENGINE
      ? `; custom resources validated against their CRDs${catalog} by the native helper's apiextensions-apiserver ${kubernetes.apiextensions}; ${describeKubernetes(kubernetes)}`
      : `; custom resources are not validated here (they are, by the native helper on Linux x64 and arm64); ${describeKubernetes(kubernetes)}`
  const renders = engine === NATIVE_ENGINE || renderers.wasm !== null
  return {
    id: 'render-module',
    title,
    status: renders ? 'ok' : 'unusable',
    version: `helm ${build.helm}, kustomize ${build.kustomize}${build.jsonnet ? `, jsonnet ${build.jsonnet}` : ''}${build.envsubst ? `, envsubst ${build.envsubst}` : ''}`,
    kubernetes,
    renderers,
    detail: `${renderedBy(build)}: ${describeRenderers(build, renderers)}; nothing to install, trusted or not${validation}; the render engine: ${engine}`,
    fix: renders
      ? null
      : `npm install --global --force ${WASM_PACKAGES[0]}@${cliVersion()} (the WebAssembly module renders where the native helper cannot start)`,
  }
}

const cliVersion = () => (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as {version: string}).version

/** Helm, kustomize, go-jsonnet and Flux's envsubst of the build, and the Go that compiled them. */
const renderedBy = (build: RenderModuleBuild) =>
  `Helm ${build.helm}, kustomize ${build.kustomize}${build.jsonnet ? ` and go-jsonnet ${build.jsonnet} (Argo CD's jsonnet)` : ''}${build.envsubst ? `, Flux's envsubst ${build.envsubst} (post-build variables)` : ''} (${build.go})`

/** Where each renderer comes from (src/effects/render-module/installed.ts), and the engine. */
function installedRenderers(engine: string): NonNullable<ProbedCheck['renderers']> {
  return {native: installedNative()?.from ?? null, wasm: installedModule()?.from ?? null, engine}
}

const describeRenderers = (build: RenderModuleBuild, {native, wasm}: NonNullable<ProbedCheck['renderers']>) => {
  const module = `the WebAssembly module (${(build.bytes / 1e6).toFixed(1)} MB; sha256 ${build.sha256})`
  return `the native helper ${native ? `from ${native}` : 'not installed'}, ${module} ${wasm ? `from ${wasm}` : 'not installed'}`
}
