/**
 * The ApplicationSet template engine (src/effects/gotemplate): built into the package (dist/engine/), and started
 * once here to prove it runs on this Node — the one check that needs no tool on PATH. It shows what built the engine
 * (dist/engine/engine.json), which engine runs here (the confined native helper, or WebAssembly and why) and, when
 * the engine is missing, how this installation gets it.
 */
import {existsSync} from 'node:fs'

import {packagePath} from '../core/package-root.js'
import {
  engineBuild,
  openTemplateEngine,
  templateEngineInUse,
  TemplateEngineFailure,
  type EngineBuild,
} from '../effects/gotemplate/index.js'
import type {ProbedCheck, EngineRecord} from './types.js'

type Line = ProbedCheck

/** How this installation gets the engine: a checkout of the sources builds it; a packed package ships it. */
export function engineFix(): string {
  if (existsSync(packagePath('src/effects/gotemplate/go')))
    return `npm run build in ${packagePath('.')} (the Go module proxy reachable: the workspace's Go release, through the Go on PATH or taken itself where none can, and the libraries)`
  return 'this package was packed without it: install a release built with the engine (npm pack builds it), or a clone: npm ci && npm run build'
}

/** The record doctor shows: Go, the engine's sha256, each Go module's version and go.sum hash. */
function record(build: EngineBuild): EngineRecord {
  return {
    go: build.go,
    sha256: build.sha256 ?? null,
    modules: Object.entries(build.modules ?? {})
      .map(([name, m]) => ({path: name, version: m.version, sum: m.sum}))
      .sort((a, b) => a.path.localeCompare(b.path)),
  }
}

export async function checkTemplateEngine(): Promise<Line> {
  const title = 'ApplicationSet template engine'
  const build = engineBuild()
  if (!build) {
    return {
      id: 'template-engine',
      title,
      status: 'missing',
      version: null,
      detail: 'not built: every ApplicationSet is render-unavailable',
      fix: engineFix(),
    }
  }
  const engine = record(build)
  const sprig = build.modules?.['github.com/Masterminds/sprig/v3']?.version
  const mods = engine.modules.length > 0 ? `; ${engine.modules.length} Go modules, each pinned by go.sum` : ''
  const what =
    `Go's text/template + sprig${sprig ? ` ${sprig}` : ''} as WebAssembly (${build.go}` +
    `${mods}${engine.sha256 ? `; sha256 ${engine.sha256}` : ''})`
  try {
    const [out] = openTemplateEngine().render({
      goTemplate: true,
      options: [],
      templates: ['{{ "ok" | upper }}'],
      params: [{x: 1}],
    }).results
    if (out?.[0] !== 'OK') throw new TemplateEngineFailure(`it rendered ${JSON.stringify(out?.[0])}`)
    const runs = `${what}; the engine that runs here: ${templateEngineInUse() ?? 'wasm'}`
    return {id: 'template-engine', title, status: 'ok', version: build.go, detail: runs, fix: null, engine}
  } catch (e) {
    return {
      id: 'template-engine',
      title,
      status: 'unusable',
      version: build.go,
      detail: `${what} does not run: ${(e as Error).message}`,
      fix: engineFix(),
      engine,
    }
  }
}
