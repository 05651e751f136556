/**
 * Where this installation's renderers are. A checkout's build (and `npm pack`) has them in the package:
 * dist/render-module/native/render-native-<platform> and dist/render-module/render.wasm. A release has them in render
 * packages of their own (scripts/release/packages.mjs), the CLI's optionalDependencies, of which npm installs the one
 * whose `os` and `cpu` match: `@ameide/render-linux-x64` or `-linux-arm64` (the native helper, `render-native.br`),
 * else `@ameide/render-wasm` or `@ameide/render-wasm-linux` (the WebAssembly modules: `render.wasm.gz` and the
 * ApplicationSet template engine's `gotemplate.wasm.gz`). They are found as
 * Node resolves a package from the CLI's own folder — nested under it, hoisted beside it, or a sibling in a global
 * prefix — and whatever is found is checked against the sha256 the CLI's records hold before it is used
 * (./native.ts, ./bytes.ts): a package is where the bytes come from, never what vouches for them.
 */
import {existsSync} from 'node:fs'
import {createRequire} from 'node:module'
import path from 'node:path'

import {packagePath} from '../../core/package-root.js'

/** The render package of a native helper, by platform (`linux-x64`). */
export const nativePackage = (platform: string) => `@ameide/render-${platform}`

/** The render packages that carry the WebAssembly module. */
export const WASM_PACKAGES = ['@ameide/render-wasm', '@ameide/render-wasm-linux'] as const

/** A renderer's file and where it comes from: `this build` (dist/) or the package's name. */
export interface Installed {
  file: string
  from: string
}

/**
 * The folder of an installed package, as Node resolves it from the CLI's package (`from`: its package.json); undefined
 * when none is.
 */
export function packageDir(name: string, from = packagePath('package.json')): string | undefined {
  try {
    return path.dirname(createRequire(from).resolve(`${name}/package.json`))
  } catch {
    return undefined
  }
}

/**
 * The native helper of `platform` this installation has, or undefined: the build's executable (`file`, under
 * dist/render-module), else its package's, brotli-compressed (`render-native.br`: 11 MB instead of 37, unpacked once
 * into the user's cache by ./unpack.ts).
 */
export function installedHelper(platform: string, file: string): Installed | undefined {
  const built = packagePath('dist/render-module', file)
  if (existsSync(built)) return {file: built, from: 'this build'}
  return inPackage(nativePackage(platform), 'render-native.br')
}

/**
 * A WebAssembly module this installation has, or undefined: the build's (`built`, or `built`.gz), else the first
 * WebAssembly package's `packed` (render.wasm.gz, gotemplate.wasm.gz).
 */
export function installedWasm(built: string, packed: string): Installed | undefined {
  for (const file of [built, `${built}.gz`]) if (existsSync(file)) return {file, from: 'this build'}
  for (const name of WASM_PACKAGES) {
    const found = inPackage(name, packed)
    if (found) return found
  }
  return undefined
}

/** Where a build's render module is: `AMEIDE_RENDER_MODULE`, else dist/render-module/render.wasm. */
export const builtModulePath = () => process.env.AMEIDE_RENDER_MODULE ?? packagePath('dist/render-module/render.wasm')

/** The render module (Helm, kustomize, jsonnet) as WebAssembly. */
export const installedModule = (wasm = builtModulePath()) => installedWasm(wasm, 'render.wasm.gz')

function inPackage(name: string, file: string): Installed | undefined {
  const dir = packageDir(name)
  const found = dir && path.join(dir, file)
  return found && existsSync(found) ? {file: found, from: name} : undefined
}
