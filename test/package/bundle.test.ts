import {readFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {Worker} from 'node:worker_threads'
import {describe, expect, it} from 'vitest'

// The built start path (scripts/bundle.mjs → dist/cli/): the explicit command index generated from
// src/commands/**, each command in its own chunk with only what it uses, and the worker threads' entry points.
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const BUNDLE = path.join(ROOT, 'dist/cli')
const meta = JSON.parse(readFileSync(path.join(ROOT, 'dist/bundle-meta.json'), 'utf8')) as Record<
  string,
  {imports: Array<{path: string; kind: string}>; inputs: string[]}
>
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'oclif.manifest.json'), 'utf8')) as {
  commands: Record<string, unknown>
}
const index = readFileSync(path.join(BUNDLE, 'commands.js'), 'utf8')

/** The chunk the index imports for command `id`. */
function commandChunk(id: string): string {
  const match = new RegExp(`${JSON.stringify(id)}: \\(\\) => import\\("\\./([^"]+)"\\)`).exec(index)
  if (!match) throw new Error(`${id} is not in the command index`)
  return match[1]
}

/**
 * Every output a chunk loads when it is imported (static imports, transitively), itself included; with `dynamic`,
 * also what it may load later through import().
 */
function loadedWith(chunk: string, seen = new Set<string>(), dynamic = false): Set<string> {
  if (seen.has(chunk)) return seen
  seen.add(chunk)
  for (const i of meta[chunk].imports) {
    if (i.kind === 'import-statement' || (dynamic && i.kind === 'dynamic-import')) loadedWith(i.path, seen, dynamic)
  }
  return seen
}

const sourcesOf = (chunks: Iterable<string>) => [...chunks].flatMap((c) => meta[c].inputs)

describe('the bundled start path', () => {
  it('indexes every command file of src/commands, and only those, as the manifest lists them', async () => {
    const {commandFiles} = (await import(path.join(ROOT, 'scripts/command-index.mjs'))) as {
      commandFiles: () => Array<{id: string}>
    }
    const ids = commandFiles().map((c) => c.id)
    expect(ids).toEqual(Object.keys(manifest.commands).sort())
    for (const id of ids) expect(meta[commandChunk(id)].inputs).toContain(`src/commands/${id.replaceAll(':', '/')}.ts`)
  })

  it('gives oclif the order localeCompare gives its commands, without the collator at start (scripts/bundle.mjs)', () => {
    const chunk = Object.entries(meta).find(([, m]) =>
      m.inputs.some((i) => i.endsWith('@oclif/core/lib/config/plugin.js')),
    )
    const text = readFileSync(path.join(BUNDLE, chunk![0]), 'utf8')
    expect(text).toContain('.sort(__ameideCommandOrder)')
    const kept = /__ameideOrder = (?:\/\* @__PURE__ \*\/ )?new Map\((\[.*?\])\);/.exec(text)
    const order = (JSON.parse(kept![1]) as Array<[string, number]>).map(([id]) => id)
    // This CLI's commands and oclif's plugins' (indexed in the release bundle), as this Node's ICU orders them.
    const ids = [
      ...Object.keys(manifest.commands),
      'autocomplete',
      'autocomplete:create',
      'autocomplete:script',
      'help',
    ]
    expect(order).toEqual(ids.sort((a, b) => a.localeCompare(b)))
  })

  it('loads oclif and the index without any command, and each command without the heavy libraries it does not use', () => {
    const start = loadedWith('run.js', loadedWith('commands.js'))
    expect(sourcesOf(start).filter((s) => s.startsWith('src/commands/'))).toEqual([])
    const heavy = [
      /node_modules\/@octokit\//,
      /node_modules\/ajv/,
      /node_modules\/yaml\//,
      /node_modules\/saxes\//,
      /src\/effects\/registry\//,
      /src\/effects\/github\/(client|transport)\.ts/,
    ]
    for (const id of ['primitive:verify', 'gitops:verify', 'primitive:scaffold', 'gitops:set-image']) {
      const sources = sourcesOf(loadedWith(commandChunk(id), new Set(start)))
      expect(sources, id).toContain(`src/commands/${id.replaceAll(':', '/')}.ts`)
      expect(
        sources.filter((s) => heavy.some((h) => h.test(s))),
        id,
      ).toEqual([])
    }
    // The GitHub client is there for the commands that call GitHub, when they run.
    const dispatch = sourcesOf(loadedWith(commandChunk('primitive:gitops:scaffold'), new Set(), true))
    expect(dispatch).toContain('src/effects/github/client.ts')
  })

  const STATIC_HTTP = /^import [^;]*from ["']node:https?["']|require\(["']node:https?["']\)/m
  // A static import of node:http evaluates undici's lazy getters (≈ 60 ms of CPU on Node 24): only the commands that
  // talk to a registry may pay it. The bundle turns a built-in's import into a require (scripts/bundle.mjs
  // builtinsByRequire); either form on the start path would load it.
  it.each(['primitive:verify', 'gitops:verify', 'primitive:scaffold', 'gitops:set-image', 'gitops:promote'])(
    'imports no node:http or node:https statically on the start path of %s',
    (id) => {
      for (const chunk of loadedWith(commandChunk(id), loadedWith('run.js', loadedWith('commands.js')))) {
        const text = readFileSync(path.join(BUNDLE, chunk), 'utf8')
        expect(text, chunk).not.toMatch(STATIC_HTTP)
      }
    },
  )

  it('keeps the registry client, and node:http with it, to the commands that use it', () => {
    const publish = [...loadedWith(commandChunk('primitive:publish'), new Set(), true)]
    expect(sourcesOf(publish).some((s) => s.startsWith('src/effects/registry/'))).toBe(true)
    const texts = publish.map((c) => readFileSync(path.join(BUNDLE, c), 'utf8'))
    expect(texts.some((t) => STATIC_HTTP.test(t))).toBe(true)
  })

  it.each([
    ['gitops-verify', {root: ROOT, policy: {}, parseEveryFile: false, hash: false}],
    ['verify', {repoRoot: ROOT, tools: {}}],
  ])('starts the %s worker from its bundle entry, which answers tasks', async (name, workerData) => {
    const worker = new Worker(path.join(BUNDLE, 'workers', `${name}.js`), {workerData})
    try {
      const messages: unknown[] = []
      await new Promise<void>((resolve, reject) => {
        worker.on('error', reject)
        worker.on('message', (m: {ready?: boolean}) => {
          messages.push(m)
          if (m.ready) worker.postMessage({index: 0, item: name === 'verify' ? {bogus: true} : []})
          else resolve()
        })
      })
      expect(messages[0]).toEqual({ready: true})
      // gitops verify scans an empty chunk to an empty list; a bogus primitive verify job fails on the worker (the
      // main thread runs it again there), answered, not crashed.
      expect(messages[1]).toEqual(name === 'verify' ? {index: 0, failed: true} : {index: 0, value: []})
    } finally {
      await worker.terminate()
    }
  })
})
