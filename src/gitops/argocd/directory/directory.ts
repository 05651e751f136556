/**
 * An Argo CD directory source (a folder of plain manifests), read as the repo-server reads it (argoproj/argo-cd
 * `reposerver/repository/repository.go` findManifests, getPotentiallyValidManifests): the folder's files — its
 * subfolders only with `directory.recurse` — whose name ends in .yaml, .yml, .json or .jsonnet (any name with
 * `directory.disableExtensionFilter`), their path relative to the folder not matching `directory.exclude` and
 * matching `directory.include` (gobwas globs without separators: `*` also crosses `/`; `{a,b}` alternatives), in the
 * order Go's filepath.Walk visits them. A .jsonnet file is evaluated by Argo CD's jsonnet VM, which the gate does not
 * run: such a source is render-unavailable, named. The files are then read by src/gitops/argocd/directory/render.ts.
 */
import type {DeployablesContext} from '../../model/context.js'

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)
const MANIFEST = /\.(yaml|yml|json|jsonnet)$/

/** One step of a glob: a literal, `?`, a class, `*`, or `{a,b}` alternatives. */
type GlobStep = {kind: 'char'; test: (c: string) => boolean} | {kind: 'star'} | {kind: 'alt'; branches: GlobStep[][]}

/**
 * A gobwas glob compiled without separators (Argo CD's util/glob Match): `*`/`**` any run, `?` one character. Matched
 * by walking the set of positions reached (linear in the name for each step), never by a backtracking regular
 * expression: a pull request's `*a*a*a…b` must not stall the gate.
 */
export function argoGlob(pattern: string): {test(name: string): boolean} {
  let i = 0
  const parse = (inBraces: boolean): GlobStep[][] => {
    const branches: GlobStep[][] = [[]]
    for (; i < pattern.length; i++) {
      const c = pattern[i]
      const steps = branches.at(-1)!
      if (c === '\\' && i + 1 < pattern.length) {
        const lit = pattern[++i]
        steps.push({kind: 'char', test: (x) => x === lit})
      } else if (c === '*') {
        if (steps.at(-1)?.kind !== 'star') steps.push({kind: 'star'})
      } else if (c === '?') steps.push({kind: 'char', test: () => true})
      else if (c === '[' && pattern.indexOf(']', i + 1) >= 0) {
        const end = pattern.indexOf(']', i + 1)
        const body = pattern.slice(i + 1, end)
        const klass = new RegExp(`^[${body.startsWith('!') ? `^${body.slice(1)}` : body}]$`, 's')
        steps.push({kind: 'char', test: (x) => klass.test(x)})
        i = end
      } else if (c === '{') {
        i++
        steps.push({kind: 'alt', branches: parse(true)})
      } else if (c === '}' && inBraces) return branches
      else if (c === ',' && inBraces) branches.push([])
      else steps.push({kind: 'char', test: (x) => x === c})
    }
    if (inBraces) throw new Error('unclosed {')
    return branches
  }
  let compiled: GlobStep[][]
  try {
    compiled = parse(false)
  } catch {
    return {test: () => false} // a pattern gobwas cannot compile matches nothing (Argo CD logs it and matches nothing)
  }
  const run = (steps: readonly GlobStep[], name: string, from: boolean[]): boolean[] => {
    let at = from
    for (const step of steps) {
      const next = Array.from({length: name.length + 1}, () => false)
      if (step.kind === 'star') {
        const first = at.indexOf(true)
        if (first >= 0) next.fill(true, first)
      } else if (step.kind === 'char') {
        for (let p = 0; p < name.length; p++) if (at[p] && step.test(name[p])) next[p + 1] = true
      } else {
        for (const branch of step.branches) run(branch, name, at).forEach((v, p) => (next[p] ||= v))
      }
      at = next
    }
    return at
  }
  return {
    test: (name) => {
      const start = Array.from({length: name.length + 1}, (_, p) => p === 0)
      return compiled.some((branch) => run(branch, name, start)[name.length])
    },
  }
}

/** Go's filepath.Walk order: lexical per folder, a folder's files visited where its name sorts. */
export const walkOrder = (a: string, b: string): number => {
  const x = a.split('/')
  const y = b.split('/')
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1
  return x.length - y.length
}

export interface DirectorySelection {
  /** Repo-relative files Argo CD reads (YAML and JSON), in walk order. */
  manifests: string[]
  /** Repo-relative .jsonnet files it would evaluate. */
  jsonnet: string[]
}

export function selectDirectory(
  source: Record<string, unknown>,
  dir: string,
  ctx: Pick<DeployablesContext, 'trackedFiles' | 'files'>,
): DirectorySelection {
  const options = isMap(source.directory) ? source.directory : {}
  const recurse = options.recurse === true
  const anyName = options.disableExtensionFilter === true
  const include = typeof options.include === 'string' && options.include !== '' ? argoGlob(options.include) : null
  const exclude = typeof options.exclude === 'string' && options.exclude !== '' ? argoGlob(options.exclude) : null
  const prefix = dir ? `${dir}/` : ''
  const out: DirectorySelection = {manifests: [], jsonnet: []}
  const candidates = [...ctx.files].filter((f) => f.startsWith(prefix)).sort(walkOrder)
  for (const file of candidates) {
    const rel = file.slice(prefix.length)
    if (!recurse && rel.includes('/')) continue
    const name = rel.slice(rel.lastIndexOf('/') + 1)
    if (!anyName && !MANIFEST.test(name)) continue
    if (exclude?.test(rel)) continue
    if (include && !include.test(rel)) continue
    if (name.endsWith('.jsonnet')) out.jsonnet.push(file)
    else out.manifests.push(file)
  }
  return out
}
