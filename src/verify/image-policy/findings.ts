import {FLOATING_TAGS, GRAMMAR, tryParseImageReference, type ImageReference} from '../../images/reference.js'

/** The floating tags as a regex alternation (`dev|main|latest`), from the one set. */
export const FLOATING = [...FLOATING_TAGS].join('|')

/**
 * A floating tag written anywhere in free text: `name:dev`, `registry/path:latest`, `${IMAGE}:main`.
 * Group 1 is the whole reference, group 2 the tag.
 */
const FLOATING_IN_TEXT = new RegExp(
  `(?<![\\w./@:%-])((?:${GRAMMAR.name}|\\$\\{[A-Za-z_][\\w.]*\\}|\\{\\{[^}]{1,80}\\}\\}|\\$[A-Z_][A-Z0-9_]*):(${FLOATING}))(?![\\w.-])`,
  'g',
)

/** A literal image reference; undefined when the value is not one or is templated (`${…}`, `{{…}}`, `$VAR`). */
export function literalImageRef(value: string): ImageReference | undefined {
  const v = value.trim()
  if (v === '' || /\$|\{\{|<|>/.test(v)) return undefined
  return tryParseImageReference(v)
}

/** Where a value sits in the file (1-based). */
export interface Position {
  line: number
  column: number
}

export interface ImageFinding extends Position {
  rule: 'floating-tag' | 'untagged-image' | 'unpinned-base-image' | 'pull-policy-always'
  severity: 'error' | 'warning'
  message: string
  hint: string
}

const PIN_HINT =
  'Pin the image by digest, e.g. ghcr.io/org/app:1.4.2@sha256:<digest> (the tag is for readers, the digest is what runs).'

export function floatingTag(ref: string, tag: string, at: Position, where: string): ImageFinding {
  return {
    ...at,
    rule: 'floating-tag',
    severity: 'error',
    message: `Image ${JSON.stringify(ref)} ${where} uses the floating tag :${tag}, which moves and makes deployments non-deterministic.`,
    hint: PIN_HINT,
  }
}

/** Judges a value known to be an image reference (an `image:` value, a FROM line). */
export function judgeImage(value: string, at: Position, where: string): ImageFinding | null {
  const ref = literalImageRef(value)
  if (!ref) return null
  if (ref.tag && FLOATING_TAGS.has(ref.tag)) return floatingTag(value, ref.tag, at, where)
  if (!ref.tag && !ref.digest) {
    return {
      ...at,
      rule: 'untagged-image',
      severity: 'error',
      message: `Image ${JSON.stringify(value)} ${where} has neither a tag nor a digest, so it means :latest.`,
      hint: PIN_HINT,
    }
  }
  return null
}

export function pullPolicyAlways(key: string, at: Position): ImageFinding {
  return {
    ...at,
    rule: 'pull-policy-always',
    severity: 'error',
    message: `${key}: Always forces pulls to chase a moving tag; rollouts must come from a new digest instead.`,
    hint: `Set ${key}: IfNotPresent and pin the image by digest.`,
  }
}

/** Floating tags written anywhere in a piece of free text (one line). `at(column)` maps a 1-based column of `text`. */
export function floatingInText(text: string, at: (column: number) => Position, where: string): ImageFinding[] {
  if (!FLOATING_IN_LINE.test(text)) return []
  const out: ImageFinding[] = []
  FLOATING_IN_TEXT.lastIndex = 0
  for (let m = FLOATING_IN_TEXT.exec(text); m; m = FLOATING_IN_TEXT.exec(text)) {
    out.push(floatingTag(m[1], m[2], at(m.index + 1), where))
  }
  return out
}

const IMAGE_KEY_LINE = /^(\s*(?:-\s+)?["']?)([\w.-]*image)(["']?\s*:\s*["']?)([^\s"'#,}\]]+)/i
const POLICY_LINE = /^(\s*(?:-\s+)?["']?)((?:image)?pull_?policy)(["']?\s*:\s*["']?)Always\b/i
const TAG_LINE = new RegExp(
  `^(\\s*(?:-\\s+)?["']?)((?:image)?tag)(["']?\\s*:\\s*["']?)(${FLOATING})["']?\\s*(?:#.*)?$`,
  'i',
)
/** A `:<floating tag>` anywhere on a line. */
const FLOATING_IN_LINE = new RegExp(`:(?:${FLOATING})`)
/** A line worth the line scan's regexes. */
const SCAN_LINE = new RegExp(`image|:(?:${FLOATING})|policy|tag`, 'i')

/**
 * Line-by-line scan of YAML-like text that could not be parsed (Helm templates, manifests embedded
 * in source strings, shell scripts): `image:` values, `tag: dev|main|latest`, `(image)pullPolicy:
 * Always`, and floating tags anywhere. `toFile` maps a 0-based line index and 1-based column of
 * `text` to the file position.
 */
export function scanLines(
  text: string,
  toFile: (lineIndex: number, column: number) => Position,
  where: string,
): ImageFinding[] {
  const out: ImageFinding[] = []
  const lines = text.split('\n')
  for (let k = 0; k < lines.length; k++) {
    const line = lines[k]
    if (!SCAN_LINE.test(line)) continue
    const trimmed = line.trimStart()
    if (trimmed.startsWith('#') || trimmed.startsWith('//')) continue
    let m = IMAGE_KEY_LINE.exec(line)
    if (m) {
      const column = m[1].length + m[2].length + m[3].length + 1
      const finding = judgeImage(m[4], toFile(k, column), `(${m[2]}) ${where}`)
      if (finding) out.push(finding)
    }
    m = POLICY_LINE.exec(line)
    if (m) out.push(pullPolicyAlways(m[2], toFile(k, m[1].length + 1)))
    m = TAG_LINE.exec(line)
    if (m) out.push(floatingTag(`${m[2]}: ${m[4]}`, m[4], toFile(k, m[1].length + 1), where))
    for (const f of floatingInText(line, (c) => toFile(k, c), where)) out.push(f)
  }
  return out
}
