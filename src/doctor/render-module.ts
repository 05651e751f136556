/**
 * The render module (src/effects/render-module): Helm's, kustomize's, go-jsonnet's and Flux's envsubst's own Go code
 * as WebAssembly, built into the package (dist/render-module/). It is the one renderer: built, it renders every chart,
 * kustomize root (a Flux Kustomization's post-build variables too) and Argo CD jsonnet — nothing to install, trusted
 * or not; without it nothing renders (render-unavailable). Read from the build's record; the WebAssembly module is not
 * started (doctor stays fast), the native helper is (./native.ts: checked, confined, its confinement read from /proc;
 * a few milliseconds), so that the engine `helm template` renders with, and why, is told as a render would find it.
 */
import {existsSync} from 'node:fs'

import {packagePath} from '../core/package-root.js'
import {renderModuleBuild, sharedRenderModule} from '../effects/render-module/host.js'
import {NATIVE_ENGINE} from '../effects/render-module/native.js'
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
  const mb = (build.bytes / 1e6).toFixed(1)
  const jsonnet = build.jsonnet ? `, jsonnet ${build.jsonnet}` : ''
  const envsubst = build.envsubst ? `, envsubst ${build.envsubst}` : ''
  const flux = build.envsubst ? `, Flux's envsubst ${build.envsubst} (post-build variables)` : ''
  const engine = (await sharedRenderModule()?.probeEngine()) ?? 'wasm'
  const catalog = kubernetes.crdCatalog ? ' and the built-in CRD catalog' : ''
  const validation =
    kubernetes.apiextensions && engine === NATIVE_ENGINE
      ? `; custom resources validated against their CRDs${catalog} by the native helper's apiextensions-apiserver ${kubernetes.apiextensions}; ${describeKubernetes(kubernetes)}`
      : `; custom resources are not validated here (they are, by the native helper on Linux x64 and arm64); ${describeKubernetes(kubernetes)}`
  return {
    id: 'render-module',
    title,
    status: 'ok',
    version: `helm ${build.helm}, kustomize ${build.kustomize}${jsonnet}${envsubst}`,
    kubernetes,
    detail: `Helm ${build.helm}, kustomize ${build.kustomize}${build.jsonnet ? ` and go-jsonnet ${build.jsonnet} (Argo CD's jsonnet)` : ''}${flux} as WebAssembly (${build.go}; ${mb} MB; sha256 ${build.sha256}): nothing to install, trusted or not${validation}; the render engine: ${engine}`,
    fix: null,
  }
}
