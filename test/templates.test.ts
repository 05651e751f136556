import {execFile} from 'node:child_process'
import {mkdir, mkdtemp, readdir, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {promisify} from 'node:util'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {KINDS, type Kind} from '../src/primitives/kinds.js'
import {LAYOUTS, templatePath} from '../src/primitives/layout.js'
import {renderTemplateFile, TEMPLATES_DIR, templateVariables} from '../src/scaffold/render.js'

const run = promisify(execFile)
const ROOT = fileURLToPath(new URL('../', import.meta.url))
const TSC = path.join(ROOT, 'node_modules/.bin/tsc')
const TYPE_ROOTS = path.join(ROOT, 'node_modules/@types')
const NAME = 'sample-name'

/** Every file under templates/<kind>/, relative to templates/. */
async function templateFiles(kind: Kind): Promise<string[]> {
  const entries = await readdir(path.join(TEMPLATES_DIR, kind), {recursive: true, withFileTypes: true})
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(TEMPLATES_DIR, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort()
}

/** Renders every layout file of kind: path relative to the primitive → content. */
async function renderKind(kind: Kind): Promise<Map<string, string>> {
  const variables = templateVariables(kind, NAME)
  const rendered = new Map<string, string>()
  for (const file of LAYOUTS[kind]) {
    rendered.set(file.path, await renderTemplateFile(templatePath(kind, file), variables))
  }
  return rendered
}

async function writeTree(dir: string, files: Map<string, string>): Promise<void> {
  for (const [rel, content] of files) {
    const target = path.join(dir, rel)
    await mkdir(path.dirname(target), {recursive: true})
    await writeFile(target, content)
  }
}

/** Runs a command and returns its combined output, or throws with it. */
async function check(cmd: string, args: string[], cwd: string): Promise<string> {
  try {
    const {stdout, stderr} = await run(cmd, args, {cwd, maxBuffer: 16 * 1024 * 1024})
    return stdout + stderr
  } catch (error) {
    const e = error as {stdout?: string; stderr?: string; message: string}
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${e.stdout ?? ''}${e.stderr ?? ''}\n${e.message}`)
  }
}

const LANGUAGE_FILES: Record<Kind, RegExp> = {
  domain: /\.go$/,
  process: /\.go$/,
  projection: /\.go$/,
  integration: /\.go$/,
  agent: /\.py$/,
  uisurface: /\.ts$/,
}

const TEST_FILE = /(_test\.go|(^|\/)test_[^/]*\.py|\.test\.ts)$/

let workDir: string
beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'ameide-templates-'))
})
afterAll(async () => {
  await rm(workDir, {recursive: true, force: true})
})

describe.each(KINDS)('templates/%s', (kind) => {
  it('has exactly one template per layout entry', async () => {
    const expected = LAYOUTS[kind].map((file) => templatePath(kind, file)).sort()
    expect(await templateFiles(kind)).toEqual(expected)
  })

  it('renders deterministically, with no leftover placeholders', async () => {
    const first = await renderKind(kind)
    const second = await renderKind(kind)
    expect([...second.entries()]).toEqual([...first.entries()])
    for (const [rel, content] of first) {
      expect(content, rel).not.toContain('{{')
    }
  })

  it('contains no floating image tags, deploy manifests or backlog references', async () => {
    for (const [rel, content] of await renderKind(kind)) {
      expect(content, rel).not.toMatch(/:(dev|main|latest)\b/)
      expect(content, rel).not.toMatch(/kind: (Deployment|Service|StatefulSet|Application)\b/)
      expect(content, rel).not.toMatch(/apiVersion: (apps|argoproj)/)
      expect(content, rel).not.toMatch(/\bbacklog\b/i)
      expect(rel).not.toMatch(/(^|\/)internal\/gen\//)
    }
  })

  it('marks every test with AMEIDE_SCAFFOLD', async () => {
    const tests = [...(await renderKind(kind)).entries()].filter(([rel]) => TEST_FILE.test(rel))
    expect(tests.length).toBeGreaterThan(0)
    for (const [rel, content] of tests) {
      expect(content, rel).toContain('AMEIDE_SCAFFOLD')
      expect(content, rel).not.toMatch(/t\.Skip|pytest\.mark\.skip|pytest\.skip|\.skip\(|go:build/)
    }
  })

  it('pins every Dockerfile base image to an explicit version tag and a digest', async () => {
    const dockerfiles = [...(await renderKind(kind)).entries()].filter(([rel]) => /(^|\/)Dockerfile$/.test(rel))
    expect(dockerfiles.length).toBeGreaterThan(0)
    for (const [rel, content] of dockerfiles) {
      const froms = content.split('\n').filter((line) => /^FROM\s/i.test(line))
      expect(froms.length, rel).toBeGreaterThan(0)
      for (const line of froms) {
        const image = line.split(/\s+/)[1]
        expect(image, `${rel}: ${line}`).toMatch(/^[^:@\s]+:\d[\w.-]*@sha256:[0-9a-f]{64}$/)
      }
    }
  })

  it(`passes the ${kind} language check`, async () => {
    const files = await renderKind(kind)
    const dir = path.join(workDir, kind, NAME)
    await writeTree(dir, files)
    const sources = [...files.keys()].filter((rel) => LANGUAGE_FILES[kind].test(rel))
    expect(sources.length).toBeGreaterThan(0)

    if (kind === 'agent') {
      await check('python3', ['-m', 'py_compile', ...sources], dir)
      return
    }
    if (kind === 'uisurface') {
      await writeFile(
        path.join(dir, 'sdk-stub.d.ts'),
        "declare module '@ameideio/ameide-sdk-ts/proto.js' {\n  export const stub: unique symbol\n}\n",
      )
      await writeFile(
        path.join(dir, 'tsconfig.check.json'),
        JSON.stringify({
          extends: './tsconfig.json',
          compilerOptions: {noEmit: true, typeRoots: [TYPE_ROOTS]},
          include: ['src/**/*.ts', 'tests/**/*.ts', 'sdk-stub.d.ts'],
        }),
      )
      await check(TSC, ['-p', 'tsconfig.check.json'], dir)
      return
    }
    const unformatted = await check('gofmt', ['-l', '-e', ...sources], dir)
    expect(unformatted.trim(), 'files gofmt would change').toBe('')
  })
})
