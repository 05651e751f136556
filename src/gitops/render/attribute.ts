/**
 * Which source line decided a rendered container's image. kustomize's annotations are per object: the origin file
 * declared it, the transformations list the kustomizations that changed it. Per container: the same image in the
 * origin file → that line (the base manifest); a different or no container there → the last `images:` entry or patch
 * of a listed kustomization that yields the rendered image. Otherwise the source is unknown, and the finding says so.
 */
import {readFileSync} from '../../core/memory-fs/index.js'
import path from 'node:path'

import type {YamlModule} from '../../images/yaml/index.js'
import {findImages, type FileImages} from '../facts/index.js'
import type {KustomizationNode} from '../kustomize/kustomizations.js'
import {at, containersOf, type Doc, type RenderedContainer, type RenderedObject} from '../kubernetes/objects.js'

export interface SourceLocation {
  file: string
  line: number
  column: number
  /** `images` entry, `patch`, the `manifest` that declared it, or `unknown` (file is then the root's kustomization). */
  how: 'images' | 'patch' | 'manifest' | 'values' | 'template' | 'unknown'
}

interface Source {
  text: string
  found: FileImages | null
  docs: Doc[]
  /** The 1-based line each of `docs` starts at. */
  lines: number[]
}

/** Reads and parses the checkout's files once per run. */
export class SourceReader {
  private readonly files = new Map<string, Source | null>()

  constructor(
    private readonly root: string,
    private readonly yaml: YamlModule,
    readonly kustomizations: Map<string, KustomizationNode>,
  ) {}

  get(file: string): Source | null {
    if (this.files.has(file)) return this.files.get(file)!
    let source: Source | null = null
    try {
      const text = readFileSync(path.join(this.root, file), 'utf8')
      const found = findImages(this.yaml, text)
      const docs: Doc[] = []
      const lines: number[] = []
      try {
        const lineCounter = new this.yaml.LineCounter()
        for (const d of this.yaml.parseAllDocuments(text, {lineCounter, logLevel: 'error'}) as Array<{
          toJS(o: object): unknown
          contents: {range?: [number, number, number]} | null
        }>) {
          const js = d.toJS({maxAliasCount: 100})
          if (js === null || typeof js !== 'object' || Array.isArray(js)) continue
          docs.push(js as Doc)
          lines.push(d.contents?.range ? lineCounter.linePos(d.contents.range[0]).line : 1)
        }
      } catch {
        // not YAML the source can be read from: the object's line is then unknown
      }
      source = {text, found: found.skipped ? null : found, docs, lines}
    } catch {
      source = null
    }
    this.files.set(file, source)
    return source
  }
}

/** The repository part of an image string (no tag, no digest). */
export function repositoryOf(image: string): string {
  const noDigest = image.split('@')[0]
  const slash = noDigest.lastIndexOf('/')
  const colon = noDigest.lastIndexOf(':')
  return colon > slash ? noDigest.slice(0, colon) : noDigest
}

const PATCHES = new Set(['PatchTransformer', 'PatchStrategicMergeTransformer', 'PatchJson6902Transformer'])

/**
 * The images a controller's edits set in a root's own kustomization before it builds (Argo CD's kustomize `images`,
 * a Flux Kustomization's `images`): an image they name that kustomization's ImageTagTransformer set points at the
 * object that set them (`rootFile`), not at the revision's kustomization, which does not hold the edit.
 */
export interface EditedImages {
  kustomization: string
  names: ReadonlySet<string>
}

export function attribute(
  reader: SourceReader,
  obj: RenderedObject,
  container: RenderedContainer,
  rootFile: string,
  edited?: EditedImages,
): SourceLocation {
  const rendered = String(container.image ?? '')
  let originImage: string | undefined
  if (obj.origin) {
    const source = reader.get(obj.origin)
    const doc = source ? originDoc(source.docs, obj) : undefined
    const same = doc ? containersOf(doc).find((c) => c.list === container.list && c.name === container.name) : undefined
    originImage = typeof same?.image === 'string' ? same.image : undefined
    if (originImage === rendered && source?.found) {
      const site = source.found.images.find((s) => s.value.trim() === rendered && s.kind === 'container')
      if (site) return {file: obj.origin, line: site.line, column: site.column, how: 'manifest'}
    }
  }
  for (const t of [...obj.transformations].reverse()) {
    // Set outside the checkout: by the wrapper, with an Argo CD Application's `kustomize.images` (`rootFile` then
    // names the file that set them).
    if (!t.configuredIn && t.kind === 'ImageTagTransformer') return {file: rootFile, line: 1, column: 1, how: 'images'}
    if (!t.configuredIn) continue
    if (t.kind === 'ImageTagTransformer') {
      const found = reader.get(t.configuredIn)?.found
      const names = new Set([repositoryOf(rendered), ...(originImage ? [repositoryOf(originImage)] : [])])
      if (t.configuredIn === edited?.kustomization && [...names].some((n) => edited.names.has(n)))
        return {file: rootFile, line: 1, column: 1, how: 'images'}
      const entry = found?.kustomizeImages.find((k) => names.has(k.name) || names.has(k.fields.newName?.value ?? '\0'))
      if (entry) return {file: t.configuredIn, line: entry.line, column: entry.column, how: 'images'}
    } else if (PATCHES.has(t.kind)) {
      const node = reader.kustomizations.get(path.posix.dirname(t.configuredIn).replace(/^\.$/, ''))
      for (const file of [t.configuredIn, ...(node?.files ?? [])]) {
        const site = reader.get(file)?.found?.images.find((s) => s.value.trim() === rendered)
        if (site) return {file, line: site.line, column: site.column, how: 'patch'}
      }
      // A JSON 6902 patch written inline (`value: nginx:1.25` in a `patch: |` block): the image's own text there.
      for (const file of [t.configuredIn, ...(node?.files ?? [])]) {
        const text = reader.get(file)?.text
        const where = text ? literalAt(text, rendered) : undefined
        if (where) return {file, ...where, how: 'patch'}
      }
    }
  }
  return {file: rootFile, line: 1, column: 1, how: 'unknown'}
}

/** Where `image` is written as a whole value in `text` (after `value:`, `image:` or a list dash), 1-based. */
function literalAt(text: string, image: string): {line: number; column: number} | undefined {
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*(?:-\s+)?(?:[A-Za-z_]+:\s*)?)(["']?)(.*?)\2\s*(?:#.*)?$/.exec(lines[i])
    if (m && m[3] === image && m[1].trim() !== '') return {line: i + 1, column: m[1].length + 1}
  }
  return undefined
}

/** The line the object's document starts at in its origin file (1 when it cannot be found). */
export function objectLine(reader: SourceReader, obj: RenderedObject): number {
  const source = obj.origin ? reader.get(obj.origin) : null
  const doc = source ? originDoc(source.docs, obj) : undefined
  return doc && source ? source.lines[source.docs.indexOf(doc)] : 1
}

/** The document of the origin file the object came from: same kind, the name kustomize may have prefixed/suffixed. */
function originDoc(docs: Doc[], obj: RenderedObject): Doc | undefined {
  const sameKind = docs.filter((d) => d.kind === obj.kind)
  const nameOf = (d: Doc) => at(d, 'metadata', 'name')
  return (
    sameKind.find((d) => nameOf(d) === obj.name) ??
    sameKind.find((d) => typeof nameOf(d) === 'string' && obj.name.includes(nameOf(d) as string)) ??
    (sameKind.length === 1 ? sameKind[0] : undefined)
  )
}
