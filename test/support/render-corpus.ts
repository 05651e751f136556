/**
 * The render corpora (shared/corpora/gitops-real beside the clone: real charts and kustomizations), unpacked into a
 * test's folder, and the folders in them that hold a given file (each chart's Chart.yaml, each kustomization).
 */
import {execFileSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {readdir} from 'node:fs/promises'
import path from 'node:path'

const corpus = path.resolve(import.meta.dirname, '../../../shared/corpora/gitops-real')

/** Unpacks corpus.tar.gz and charts.tar.gz into `work` (its `corpus/` and `charts/`); fails where they are missing. */
export function unpackRenderCorpus(work: string): void {
  if (!existsSync(corpus)) throw new Error(`the corpus is missing: ${corpus} (shared/ beside the clone)`)
  for (const archive of ['corpus.tar.gz', 'charts.tar.gz'])
    execFileSync('tar', ['-xzf', path.join(corpus, archive), '-C', work])
}

/** Every folder below `dir` that holds a file named `name`, sorted. */
export async function foldersHolding(dir: string, name: string): Promise<string[]> {
  const found: string[] = []
  for (const entry of await readdir(dir, {withFileTypes: true})) {
    const at = path.join(dir, entry.name)
    if (entry.isDirectory()) found.push(...(await foldersHolding(at, name)))
    else if (entry.name === name) found.push(dir)
  }
  return found.sort()
}
