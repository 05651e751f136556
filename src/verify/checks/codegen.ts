import {createHash} from 'node:crypto'
import {mkdtemp, readdir, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {bufGenerate} from '../../effects/buf.js'
import {listFiles} from '../files.js'
import type {Check, Finding, PrimitiveContext} from '../types.js'

/** Folders Buf owns (safe to delete and regenerate); a `buf.gen*.yaml` may only write under these. */
export const GENERATED_ROOTS = [
  /^primitives\/[^/]+\/[^/]+\/internal\/gen(\/|$)/,
  /^build\/generated(\/|$)/,
  /^packages\/ameide_sdk_ts\/src\/_proto(\/|$)/,
  /^packages\/ameide_sdk_python\/src\/ameide_sdk\/_proto(\/|$)/,
  /^packages\/ameide_sdk_go\/internal\/proto(\/|$)/,
  /^packages\/ameide_sdk_go\/proto(\/|$)/,
]
const ROOTS_TEXT =
  'primitives/<kind>/<name>/internal/gen, build/generated, packages/ameide_sdk_ts/src/_proto, packages/ameide_sdk_python/src/ameide_sdk/_proto, packages/ameide_sdk_go/internal/proto, packages/ameide_sdk_go/proto'

const TEMPLATE_NAME = /^buf\.gen.*\.ya?ml$/
/** Repository folders that hold shared Buf templates (besides the primitive's own folder). */
const SHARED_TEMPLATE_DIRS = ['', 'packages/ameide_core_proto']

interface Template {
  /** Repo-relative path. */
  repoPath: string
  text: string
  version: string
  outs: {out: string; repoOut: string}[]
  hasInputs: boolean
}

const BUF_INSTALL_HINT =
  'Install buf: `npm install --save-dev @bufbuild/buf` (then it is found in node_modules/.bin), or see https://buf.build/docs/installation.'

export const codegenCheck: Check = {
  id: 'codegen',
  summary:
    'generated code matches a fresh `buf generate` (in a temporary directory); buf.gen*.yaml outputs stay in generated roots',
  skipReason: () => null,
  async run(ctx) {
    const templates = (await templatesFor(ctx)).sort((a, b) => a.repoPath.localeCompare(b.repoPath))
    const genFiles = ctx.files.filter((f) => f.rel.startsWith('internal/gen/'))
    if (templates.length === 0 && genFiles.length === 0) {
      return {
        status: 'skip',
        findings: [],
        note: 'no generated code: no buf.gen*.yaml targets this primitive and there is no internal/gen/',
      }
    }
    const findings: Finding[] = []
    for (const t of templates) findings.push(...outGuard(t))
    if (templates.length === 0) {
      findings.push({
        rule: 'codegen-no-template',
        severity: 'error',
        file: `${ctx.path}/internal/gen`,
        line: 0,
        message: `${ctx.path}/internal/gen/ holds ${genFiles.length} generated file(s) but no buf.gen*.yaml writes there, so it cannot be regenerated.`,
        hint: `Add packages/ameide_core_proto/buf.gen.${ctx.kind}-${ctx.name}.local.yaml with an out under ${ctx.path}/internal/gen, or remove the stale folder.`,
      })
      return {findings}
    }
    if (findings.length > 0) return {findings}
    if (!ctx.tools.buf) {
      return {
        findings: [
          {
            rule: 'tool-missing',
            severity: 'error',
            file: templates[0].repoPath,
            line: 0,
            message: 'buf is not installed, so the generated code cannot be checked for drift.',
            hint: BUF_INSTALL_HINT,
          },
        ],
      }
    }
    for (const t of templates) findings.push(...(await regenerate(ctx, t)))
    return {findings, note: `regenerated with ${templates.map((t) => t.repoPath).join(', ')}`}
  },
}

/** Templates in the primitive, plus shared ones whose name or outputs point at it. */
async function templatesFor(ctx: PrimitiveContext): Promise<Template[]> {
  const own = ctx.files.filter((f) => TEMPLATE_NAME.test(path.posix.basename(f.rel)) && f.text !== null)
  const found: Template[] = []
  for (const f of own) {
    const t = await parseTemplate(f.repoPath, f.text!)
    if (t) found.push(t)
  }
  for (const shared of await sharedTemplates(ctx.repoRoot)) {
    const named = path.posix.basename(shared.repoPath).includes(`.${ctx.kind}-${ctx.name}.`)
    const writesHere = shared.outs.some((o) => o.repoOut === ctx.path || o.repoOut.startsWith(`${ctx.path}/`))
    if (named || writesHere) found.push(shared)
  }
  return found
}

const sharedCache = new Map<string, Promise<Template[]>>()
function sharedTemplates(repoRoot: string): Promise<Template[]> {
  let cached = sharedCache.get(repoRoot)
  if (!cached) {
    cached = (async () => {
      const out: Template[] = []
      for (const dir of SHARED_TEMPLATE_DIRS) {
        const names = await readdir(path.join(repoRoot, dir)).catch(() => [] as string[])
        for (const name of names.filter((n) => TEMPLATE_NAME.test(n)).sort()) {
          const repoPath = dir ? `${dir}/${name}` : name
          const text = await readFile(path.join(repoRoot, repoPath), 'utf8').catch(() => null)
          const t = text === null ? null : await parseTemplate(repoPath, text)
          if (t) out.push(t)
        }
      }
      return out
    })()
    sharedCache.set(repoRoot, cached)
  }
  return cached
}

async function parseTemplate(repoPath: string, text: string): Promise<Template | null> {
  const {parse} = await import('yaml')
  let doc: unknown
  try {
    doc = parse(text, {maxAliasCount: 100})
  } catch {
    return {repoPath, text, version: '?', outs: [], hasInputs: false}
  }
  const d = (doc ?? {}) as {version?: unknown; plugins?: unknown; inputs?: unknown}
  const dir = path.posix.dirname(repoPath)
  const plugins = Array.isArray(d.plugins) ? (d.plugins as {out?: unknown}[]) : []
  const outs = plugins
    .map((p) => (typeof p?.out === 'string' ? p.out : null))
    .filter((o): o is string => o !== null)
    .map((out) => ({
      out,
      repoOut: path.posix.normalize(path.posix.join(dir === '.' ? '' : dir, out)).replace(/\/$/, ''),
    }))
  return {
    repoPath,
    text,
    version: String(d.version ?? 'v1'),
    outs,
    hasInputs: Array.isArray(d.inputs) && d.inputs.length > 0,
  }
}

/** An `out` of `.` or outside the generated roots fails. */
function outGuard(t: Template): Finding[] {
  const findings: Finding[] = []
  const lines = t.text.split('\n')
  for (const o of t.outs) {
    const lineIndex = lines.findIndex((l) =>
      new RegExp(`^\\s*-?\\s*out\\s*:\\s*["']?${escape(o.out)}["']?\\s*(#.*)?$`).test(l),
    )
    const line = lineIndex + 1
    const dot = o.out === '.' || o.out === './'
    const outside = o.repoOut === '..' || o.repoOut.startsWith('../') || path.posix.isAbsolute(o.out)
    if (dot || outside || !GENERATED_ROOTS.some((r) => r.test(o.repoOut))) {
      findings.push({
        rule: 'codegen-out-path',
        severity: 'error',
        file: t.repoPath,
        line,
        message: dot
          ? `out: ${o.out} writes generated code over the sources next to the template.`
          : `out: ${o.out} (${outside ? 'outside the repository' : o.repoOut}) is outside the generated roots.`,
        hint: `Point out at a generated-only root: ${ROOTS_TEXT}.`,
      })
    }
  }
  return findings
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** Runs buf into a temporary directory and compares, for each out inside the primitive, with the working tree. */
async function regenerate(ctx: PrimitiveContext, t: Template): Promise<Finding[]> {
  const tmp = await mkdtemp(path.join(tmpdir(), 'ameide-verify-codegen-'))
  try {
    const templateDir = path.join(ctx.repoRoot, path.dirname(t.repoPath))
    const run = await bufGenerate({
      buf: ctx.tools.buf!,
      cwd: templateDir,
      template: path.join(ctx.repoRoot, t.repoPath),
      input: t.version === 'v2' && t.hasInputs ? null : '.',
      output: tmp,
      searchPath: ctx.tools.path,
    })
    if (!run.ok) {
      const missingPlugin = /not found|executable file not found|could not find|no such file/i.test(run.output)
      return [
        {
          rule: missingPlugin ? 'tool-missing' : 'codegen-failed',
          severity: 'error',
          file: t.repoPath,
          line: 0,
          message: `buf generate --template ${t.repoPath} failed: ${run.output.split('\n').slice(0, 5).join(' | ')}`,
          hint: missingPlugin
            ? 'Install the plugin the template names (e.g. `npm install --save-dev @bufbuild/protoc-gen-es`) so it is on PATH or in node_modules/.bin.'
            : `Run \`buf generate --template ${path.basename(t.repoPath)}\` in ${path.dirname(t.repoPath)} and fix what it reports.`,
        },
      ]
    }
    const findings: Finding[] = []
    for (const o of t.outs) {
      if (!(o.repoOut === ctx.path || o.repoOut.startsWith(`${ctx.path}/`))) continue
      const generatedDir = path.join(tmp, o.out)
      const committedDir = path.join(ctx.repoRoot, o.repoOut)
      const [generated, committed] = await Promise.all([hashTree(generatedDir), hashTree(committedDir)])
      const names = [...new Set([...generated.keys(), ...committed.keys()])].sort()
      for (const name of names) {
        const g = generated.get(name)
        const c = committed.get(name)
        if (g === c) continue
        const file = `${o.repoOut}/${name}`
        const state =
          c === undefined
            ? 'is missing (buf generates it)'
            : g === undefined
              ? 'is stale (buf no longer generates it)'
              : 'differs from what buf generates'
        findings.push({
          rule: 'codegen-drift',
          severity: 'error',
          file,
          line: 0,
          message: `Generated file ${file} ${state}.`,
          hint: `Regenerate: (cd ${path.dirname(t.repoPath)} && buf generate --template ${path.basename(t.repoPath)}), then commit the result. Never edit generated files by hand.`,
        })
      }
    }
    return findings
  } finally {
    await rm(tmp, {recursive: true, force: true})
  }
}

async function hashTree(dir: string): Promise<Map<string, string>> {
  const files = await listFiles(dir).catch(() => [] as string[])
  const out = new Map<string, string>()
  for (const rel of files) {
    out.set(
      rel,
      createHash('sha256')
        .update(await readFile(path.join(dir, rel)))
        .digest('hex'),
    )
  }
  return out
}
