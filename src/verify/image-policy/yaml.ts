import type {LineCounter, Node, Scalar} from 'yaml'

import {
  FLOATING,
  floatingInText,
  floatingTag,
  judgeImage,
  pullPolicyAlways,
  scanLines,
  type ImageFinding,
  type Position,
} from './findings.js'
import {FLOATING_TAGS} from '../../images/reference.js'
import {blockSpan, looksLikeYamlMapping, MAX_EMBED_DEPTH, parseYaml, type YamlModule} from '../../images/yaml/index.js'

/** Maps a 1-based line and column of the text being parsed to the position in the file. */
type ToFile = (line: number, column: number) => Position

const IMAGE_KEY = /image$/i
const IMAGE_LIST_KEY = /images$/i
const POLICY_KEY = /^(?:image)?pull_?policy$/i
const TAG_KEY = /^(?:image)?tag$/i

/**
 * Image policy over YAML (and JSON, which the same parser reads). Documents are parsed with the
 * `yaml` library (alias limit on); multi-line block scalars that hold YAML (`manifests: |-`) are
 * parsed too, with positions mapped back to the line in the file. Text that does not parse is
 * scanned line by line instead.
 */
export function scanYaml(yaml: YamlModule, text: string, where: string): ImageFinding[] {
  if (!yamlMayViolate(text)) return []
  return scanYamlText(yaml, text, (line, column) => ({line, column}), where, 0)
}

/** An `image` key and the rest of its line (empty when the value starts on the next line). */
const IMAGE_VALUE = /image["']?\s*:[ \t]*["']?([^\s"'#,}\]]*)/gi
/** Text that could hide a violation only a parser sees: floating tags, Always, repository/tag maps, image lists, aliases. */
const NEEDS_PARSE = new RegExp(
  `:(?:${FLOATING})\\b|\\btag["']?\\s*:\\s*["']?(?:${FLOATING})\\b|\\bAlways\\b|repository|images|\\*[A-Za-z_]`,
  'i',
)

/**
 * Parsing is the expensive part, so a YAML text is parsed only when it could violate the policy: a
 * token above, or an `image:` value that has neither a tag nor a digest (or starts on the next line).
 * A text that passes this test has nothing the parser could report.
 */
export function yamlMayViolate(text: string): boolean {
  if (NEEDS_PARSE.test(text)) return true
  IMAGE_VALUE.lastIndex = 0
  for (let m = IMAGE_VALUE.exec(text); m; m = IMAGE_VALUE.exec(text)) {
    const value = m[1]
    if (value === '' || value === '|' || value === '>' || value === '|-' || value === '>-') return true
    if (!value.includes('@')) {
      const lastSlash = value.lastIndexOf('/')
      if (!value.slice(lastSlash + 1).includes(':')) return true
    }
  }
  return false
}

function scanYamlText(yaml: YamlModule, text: string, toFile: ToFile, where: string, depth: number): ImageFinding[] {
  const lineCounter = new yaml.LineCounter()
  // Text that does not parse (a Helm template, an alias bomb) is scanned line by line instead.
  const {docs} = parseYaml(yaml, text, lineCounter)
  if (!docs || docs.length === 0) return scanLines(text, (k, column) => toFile(k + 1, column), where)
  const out: ImageFinding[] = []
  const walker = new Walker(yaml, text, lineCounter, toFile, where, depth, out)
  // Aliases are not followed by the walker: their anchored value is checked where it is written.
  for (const doc of docs) walker.node(doc.contents as Node | null, null)
  return out
}

class Walker {
  constructor(
    private readonly yaml: YamlModule,
    private readonly text: string,
    private readonly lines: LineCounter,
    private readonly toFile: ToFile,
    private readonly where: string,
    private readonly depth: number,
    private readonly out: ImageFinding[],
  ) {}

  private pos(offset: number): Position {
    const {line, col} = this.lines.linePos(offset)
    return this.toFile(line, col)
  }

  node(node: Node | null, key: string | null): void {
    const y = this.yaml
    if (!node) return
    if (y.isMap(node)) {
      for (const pair of node.items) {
        const k = y.isScalar(pair.key) ? String(pair.key.value) : null
        this.pair(k, pair.value as Node | null, node)
      }
    } else if (y.isSeq(node)) {
      const itemKey = key !== null && IMAGE_LIST_KEY.test(key) ? 'image' : key
      for (const item of node.items) this.node(item as Node | null, itemKey)
    } else if (y.isScalar(node)) {
      this.scalar(node, key)
    }
  }

  private pair(key: string | null, value: Node | null, parent: Node): void {
    const y = this.yaml
    if (key !== null && value && y.isScalar(value) && typeof value.value === 'string') {
      const at = this.valuePos(value)
      if (POLICY_KEY.test(key) && value.value === 'Always') {
        this.out.push(pullPolicyAlways(key, at))
        return
      }
      if (TAG_KEY.test(key) && FLOATING_TAGS.has(value.value)) {
        this.out.push(floatingTag(`${key}: ${value.value}`, value.value, at, this.where))
        return
      }
    }
    if (key !== null && IMAGE_KEY.test(key) && value && y.isMap(value)) this.imageMap(key, value, parent)
    this.node(value, key)
  }

  /** `image: {repository, tag, digest}` maps: a repository with neither tag nor digest (nor ref) is untagged. */
  private imageMap(key: string, value: Node, _parent: Node): void {
    const y = this.yaml
    if (!y.isMap(value)) return
    const get = (k: string) => value.items.find((p) => y.isScalar(p.key) && p.key.value === k)
    const repository = get('repository')
    if (!repository || !y.isScalar(repository.value) || typeof repository.value.value !== 'string') return
    if (get('tag') || get('digest') || get('ref')) return
    const repo = repository.value.value
    const finding = judgeImage(repo, this.valuePos(repository.value), `(${key}.repository) ${this.where}`)
    if (finding) this.out.push(finding)
  }

  private scalar(node: Scalar, key: string | null): void {
    if (typeof node.value !== 'string') return
    const value = node.value
    const at = this.valuePos(node)
    if (key !== null && (IMAGE_KEY.test(key) || key === 'ref' || key === 'image')) {
      if (!value.includes('\n')) {
        const finding = judgeImage(value, at, `(${key}) ${this.where}`)
        if (finding) this.out.push(finding)
        return
      }
    }
    if (!value.includes('\n')) {
      for (const f of floatingInText(value, (c) => ({line: at.line, column: at.column + c - 1}), this.where))
        this.out.push(f)
      return
    }
    this.multiline(node, value)
  }

  /** A multi-line string: embedded YAML when it parses as a collection, else scanned line by line. */
  private multiline(node: Scalar, value: string): void {
    const block = node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED'
    const map = block ? this.blockMapping(node) : null
    const where = `${this.where} (embedded YAML)`
    if (map && node.type === 'BLOCK_LITERAL' && this.depth < MAX_EMBED_DEPTH && looksLikeYamlMapping(value)) {
      for (const f of scanYamlText(this.yaml, value, map, where, this.depth + 1)) this.out.push(f)
      return
    }
    const toFile = map ?? (() => this.valuePos(node))
    for (const f of scanLines(value, (k, column) => toFile(k + 1, column), where)) this.out.push(f)
  }

  /**
   * For a block scalar, maps (line, column) of its content to the file: content line 1 is the line after the `|`
   * header, and columns shift by the block's indentation (by line arithmetic, so folded blocks map too).
   */
  private blockMapping(node: Scalar): ToFile | null {
    const block = blockSpan(this.text, node)
    if (!block) return null
    const header = this.lines.linePos(node.range![0]).line
    return (line, column) => this.toFile(header + line, block.indent + column)
  }

  private valuePos(node: Scalar): Position {
    const start = node.range?.[0] ?? 0
    const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE'
    return this.pos(start + (quoted ? 1 : 0))
  }
}
