/**
 * What the render gate refuses: every deployable that could read outside its revision — a refused link of the
 * revision (src/gitops/revision: absolute, or leaving the tree; never held) in its folder or among the files
 * it names, a kustomize entry that leaves the revision, a Flux path that does. Each refusal is a `render-refused`
 * finding, always an error (a refusal is a security finding, whatever `--require-render` says), naming the link and
 * the kind of its target, never the target itself. A refused link no deployable reads is a finding too: whatever
 * names it sees nothing there, and the revision must not pass for complete.
 */
import {REFUSAL_TEXT, refusedUnder, type RefusedLink} from '../revision/links.js'
import type {KustomizationNode} from '../kustomize/kustomizations.js'
import type {RenderRoot} from './plan-types.js'

/** Where a refusal is reported. */
export interface RefusalSite {
  file: string
  line: number
  environment: string | null
  application?: string
}

export class Refusals {
  private readonly cited = new Set<string>()

  constructor(
    private readonly links: readonly RefusedLink[],
    private readonly report: (site: RefusalSite & {message: string}) => void,
  ) {}

  /**
   * Refuses `what` when a reader of `paths` (files or folders, repo-relative) could meet a refused link: true when
   * it is refused (and reported).
   */
  check(what: string, paths: readonly string[], site: RefusalSite): boolean {
    const links = refusedUnder(this.links, paths)
    for (const link of links) {
      this.cited.add(link.path)
      this.report({
        ...site,
        message: `${what} is refused: it could read ${link.path}, a symbolic link to ${REFUSAL_TEXT[link.kind]}; the link is left out of the revision and nothing is rendered.`,
      })
    }
    return links.length > 0
  }

  /** Whether `root` would refuse these kustomizations (what leaves the revision, or a refused link): asks, reports nothing. */
  reaches(nodes: readonly KustomizationNode[]): boolean {
    if (nodes.some((n) => n.outside.length > 0)) return true
    return refusedUnder(this.links, [...nodes.map((n) => n.dir), ...nodes.flatMap((n) => n.files)]).length > 0
  }

  /** A kustomize root: refused when a kustomization it reaches names what leaves the revision, or reads a refused link. */
  root(r: RenderRoot, nodes: readonly KustomizationNode[], rootFile: string): boolean {
    const what = `Render root ${r.dir || '.'}${r.application !== undefined ? ` (Application ${r.application})` : ''}`
    const outside = nodes.flatMap((n) => n.outside)
    for (const entry of outside) {
      this.report({
        file: entry.file,
        line: entry.line,
        environment: r.environment,
        application: r.application,
        message: `${what} is refused: ${JSON.stringify(entry.entry)} leaves the revision (kustomize would read it; the gate reads only the revision's own files), so nothing is rendered.`,
      })
    }
    const paths = [...nodes.map((n) => n.dir), ...nodes.flatMap((n) => n.files)]
    const linked = this.check(what, paths, {
      file: rootFile,
      line: 1,
      environment: r.environment,
      application: r.application,
    })
    return outside.length > 0 || linked
  }

  /**
   * A path a Flux Kustomization names that leaves the revision (or the pinned tree it is read from); `by`: how the
   * build that prints it applies it, where the path is the printed one.
   */
  fluxPath(o: {path: string; declaredIn: string; environment: string | null; tree?: string}, by?: string): void {
    const message = o.tree
      ? `Flux Kustomization path ${o.path || '.'} leaves ${o.tree}, or holds a link that does: it is refused, never read.`
      : `Flux Kustomization path ${o.path} leaves the revision: it is refused, never read.`
    this.report({
      file: o.declaredIn,
      line: 1,
      environment: o.environment,
      message: by ? `${message} (It is applied ${by}.)` : message,
    })
  }

  /** Each refused link no check named. */
  uncited(): void {
    for (const link of this.links) {
      if (this.cited.has(link.path)) continue
      this.report({
        file: link.path,
        line: 0,
        environment: null,
        message: `${link.path} is a symbolic link to ${REFUSAL_TEXT[link.kind]}: it is left out of the revision, so whatever names it in this revision sees nothing there.`,
      })
    }
  }
}

/**
 * The gitlinks (submodules: path → commit) a reader of the folders `dirs` would meet: any below a folder, or with
 * `shallow` only its direct entries (a directory source without `recurse` reads no subfolder).
 */
export function gitlinksUnder(
  gitlinks: ReadonlyMap<string, string> | undefined,
  dirs: readonly string[],
  shallow = false,
): Array<[string, string]> {
  if (!gitlinks || gitlinks.size === 0) return []
  return [...gitlinks].filter(([link]) =>
    dirs.some((d) => {
      if (d !== '' && !link.startsWith(`${d}/`)) return false
      return !shallow || !link.slice(d === '' ? 0 : d.length + 1).includes('/')
    }),
  )
}

/** How a finding names the submodules a deployable would read. */
export const gitlinkText = (found: ReadonlyArray<[string, string]>): string =>
  `${found.map(([p, c]) => `${p} is a git submodule (commit ${c.slice(0, 12)})`).join('; ')}: a submodule is another repository, which the gate does not fetch (Argo CD and Flux check it out), so this is not rendered.`
