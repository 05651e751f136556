import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync, copyFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {makeTempDir, runCleanups} from '../support/tmp.js'

/**
 * The release's modules in one file (scripts/release/module-pack.mjs) and the hooks that load them (bin/hooks.js), on
 * a bundle of the shape scripts/bundle.mjs writes: an entry, chunks it imports statically and lazily, a command's
 * module and oclif.js, a worker entry with a chunk of its own and one it shares. The real release bundle runs every kind of command in test/package/release.test.ts.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const PACKER = path.join(ROOT, 'scripts/release/module-pack.mjs')

const BUNDLE: Record<string, {text: string; imports: string[]}> = {
  'run.js': {
    text: [
      "import {a} from './chunks/a-1.js'",
      "import {Worker} from 'node:worker_threads'",
      "const {b} = await import('./chunks/b-2.js')",
      "const {c} = await import('./commands/c.js')",
      "const w = new Worker(new URL('./workers/w.js', import.meta.url))",
      "w.on('message', (m) => console.log(JSON.stringify({a, b, c, worker: m, url: import.meta.url})))",
      "w.on('error', (e) => { console.error(e.message); process.exitCode = 9 })",
      '',
    ].join('\n'),
    imports: ['chunks/a-1.js', 'chunks/b-2.js', 'commands/c.js'],
  },
  'commands/c.js': {text: "import {o} from '../oclif.js'\nexport const c = 'c ' + o\n", imports: ['oclif.js']},
  'oclif.js': {text: "export const o = 'oclif'\n", imports: []},
  'chunks/a-1.js': {text: "export const a = 'a from ' + import.meta.url.split('/').pop()\n", imports: []},
  'chunks/b-2.js': {text: "import {s} from './s-4.js'\nexport const b = 'b é ' + s\n", imports: ['chunks/s-4.js']},
  'chunks/s-4.js': {text: "export const s = 'shared'\n", imports: []},
  'workers/w.js': {
    text: "import {parentPort} from 'node:worker_threads'\nimport {w} from '../chunks/w-3.js'\nimport {s} from '../chunks/s-4.js'\nparentPort.postMessage(w + ' ' + s)\n",
    imports: ['chunks/w-3.js', 'chunks/s-4.js'],
  },
  'chunks/w-3.js': {text: "export const w = 'w'\n", imports: []},
}

let dir: string
const cli = () => path.join(dir, 'dist/cli')

/** A release's layout in `dir`: bin/hooks.js, dist/cli/ with BUNDLE, packed as the release packs it. */
function layout(target: string, pack = true): void {
  mkdirSync(path.join(target, 'bin'), {recursive: true})
  copyFileSync(path.join(ROOT, 'bin/hooks.js'), path.join(target, 'bin/hooks.js'))
  writeFileSync(path.join(target, 'package.json'), '{"type": "module"}\n')
  const outputs: Record<string, {imports: {path: string; kind: string}[]}> = {}
  for (const [rel, {text, imports}] of Object.entries(BUNDLE)) {
    const file = path.join(target, 'dist/cli', rel)
    mkdirSync(path.dirname(file), {recursive: true})
    writeFileSync(file, text)
    outputs[`dist/cli/${rel}`] = {imports: imports.map((i) => ({path: `dist/cli/${i}`, kind: 'import-statement'}))}
  }
  if (!pack) return
  const script = `import {packModules} from ${JSON.stringify(PACKER)}; console.log(packModules(process.argv[1], JSON.parse(process.argv[2]), 'dist/cli'))`
  const packed = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', script, path.join(target, 'dist/cli'), JSON.stringify(outputs)],
    {cwd: target, encoding: 'utf8'},
  )
  expect(packed.trim()).toBe('4')
}

/** Runs dist/cli/run.js with the hooks registered as bin/run.js registers them (`register`: Node's hooks thread). */
function run(target: string, how: 'registerHooks' | 'register' = 'registerHooks') {
  const hooks = path.join(target, 'bin/hooks.js')
  const start =
    how === 'registerHooks'
      ? `import module from 'node:module'; import {resolve, load} from ${JSON.stringify(hooks)}; module.registerHooks({resolve, load});`
      : `import module from 'node:module'; module.register(${JSON.stringify(`file://${hooks}`)});`
  const entry = JSON.stringify(`file://${path.join(target, 'dist/cli/run.js')}`)
  // A file, not --eval: a worker inherits the process's execArgv, and --input-type is refused there.
  writeFileSync(path.join(target, 'bin/start.js'), `${start} await import(${entry})\n`)
  return spawnSync(process.execPath, [path.join(target, 'bin/start.js')], {cwd: target, encoding: 'utf8'})
}

beforeAll(async () => {
  dir = await makeTempDir('ameide-module-pack-')
  layout(dir)
})
afterAll(runCleanups)

describe('the module pack', () => {
  it("holds the modules only the bundle imports on the main thread; its entries and a worker's modules stay files", () => {
    expect(readdirSync(path.join(cli(), 'chunks')).sort()).toEqual(['s-4.js', 'w-3.js'])
    const bytes = readFileSync(path.join(cli(), 'modules.pack'))
    const head = bytes.subarray(0, bytes.indexOf(10)).toString()
    expect(head).toMatch(/^ameide-module-pack 1 \d+$/)
    const index = JSON.parse(bytes.subarray(head.length + 1, head.length + 1 + Number(head.split(' ')[2])).toString())
    expect(Object.keys(index)).toEqual(['chunks/a-1.js', 'chunks/b-2.js', 'commands/c.js', 'oclif.js'])
    expect(readdirSync(path.join(cli(), 'commands'))).toEqual([])
    expect(existsSync(path.join(cli(), 'oclif.js'))).toBe(false)
    expect(existsSync(path.join(cli(), 'run.js'))).toBe(true)
  })

  it.each(['registerHooks', 'register'] as const)(
    'loads the packed chunks at their own URLs through the hooks (%s), and the worker its files',
    (how) => {
      const r = run(dir, how)
      expect(r.status, r.stderr).toBe(0)
      expect(JSON.parse(r.stdout)).toEqual({
        a: 'a from a-1.js',
        b: 'b é shared',
        c: 'c oclif',
        worker: 'w shared',
        url: `file://${path.join(cli(), 'run.js')}`,
      })
    },
  )

  it('is the same program as the files it packed', async () => {
    const plain = await makeTempDir('ameide-module-pack-plain-')
    layout(plain, false)
    expect(existsSync(path.join(plain, 'dist/cli/modules.pack'))).toBe(false)
    const [packed, files] = [run(dir), run(plain)]
    expect(files.status, files.stderr).toBe(0)
    expect(JSON.parse(files.stdout)).toEqual({
      ...JSON.parse(packed.stdout),
      url: `file://${path.join(plain, 'dist/cli/run.js')}`,
    })
  })

  it('refuses a file that is not a pack, naming it', async () => {
    const bad = await makeTempDir('ameide-module-pack-bad-')
    layout(bad)
    writeFileSync(path.join(bad, 'dist/cli/modules.pack'), 'not a pack\n')
    const r = run(bad)
    expect(r.status).not.toBe(0)
    expect(r.stderr).toContain(`${path.join(bad, 'dist/cli/modules.pack')}: not a module pack of this ameide`)
  })
})
