/**
 * The ApplicationSet template engine (src/effects/gotemplate): built into the package (dist/engine/), and started
 * once here to prove it runs on this Node — the one check that needs no tool on PATH.
 */
import {engineBuild, openTemplateEngine, TemplateEngineFailure} from '../effects/gotemplate/index.js'
import type {DoctorCheck} from './types.js'

type Line = Omit<DoctorCheck, 'neededBy' | 'required'>

export const ENGINE_FIX =
  'In a checkout of ameide: bash scripts/setup.sh (Go 1.24 and the Go libraries from Debian), then npm run build; a packed release ships the engine'

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
      fix: ENGINE_FIX,
    }
  }
  const sprig = build.libraries['github-masterminds-sprig']
  const what = `Go's text/template + sprig${sprig ? ` ${sprig}` : ''} as WebAssembly (${build.go})`
  try {
    const [out] = openTemplateEngine().render({
      goTemplate: true,
      options: [],
      templates: ['{{ "ok" | upper }}'],
      params: [{x: 1}],
    }).results
    if (out?.[0] !== 'OK') throw new TemplateEngineFailure(`it rendered ${JSON.stringify(out?.[0])}`)
    return {id: 'template-engine', title, status: 'ok', version: build.go, detail: what, fix: null}
  } catch (e) {
    return {
      id: 'template-engine',
      title,
      status: 'unusable',
      version: build.go,
      detail: `${what} does not run: ${(e as Error).message}`,
      fix: ENGINE_FIX,
    }
  }
}
