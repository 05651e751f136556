import {readdir, stat} from 'node:fs/promises'
import path from 'node:path'

import {usageError} from '../core/errors.js'
import {imageName, isKind, KINDS, nameProblem, primitivePath, type Kind} from '../primitives/kinds.js'

/** One publishable component: a primitive folder holding `Dockerfile.main` or else `Dockerfile`. */
export interface Component {
  /** `<kind>-<name>` */
  id: string
  kind: Kind
  name: string
  /** Repo-relative folder, e.g. `primitives/domain/orders` (also the build context). */
  path: string
  /** Repo-relative Dockerfile path. */
  dockerfile: string
  /** `<registry>/primitive-<kind>-<name>` */
  repository: string
}

const DOCKERFILES = ['Dockerfile.main', 'Dockerfile']

/** Every component under `primitives/<kind>/<name>/`, sorted by id (the report's stable order). */
export async function discoverComponents(repoRoot: string, registry: string): Promise<Component[]> {
  const components: Component[] = []
  for (const kind of KINDS) {
    const kindDir = path.join(repoRoot, 'primitives', kind)
    const names = await readdir(kindDir, {withFileTypes: true}).catch(() => [])
    for (const entry of names) {
      if (!entry.isDirectory() || nameProblem(entry.name) !== null) continue
      const folder = primitivePath(kind, entry.name)
      for (const file of DOCKERFILES) {
        const info = await stat(path.join(repoRoot, folder, file)).catch(() => null)
        if (info?.isFile()) {
          components.push({
            id: `${kind}-${entry.name}`,
            kind,
            name: entry.name,
            path: folder,
            dockerfile: `${folder}/${file}`,
            repository: `${registry}/${imageName(kind, entry.name)}`,
          })
          break
        }
      }
    }
  }
  return components.sort((a, b) => a.id.localeCompare(b.id))
}

/** Validates `--component KIND/NAME` values (exit 2 on a malformed one); touches nothing. */
export function parseComponentSelectors(values: string[]): {kind: Kind; name: string}[] {
  return values.map((value) => {
    const [kind, name, ...rest] = value.split('/')
    if (rest.length > 0 || !kind || !name || !isKind(kind) || nameProblem(name) !== null) {
      throw usageError('INVALID_COMPONENT', `--component ${JSON.stringify(value)} is not KIND/NAME.`, [
        `Use e.g. --component domain/orders; kinds: ${KINDS.join(', ')}.`,
      ])
    }
    return {kind, name}
  })
}

/** Narrows to the selected components; a selector naming no component is exit 2. */
export function selectComponents(all: Component[], selectors: {kind: Kind; name: string}[]): Component[] {
  if (selectors.length === 0) return all
  const wanted = new Set(selectors.map((s) => `${s.kind}-${s.name}`))
  for (const id of wanted) {
    if (!all.some((c) => c.id === id)) {
      const [kind, ...name] = id.split('-')
      throw usageError(
        'COMPONENT_NOT_FOUND',
        `No component ${kind}/${name.join('-')}: primitives/${kind}/${name.join('-')}/ has no Dockerfile.main or Dockerfile.`,
        ['Components are primitives/<kind>/<name>/ folders holding Dockerfile.main or Dockerfile.'],
      )
    }
  }
  return all.filter((c) => wanted.has(c.id))
}
