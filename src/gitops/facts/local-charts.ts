/**
 * Local Helm charts of a GitOps checkout: the chart a values file belongs to (the nearest folder at or above it with a
 * `Chart.yaml`) and whether its templates read a `digest` value (`.Values.image.digest`, `.digest`). A chart whose
 * templates never read one renders `repository:tag`: a `digest:` key beside the tag pins nothing. Read by the gate
 * (`image-not-pinned`) and the write-back (set-image, promote), which pick a map's convention by it.
 */
import {readFileSync} from '../../core/memory-fs/index.js'
import path from 'node:path'

export interface LocalChart {
  /** The chart's folder, repo-relative (`.` for the root). */
  dir: string
  readsDigest: boolean
}

/** Answers for the files of one checkout listing; each chart's templates are read once. */
export class LocalCharts {
  private readonly present: ReadonlySet<string>
  private readonly reads = new Map<string, boolean>()

  constructor(
    private readonly root: string,
    private readonly files: readonly string[],
  ) {
    this.present = new Set(files)
  }

  /** The chart `file` belongs to, or undefined when it is in none. */
  of(file: string): LocalChart | undefined {
    for (let dir = path.posix.dirname(file); ; dir = path.posix.dirname(dir)) {
      const prefix = dir === '.' ? '' : `${dir}/`
      if (this.present.has(`${prefix}Chart.yaml`)) return {dir, readsDigest: this.readsDigest(dir, prefix)}
      if (dir === '.') return undefined
    }
  }

  private readsDigest(dir: string, prefix: string): boolean {
    let reads = this.reads.get(dir)
    if (reads === undefined) {
      reads = this.files
        .filter((f) => f.startsWith(`${prefix}templates/`))
        .some((t) => /\.digest\b/.test(readFileSync(path.join(this.root, t), 'utf8')))
      this.reads.set(dir, reads)
    }
    return reads
  }
}
