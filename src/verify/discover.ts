import {readdir, stat} from 'node:fs/promises'
import path from 'node:path'

import {usageError} from '../core/errors.js'
import {isKind, KINDS, type Kind, parseKind, parseName, primitivePath} from '../primitives/kinds.js'

export interface PrimitiveRef {
  kind: Kind
  name: string
  /** Repo-relative folder. */
  path: string
}

/** How the user chose what to verify (already validated). */
export type Selection = {mode: 'one'; kind: Kind; name: string} | {mode: 'all'} | {mode: 'cwd'; cwd: string}

/**
 * The primitives a command asks about, from `--kind/--name`, `--all` or the current directory (exit 2 on a
 * half or conflicting selection). Shared by `primitive verify` and `primitive status`.
 */
export function parseSelection(raw: {kind?: string; name?: string; all: boolean; cwd: string}): Selection {
  if (raw.all && (raw.kind !== undefined || raw.name !== undefined)) {
    throw usageError('INVALID_SELECTION', '--all cannot be combined with --kind/--name.', [
      'Pass either --all, or --kind K --name N, or neither (inside a primitive folder).',
    ])
  }
  if ((raw.kind === undefined) !== (raw.name === undefined)) {
    throw usageError(
      'INVALID_SELECTION',
      `--${raw.kind === undefined ? 'kind' : 'name'} is required with --${raw.kind === undefined ? 'name' : 'kind'}.`,
      ['Pass both --kind K and --name N, or --all.'],
    )
  }
  if (raw.kind !== undefined && raw.name !== undefined)
    return {mode: 'one', kind: parseKind(raw.kind), name: parseName(raw.name)}
  return raw.all ? {mode: 'all'} : {mode: 'cwd', cwd: raw.cwd}
}

const isDir = (p: string) =>
  stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  )

/** Every `primitives/<kind>/<name>/` folder of the repository, sorted by kind then name. */
export async function discoverAll(repoRoot: string): Promise<PrimitiveRef[]> {
  const found: PrimitiveRef[] = []
  for (const kind of [...KINDS].sort()) {
    const entries = await readdir(path.join(repoRoot, 'primitives', kind), {withFileTypes: true}).catch(() => [])
    for (const e of entries) {
      if (e.isDirectory() && !e.name.startsWith('.'))
        found.push({kind, name: e.name, path: primitivePath(kind, e.name)})
    }
  }
  return found.sort((a, b) => (a.kind === b.kind ? compare(a.name, b.name) : compare(a.kind, b.kind)))
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** Resolves the selection to primitives; unknown primitives are usage errors (exit 2). */
export async function discoverPrimitives(repoRoot: string, selection: Selection): Promise<PrimitiveRef[]> {
  if (selection.mode === 'all') return discoverAll(repoRoot)

  if (selection.mode === 'one') {
    const ref = {kind: selection.kind, name: selection.name, path: primitivePath(selection.kind, selection.name)}
    if (!(await isDir(path.join(repoRoot, ref.path)))) {
      throw usageError('PRIMITIVE_NOT_FOUND', `There is no primitive ${ref.path} in ${repoRoot}.`, [
        `Scaffold it with: ameide primitive scaffold --kind ${ref.kind} --name ${ref.name}`,
        'Or list what exists with: ameide primitive verify --all',
      ])
    }
    return [ref]
  }

  const ref = primitiveContaining(repoRoot, selection.cwd)
  if (!ref) {
    throw usageError(
      'NO_PRIMITIVE_SELECTED',
      `The current directory is not inside a primitive (primitives/<kind>/<name>/).`,
      ['Pass --kind K --name N, or --all, or run the command inside primitives/<kind>/<name>/.'],
    )
  }
  return [ref]
}

/** The primitive whose folder contains `cwd`, or null. */
export function primitiveContaining(repoRoot: string, cwd: string): PrimitiveRef | null {
  const rel = path.relative(repoRoot, cwd)
  if (rel.startsWith('..') || path.isAbsolute(rel)) return null
  const parts = rel.split(path.sep)
  if (parts.length < 3 || parts[0] !== 'primitives' || !isKind(parts[1]) || parts[2] === '') return null
  return {kind: parts[1], name: parts[2], path: primitivePath(parts[1], parts[2])}
}
