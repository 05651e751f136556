#!/usr/bin/env node
// npm's `prepare` script. npm's git install (`npm install -g git+https://…`) clones the repository, installs its
// devDependencies and runs `prepare` — never `prepack` — before it packs the clone: without a build here the package it
// installs has no dist/ and cannot start. So: build when there is no build yet (what `prepack` does). A clone that has
// one (a developer's `npm ci` after the first build, the Action's cached checkout) is left alone: `npm run build`
// stays the way to rebuild after a pull. `npm ci` never builds here: it is the clone's own install (the README's
// `npm ci && npm run build`, the set-up, CI), which builds next anyway.
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'

if (process.env.npm_command !== 'ci' && !existsSync(new URL('../dist/cli/commands.js', import.meta.url))) {
  const npm = process.env.npm_execpath
  const [command, args] = npm ? [process.execPath, [npm]] : ['npm', []]
  const build = spawnSync(command, [...args, 'run', 'prepack'], {stdio: 'inherit'})
  process.exit(build.status ?? 1)
}
