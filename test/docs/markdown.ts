/**
 * What the README test reads of a Markdown file, as GitHub renders it: fenced blocks (with their info string), the
 * heading anchors (GitHub's slugs), the relative links and the table cells. Text inside fences and inline code is
 * never a link, a heading or a table.
 */

export interface Fence {
  /** The info string after the opening backticks: `sh runnable`, `console`, ''. */
  info: string
  /** The lines between the fences. */
  lines: string[]
  /** 1-based line of the opening fence. */
  line: number
}

export interface Link {
  target: string
  line: number
}

/** The file split into prose lines (fenced lines blanked, so line numbers hold) and its fenced blocks. */
export function parse(text: string): {prose: string[]; fences: Fence[]} {
  const prose: string[] = []
  const fences: Fence[] = []
  let open: Fence | undefined
  for (const [i, line] of text.split('\n').entries()) {
    const fence = /^\s*(`{3,}|~{3,})\s*(.*)$/.exec(line)
    if (open) {
      if (fence && fence[2] === '') open = undefined
      else open.lines.push(line)
      prose.push('')
    } else if (fence) {
      open = {info: fence[2].trim(), lines: [], line: i + 1}
      fences.push(open)
      prose.push('')
    } else prose.push(line)
  }
  return {prose, fences}
}

const withoutCode = (line: string) => line.replace(/(`+)[^]*?\1/g, (m) => ' '.repeat(m.length))

/** Every `[text](target)` and `<a href>` of the prose, inline code excluded. */
export function links(prose: string[]): Link[] {
  const out: Link[] = []
  for (const [i, raw] of prose.entries()) {
    const line = withoutCode(raw)
    for (const m of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) out.push({target: m[1], line: i + 1})
    for (const m of line.matchAll(/<a\s[^>]*href="([^"]+)"/g)) out.push({target: m[1], line: i + 1})
  }
  return out
}

/** GitHub's anchor of a heading's text: lower case, punctuation dropped, spaces to hyphens (github-slugger). */
export function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
    .replace(/<[^>]+>/g, '') // HTML tags
    .replace(/`/g, '')
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-')
}

/** Every anchor a file offers: its headings' slugs (repeats numbered -1, -2 …) and explicit `id`/`name` anchors. */
export function anchors(prose: string[]): Set<string> {
  const seen = new Map<string, number>()
  const out = new Set<string>()
  for (const line of prose) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)
    if (heading) {
      const base = slug(heading[1])
      const n = seen.get(base) ?? 0
      seen.set(base, n + 1)
      out.add(n === 0 ? base : `${base}-${n}`)
    }
    for (const m of line.matchAll(/<a\s[^>]*(?:id|name)="([^"]+)"/g)) out.add(m[1])
  }
  return out
}

/** The cells of every table row of the prose (a line that starts with `|`), escaped pipes kept inside a cell. */
export function tableCells(prose: string[]): Array<{cell: string; line: number}> {
  const out: Array<{cell: string; line: number}> = []
  for (const [i, line] of prose.entries()) {
    if (!/^\s*\|/.test(line)) continue
    const cells = line
      .trim()
      .replace(/^\||\|$/g, '')
      .split(/(?<!\\)\|/)
    for (const cell of cells) out.push({cell: cell.trim(), line: i + 1})
  }
  return out
}
