// The module hooks of the CLI's main thread (bin/run.js registers them; Node >= 22.15 in the thread, older ones in
// Node's hooks thread through module.register). Both are for the bundle, dist/cli/ (scripts/bundle.mjs):
// - resolve: every import inside the bundle is relative, to a file of the bundle, resolved from its URL alone,
//   without the stat and realpath Node's resolver makes for each module (≈ 12 ms of CPU of a start of `gitops
//   verify`, `perf stat -r 30`);
// - load: in a release, the modules only the bundle imports are one file, dist/cli/modules.pack
//   (scripts/release/module-pack.mjs: npm installs one file much faster than 300), and such a module's source is read
//   from it at its own URL. A module the pack does not hold, and a build without a pack (a checkout's), load from
//   their files as before.
// Anything else goes to Node's own resolver and loader.
import module from 'node:module'

const requireBuiltin = module.createRequire(import.meta.url)
const {openSync, readSync} = requireBuiltin('node:fs')

const BUNDLE = new URL('../dist/cli/', import.meta.url).href
export const PACK = new URL('../dist/cli/modules.pack', import.meta.url)
const MAGIC = 'ameide-module-pack 1'

export function resolve(specifier, context, nextResolve) {
  if ((specifier.startsWith('./') || specifier.startsWith('../')) && context.parentURL?.startsWith(BUNDLE)) {
    const url = new URL(specifier, context.parentURL).href
    if (url.startsWith(BUNDLE)) return {url, shortCircuit: true}
  }
  return nextResolve(specifier, context)
}

export function load(url, context, nextLoad) {
  const source = url.startsWith(BUNDLE) ? packed(url.slice(BUNDLE.length)) : undefined
  if (source !== undefined) return {format: 'module', source, shortCircuit: true}
  return nextLoad(url, context)
}

/** @type {{fd: number, index: Record<string, [number, number]>, base: number} | null | undefined} */
let pack

/** The bytes of the module `rel` (e.g. `chunks/<name>.js`) from the pack, or undefined when it holds none such. */
function packed(rel) {
  pack ??= openPack()
  const at = pack?.index[rel]
  if (at === undefined) return undefined
  const bytes = Buffer.allocUnsafe(at[1])
  readSync(pack.fd, bytes, 0, at[1], pack.base + at[0])
  return bytes
}

/** The pack's index, its file kept open for the process; null without a pack. */
function openPack() {
  let fd
  try {
    fd = openSync(PACK, 'r')
  } catch (error) {
    if (error.code === 'ENOENT') return null
    throw error
  }
  const head = Buffer.alloc(64)
  const end = head.subarray(0, readSync(fd, head, 0, head.length, 0)).indexOf(10)
  const [magic, size] = [head.toString('latin1', 0, MAGIC.length), Number(head.toString('latin1', MAGIC.length, end))]
  if (magic !== MAGIC || end < 0 || !(size > 0)) throw new Error(`${PACK.pathname}: not a module pack of this ameide`)
  const index = Buffer.allocUnsafe(size)
  readSync(fd, index, 0, size, end + 1)
  return {fd, index: JSON.parse(index.toString('utf8')), base: end + 1 + size}
}
