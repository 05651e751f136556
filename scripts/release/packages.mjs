// The render packages of a release, beside the CLI's own tarball: npm installs only the one a machine needs, as
// esbuild, biome and swc ship their native parts (package.json `optionalDependencies`, each package's `os` and `cpu`).
//
//   @ameide/render-linux-x64     os linux, cpu x64       the native render helper for Linux x64 (render-native.br)
//   @ameide/render-linux-arm64   os linux, cpu arm64     the native render helper for Linux arm64
//   @ameide/render-wasm          os !linux               the WebAssembly modules, gzipped, where no helper applies:
//                                                        render.wasm.gz and the template engine's gotemplate.wasm.gz
//   @ameide/render-wasm-linux    os linux, cpu !x64 !arm64   the same modules for Linux on other CPUs
//
// npm's platform check is a conjunction of `os` and `cpu`, so "not Linux x64 or arm64" takes two packages; each
// carries the module itself (a package depended on by both would stay installed whenever either is skipped). None
// has dependencies or scripts. The CLI's package (dist/render-module/native.json and render-module.json) records the
// sha256 of every helper and of the module: the host checks the bytes it finds against them before it uses any
// (src/effects/render-module/installed.ts), wherever npm put the package.
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {brotliCompressSync, constants} from 'node:zlib'

/**
 * A helper brotli-compressed: 37 MB to 10.6 MB, ≈ 6 s (quality 7; 11 saves 1.3 MB more in 2 minutes). Unpacked once
 * into the user's cache by the first render (src/effects/render-module/unpack.ts, ≈ 0.2 s). Deterministic.
 */
const brotli = (bytes) =>
  brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 7,
      [constants.BROTLI_PARAM_LGWIN]: 24,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  })

/** The packages, each with its files (path → {data, executable}) and its package.json. */
export function renderPackages({root, pkg, helpers, modulesGz, notices}) {
  const legal = {
    LICENSE: readFileSync(path.join(root, 'LICENSE')),
    NOTICE: readFileSync(path.join(root, 'NOTICE')),
    'THIRD-PARTY-NOTICES.txt': Buffer.from(notices),
  }
  const native = Object.entries(helpers).map(([platform, {file}]) => {
    const [os, cpu] = platform.split('-')
    return {
      name: `@ameide/render-${platform}`,
      description: `The native render helper of ameide ${pkg.version} for ${platform}: Helm, kustomize, jsonnet and the API server's validation, confined by seccomp.`,
      platform: {os: [os], cpu: [cpu]},
      files: {'render-native.br': {data: brotli(readFileSync(path.join(root, 'dist/render-module', file)))}},
    }
  })
  const wasm = (name, platform, where) => ({
    name,
    description: `The render module of ameide ${pkg.version} as WebAssembly, for ${where}: Helm, kustomize and jsonnet with no native helper.`,
    platform,
    files: Object.fromEntries(Object.entries(modulesGz).map(([name, data]) => [name, {data}])),
  })
  return [
    ...native,
    wasm('@ameide/render-wasm', {os: ['!linux']}, 'every system but Linux'),
    wasm('@ameide/render-wasm-linux', {os: ['linux'], cpu: ['!x64', '!arm64']}, 'Linux on CPUs but x64 and arm64'),
  ].map(({name, description, platform, files}) => {
    const manifest = {name, version: pkg.version, description, license: pkg.license, ...platform, preferUnplugged: true}
    const entries = {...files, ...Object.fromEntries(Object.entries(legal).map(([f, data]) => [f, {data}]))}
    entries['package.json'] = {data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`)}
    return {name, tarball: `${name.slice(1).replace('/', '-')}-${pkg.version}.tgz`, manifest, entries}
  })
}

/** The CLI package.json's optionalDependencies: every render package, at exactly this version. */
export const optionalDependencies = (packages, version) => Object.fromEntries(packages.map(({name}) => [name, version]))
