/** A revision as src/gitops/revision reads it: its tracked files held in memory, its links checked (./links.ts). */
import type {RefusedLink} from './links.js'

export interface Revision {
  /** Where the tree is mounted, in memory (core/memory-fs): absolute, under MEMORY_ROOT. */
  dir: string
  /** The commit read, or null for the working tree (or a folder outside git). */
  commit: string | null
  /**
   * Repo-relative regular files, and in-bounds links to one, sorted; as the gate lists a tree: not under `.github/`
   * at the root or any `node_modules/`.
   */
  files: string[]
  /** Every path held (files and in-bounds links), sorted: what `git ls-files` says of the revision. */
  tracked: string[]
  /** In-bounds links: repo-relative path → the repo-relative path it resolves to ('' is the root). */
  links: Map<string, string>
  /** Links refused (not held). */
  refused: RefusedLink[]
  /**
   * Gitlinks (git submodules, mode 160000): repo-relative path → the commit they name. Another repository: never
   * held, and whatever would read one is render-unavailable, named.
   */
  gitlinks: Map<string, string>
  /** Each regular file's git blob id, where git gave it (a commit's files; none for the working tree). */
  blobIds: ReadonlyMap<string, string>
  remove(): Promise<void>
}
