// Where the package is: the one answer for every file the CLI ships beside its code (templates/, schemas/, the
// build's generated modules and worker entries). The code itself may sit at different depths — src/ under a
// TypeScript loader, dist/ from tsc, or dist/cli/ as the esbuild bundle whose chunks are named by their content —
// so nothing is resolved relative to a module: the root is found once, here, by walking up to the package.json
// named `ameide`.
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

/** Set by scripts/bundle.mjs (esbuild `define`) to the bundle's folder under the package root; absent elsewhere. */
declare const AMEIDE_BUNDLE_DIR: string | undefined

/** The bundle's folder relative to the package root (`dist/cli`), or undefined when not running from the bundle. */
export const BUNDLE_DIR: string | undefined = typeof AMEIDE_BUNDLE_DIR === 'string' ? AMEIDE_BUNDLE_DIR : undefined

/** True when this code runs as TypeScript sources (tsx, vitest), where the build's generated files are not used. */
export const FROM_SOURCES = import.meta.url.endsWith('.ts')

/** The package root: the nearest folder above this module holding the package.json named `ameide`. */
export const PACKAGE_ROOT = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)))

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {name?: unknown}
      if (pkg.name === 'ameide') return dir
    } catch {
      // no package.json here, or not JSON: keep walking up
    }
    if (path.dirname(dir) === dir) throw new Error(`the ameide package root was not found above ${start}`)
  }
}

/** A path under the package root, e.g. `packagePath('schemas')`. */
export function packagePath(...segments: string[]): string {
  return path.join(PACKAGE_ROOT, ...segments)
}

/**
 * The module of a worker thread: in the bundle, its entry point `<bundle>/workers/<name>.js`; elsewhere (tsc's
 * dist/ or the sources) `unbundled`, the worker module beside its caller.
 */
export function workerEntry(name: string, unbundled: URL): URL {
  return BUNDLE_DIR === undefined ? unbundled : pathToFileURL(packagePath(BUNDLE_DIR, 'workers', `${name}.js`))
}
