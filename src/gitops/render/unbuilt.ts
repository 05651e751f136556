/**
 * What renders when the render module is not built (a source checkout built without Go; the release tarball always
 * carries it): nothing. Every kustomize root and Helm deployable is render-unavailable with this one reason, so a
 * diff is incomplete and `verify --render` fails (render-unavailable is then an error: commands/gitops/verify.ts).
 */
import type {Kustomize} from '../../effects/kustomize.js'

/** Why nothing rendered, and the fix. */
export const MODULE_NOT_BUILT =
  'the render module is not built (dist/render-module): run npm run build with the Go module proxy reachable (it takes the Go release itself where no Go on PATH builds with it), or install the release tarball, which always carries it'

export const unbuiltKustomize: Kustomize = {
  build: () => Promise.resolve({ok: false, unavailable: true, message: `kustomize did not run: ${MODULE_NOT_BUILT}`}),
  version: () => Promise.resolve('not built'),
}
