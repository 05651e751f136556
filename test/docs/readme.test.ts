import {execa} from 'execa'
import {existsSync, readFileSync, statSync} from 'node:fs'
import {mkdir, symlink} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {runCli} from '../support/cli.js'
import {makeTempDir, runCleanups} from '../support/tmp.js'
import {REPO_ROOT} from '../support/toolchain.js'
import {anchors, links, parse, tableCells, type Fence} from './markdown.js'

/**
 * The README as a newcomer meets it: its `sh runnable` blocks run in a fresh clone's environment (the set-up's
 * exports, the built `ameide` on PATH as `npm link` puts it, an empty HOME); every relative link and #anchor of it,
 * and of every page it leads to, exists as GitHub renders it; no table cell is over 300 characters; the example run
 * names real commands and flags; the generated parts (the command table, the topics' command lists) are current, and
 * `ameide --help` names every command of each topic.
 */
const README = path.join(REPO_ROOT, 'README.md')
const MAX_CELL = 300

/** Lines of runnable blocks not run here, and why. */
const NOT_RUN: Record<string, string> = {
  'npm run demo': 'rebuilds dist/ under the running suite; about a minute of real builds',
  'npm test': 'the suite itself',
}

afterAll(runCleanups)

const read = (file: string) => parse(readFileSync(file, 'utf8'))

/** README.md and every Markdown file of the repository it leads to, link by link. */
function linkedPages(): string[] {
  const pages = [README]
  for (let i = 0; i < pages.length; i++) {
    for (const {target} of links(read(pages[i]).prose)) {
      const file = resolve(pages[i], target)?.file
      if (file?.endsWith('.md') && file.startsWith(REPO_ROOT) && existsSync(file) && !pages.includes(file))
        pages.push(file)
    }
  }
  return pages
}

/** A relative link's file (a folder: its README.md when it has one) and anchor; null for a URL. */
function resolve(from: string, target: string): {file: string; anchor: string | null} | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return null
  const [file, anchor = null] = target.split('#', 2)
  const resolved = file === '' ? from : path.resolve(path.dirname(from), decodeURIComponent(file))
  const dirReadme = path.join(resolved, 'README.md')
  const isDir = existsSync(resolved) && statSync(resolved).isDirectory()
  return {file: isDir && existsSync(dirReadme) && anchor !== null ? dirReadme : resolved, anchor}
}

/** What is wrong with every relative link of these pages: a missing file or an anchor the target does not have. */
function deadLinks(pages: string[]): string[] {
  const dead: string[] = []
  for (const page of pages) {
    for (const {target, line} of links(read(page).prose)) {
      const link = resolve(page, target)
      if (!link) continue
      const where = `${path.relative(REPO_ROOT, page)}:${line} → ${target}`
      if (!existsSync(link.file)) dead.push(`${where}: no such file`)
      else if (link.anchor !== null && link.file.endsWith('.md') && !anchors(read(link.file).prose).has(link.anchor))
        dead.push(`${where}: no heading or anchor #${link.anchor}`)
    }
  }
  return dead
}

/** The environment a fresh clone has after the set-up: its exports, `ameide` on PATH, an empty HOME. */
async function cloneEnv(): Promise<Record<string, string>> {
  const bin = await makeTempDir('ameide-readme-bin-')
  await symlink(path.join(REPO_ROOT, 'bin/run.js'), path.join(bin, 'ameide'))
  const home = await makeTempDir('ameide-readme-home-')
  await mkdir(path.join(home, '.cache'), {recursive: true})
  const setup = await execa('bash', ['scripts/setup.sh'], {cwd: REPO_ROOT, env: {AMEIDE_SKIP_DOCKER_ENGINE: '1'}})
  const exported = await execa('bash', ['-c', `${setup.stdout}\nprintf %s "$PATH"`], {cwd: REPO_ROOT})
  return {PATH: `${bin}:${exported.stdout}`, HOME: home, NO_COLOR: '1'}
}

/** A runnable block as the script run: its lines but those NOT_RUN (the command before any `#` comment). */
function script(fence: Fence): {run: string; skipped: string[]} {
  const command = (line: string) => line.replace(/\s+#.*$/, '').trim()
  const skipped = fence.lines.filter((l) => command(l) in NOT_RUN).map(command)
  const run = fence.lines.filter((l) => !(command(l) in NOT_RUN)).join('\n')
  return {run: `set -euo pipefail\n${run}\n`, skipped}
}

describe('README.md', () => {
  const {prose, fences} = read(README)

  it('links and anchors: every relative one of the README and of the pages it leads to exists', () => {
    const pages = linkedPages()
    expect(pages.map((p) => path.relative(REPO_ROOT, p))).toEqual(
      expect.arrayContaining(['README.md', 'docs/setup.md', 'docs/commands/README.md', 'CONTRIBUTING.md']),
    )
    expect(deadLinks(pages)).toEqual([])
  })

  it('no table cell is over 300 characters', () => {
    const cells = tableCells(prose)
    expect(cells.length).toBeGreaterThan(50)
    const long = cells.filter((c) => c.cell.length > MAX_CELL).map((c) => `line ${c.line}: ${c.cell.length} chars`)
    expect(long).toEqual([])
  })

  it('a newcomer’s path (install, the set-up, the example) comes before any detail', () => {
    const order = ['## Install', '## Set-up', '## An example run', '## Commands', '## Performance', '## Code map']
    const at = order.map((h) => prose.findIndex((l) => l.startsWith(h)))
    expect(at.every((n) => n >= 0)).toBe(true)
    expect([...at].sort((a, b) => a - b)).toEqual(at)
    const setup = fences.find((f) => f.lines.some((l) => l.startsWith('eval "$(bash scripts/setup.sh)"')))
    expect(setup?.info).toBe('sh runnable')
    expect(setup!.lines.map((l) => l.replace(/\s+#.*$/, ''))).toEqual([
      'eval "$(bash scripts/setup.sh)"',
      'npm run demo',
      'npm test',
    ])
  })

  it('the runnable blocks run in a fresh clone’s environment (npm run demo and npm test excepted)', async () => {
    const runnable = fences.filter((f) => f.info === 'sh runnable')
    expect(runnable.length).toBeGreaterThanOrEqual(2)
    const env = await cloneEnv()
    const skipped: string[] = []
    for (const fence of runnable) {
      const {run, skipped: left} = script(fence)
      skipped.push(...left)
      const result = await execa('bash', ['-c', run], {cwd: REPO_ROOT, env, extendEnv: false, reject: false, all: true})
      expect(result.exitCode, `README.md:${fence.line}\n${run}\n${result.all}`).toBe(0)
      expect(result.all).not.toMatch(/INTERNAL_ERROR/)
    }
    expect(skipped.sort()).toEqual(Object.keys(NOT_RUN).sort())
  })

  it('the example run names real commands and their real flags', () => {
    const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'oclif.manifest.json'), 'utf8'))
    const example = fences.find((f) => f.info === 'console')
    const runs = example!.lines.filter((l) => l.startsWith('$ ameide ')).map((l) => l.slice('$ ameide '.length))
    expect(runs.length).toBeGreaterThanOrEqual(5)
    for (const run of runs) {
      const words = run.split(/\s+/)
      const n = words.findIndex((w) => w.startsWith('-'))
      const id = words.slice(0, n < 0 ? words.length : n).join(':')
      expect(manifest.commands[id], run).toBeDefined()
      const flags = new Set(Object.keys(manifest.commands[id].flags))
      for (const flag of words.filter((w) => w.startsWith('--')).map((w) => w.slice(2).replace(/=.*$/, '')))
        expect(flags.has(flag.replace(/^no-/, '')) || flags.has(flag), `${run}: --${flag}`).toBe(true)
    }
  })

  it('the generated parts are current: the command table and the topics’ command lists', async () => {
    const {generated} = (await import(path.join(REPO_ROOT, 'scripts/command-docs.mjs'))) as {
      generated: () => Record<string, string>
    }
    for (const [file, text] of Object.entries(generated()))
      expect(readFileSync(path.join(REPO_ROOT, file), 'utf8'), `${file}: run npm run manifest`).toBe(text)
  })
})

describe('ameide --help', () => {
  it('each topic’s description names every command under it', async () => {
    const {commandFiles} = (await import(path.join(REPO_ROOT, 'scripts/command-index.mjs'))) as {
      commandFiles: () => Array<{id: string}>
    }
    const {topicsOf, commandsUnder} = (await import(path.join(REPO_ROOT, 'scripts/command-docs.mjs'))) as {
      topicsOf: (ids: string[]) => string[]
      commandsUnder: (topic: string, ids: string[]) => string[]
    }
    const ids = commandFiles().map((c) => c.id)
    const topics = topicsOf(ids)
    expect(topics).toEqual(expect.arrayContaining(['primitive', 'gitops', 'primitive:gitops']))
    for (const topic of topics) {
      const parent = topic.split(':').slice(0, -1)
      const help = await runCli([...parent, '--help'], {env: {NO_COLOR: '1'}})
      const listed = help.stdout
        .slice(help.stdout.indexOf('TOPICS'), help.stdout.indexOf('COMMANDS'))
        .replace(/\s+/g, ' ')
      const name = topic.replaceAll(':', ' ')
      const entry = new RegExp(` ${name} [^]*?Commands: ([^.]*)\\.`).exec(listed)
      expect(entry, `ameide ${parent.join(' ')} --help lists ${name}`).not.toBeNull()
      expect(entry![1].split(', ')).toEqual(commandsUnder(topic, ids))
      expect(commandsUnder(topic, ids).length).toBeGreaterThan(0)
    }
    // gitops names preview, the command the old description left out.
    expect(commandsUnder('gitops', ids)).toContain('preview')
  })
})
