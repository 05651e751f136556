// The commands of the CLI as oclif names them, from the files of src/commands/** (scripts/bundle.mjs generates the
// bundle's explicit command index from this list; test/package/bundle.test.ts checks it against the manifest).
import {readdirSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const COMMANDS_DIR = fileURLToPath(new URL('../src/commands', import.meta.url))

/** oclif's command ids of the command files under `dir` (`a/b/c.ts` → `a:b:c`, `a/index.ts` → `a`), sorted. */
export function commandFiles(dir = COMMANDS_DIR) {
  return readdirSync(dir, {recursive: true})
    .map((f) => f.split(path.sep).join('/'))
    .filter((f) => /\.ts$/.test(f) && !/\.(d|test|spec)\.ts$/.test(f))
    .map((file) => {
      const parts = file.replace(/\.ts$/, '').split('/')
      if (parts.at(-1) === 'index') parts.pop()
      return {id: parts.join(':'), file: path.join(dir, file)}
    })
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}
