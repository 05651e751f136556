/**
 * The render module (src/effects/render-module): Helm's, kustomize's, go-jsonnet's and Flux's envsubst's own Go code
 * as WebAssembly, built into the package (dist/render-module/). Built, it renders every chart, kustomize root (a Flux
 * Kustomization's post-build variables too) and Argo CD jsonnet —
 * nothing to install, no sandbox needed; without it the helm and kustomize binaries render, sandboxed, and jsonnet is
 * not evaluated, nor are Flux post-build variables substituted (render-unavailable). Read from the build's record, not started:
 * doctor stays fast.
 */
import {existsSync} from 'node:fs'

import {packagePath} from '../core/package-root.js'
import {renderModuleBuild} from '../effects/render-module/host.js'
import type {ProbedCheck} from './types.js'

export function checkRenderModule(): ProbedCheck {
  const title = 'helm, kustomize and jsonnet (render module)'
  const build = renderModuleBuild()
  if (!build)
    return {
      id: 'render-module',
      title,
      status: 'missing',
      version: null,
      detail:
        process.env.AMEIDE_RENDERER === 'native'
          ? 'AMEIDE_RENDERER=native: the helm and kustomize binaries render, in the sandbox'
          : 'not built: the helm and kustomize binaries render, in the sandbox (see the helm, kustomize and sandbox lines); Argo CD jsonnet is not evaluated, Flux post-build variables not substituted',
      fix: existsSync(packagePath('src/effects/render-module/go'))
        ? `npm run build in ${packagePath('.')} (Go on PATH; the Go module proxy reachable)`
        : 'install a clone: npm ci && npm run build',
    }
  const mb = (build.bytes / 1e6).toFixed(1)
  const jsonnet = build.jsonnet ? `, jsonnet ${build.jsonnet}` : ''
  const envsubst = build.envsubst ? `, envsubst ${build.envsubst}` : ''
  const flux = build.envsubst ? `, Flux's envsubst ${build.envsubst} (post-build variables)` : ''
  return {
    id: 'render-module',
    title,
    status: 'ok',
    version: `helm ${build.helm}, kustomize ${build.kustomize}${jsonnet}${envsubst}`,
    detail: `Helm ${build.helm}, kustomize ${build.kustomize}${build.jsonnet ? ` and go-jsonnet ${build.jsonnet} (Argo CD's jsonnet)` : ''}${flux} as WebAssembly (${build.go}; ${mb} MB; sha256 ${build.sha256}): nothing to install, no sandbox needed, trusted or not`,
    fix: null,
  }
}
