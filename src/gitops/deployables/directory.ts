/**
 * An Argo CD directory source (a folder of plain manifests), read as the repo-server reads it (argoproj/argo-cd
 * `reposerver/repository/repository.go` findManifests, getPotentiallyValidManifests): the folder's files — its
 * subfolders only with `directory.recurse` — whose name ends in .yaml, .yml, .json or .jsonnet (any name with
 * `directory.disableExtensionFilter`), their path relative to the folder not matching `directory.exclude` and
 * matching `directory.include` (gobwas globs without separators: `*` also crosses `/`; `{a,b}` alternatives), in the
 * order Go's filepath.Walk visits them. A .jsonnet file is evaluated by Argo CD's jsonnet VM, which the gate does not
 * run: such a source is render-unavailable, named. The files are then read by src/gitops/render/directory.ts.
 */
import type {DeployablesContext} from './context.js'

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)
const MANIFEST = /\.(yaml|yml|json|jsonnet)$/

/** A gobwas glob compiled without separators (Argo CD's util/glob Match): `*`/`**` any run, `?` one character. */
export function argoGlob(pattern: string): RegExp {
  let out = ''
  let depth = 0
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]
    if (c === '\\' && i + 1 < pattern.length) out += pattern[++i].replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
    else if (c === '*') out += '.*'
    else if (c === '?') out += '.'
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1)
      if (end < 0) out += '\\['
      else {
        const body = pattern.slice(i + 1, end)
        out += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`
        i = end
      }
    } else if (c === '{') {
      depth++
      out += '(?:'
    } else if (c === '}' && depth > 0) {
      depth--
      out += ')'
    } else if (c === ',' && depth > 0) out += '|'
    else out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
  }
  try {
    return new RegExp(`^${out}$`, 's')
  } catch {
    return /(?!)/ // a pattern gobwas cannot compile matches nothing (Argo CD logs it and matches nothing)
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
