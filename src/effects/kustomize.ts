/**
 * The standalone `kustomize` (5.x), run as a process: `kustomize build DIR`. Missing → exit 3 KUSTOMIZE_NOT_FOUND.
 * kustomize reads only (no `--enable-helm`, no exec plugins), so a render never writes to the checkout.
 */
import {runTool} from './tools.js'

export const KUSTOMIZE_INSTALL_HINT =
  'Install the standalone kustomize 5.x (bash scripts/ci/install-toolchain.sh fetches it from Debian trixie).'

/** What one `kustomize build` answered: the rendered YAML, or kustomize's own message. */
export type BuildResult = {ok: true; yaml: string} | {ok: false; message: string}

export interface Kustomize {
  build(dir: string): Promise<BuildResult>
}

/** `kustomize build` through `binary` (default `kustomize` on PATH). */
export function kustomize(binary = 'kustomize'): Kustomize {
  return {
    async build(dir) {
      const result = await runTool(binary, ['build', dir], {
        missingCode: 'KUSTOMIZE_NOT_FOUND',
        installHint: KUSTOMIZE_INSTALL_HINT,
        timeoutMs: 120_000,
      })
      if (result.exitCode === 0) return {ok: true, yaml: result.stdout}
      const message = (result.stderr || result.stdout).trim() || `kustomize exited ${result.exitCode}`
      return {ok: false, message: result.timedOut ? `${message} (timed out)` : message}
    },
  }
}
