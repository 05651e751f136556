/** Line/column lookup over a text, built lazily and shared. */
export class LineIndex {
  private starts: number[] | null = null
  constructor(private readonly text: string) {}

  private lineStarts(): number[] {
    if (this.starts) return this.starts
    const starts = [0]
    const text = this.text
    let i = text.indexOf('\n')
    while (i !== -1) {
      starts.push(i + 1)
      i = text.indexOf('\n', i + 1)
    }
    this.starts = starts
    return starts
  }

  /** 1-based line and column of a 0-based offset. */
  position(offset: number): {line: number; column: number} {
    const starts = this.lineStarts()
    let lo = 0
    let hi = starts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (starts[mid] <= offset) lo = mid
      else hi = mid - 1
    }
    return {line: lo + 1, column: offset - starts[lo] + 1}
  }

  /** The text of a 1-based line, without its newline. */
  lineText(line: number): string {
    const starts = this.lineStarts()
    const start = starts[line - 1] ?? this.text.length
    const end = line < starts.length ? starts[line] - 1 : this.text.length
    return this.text.slice(start, end).replace(/\r$/, '')
  }
}

const indexes = new WeakMap<object, LineIndex>()

/** The shared LineIndex of a file (keyed by the file object). */
export function lineIndexOf(file: {text: string | null}): LineIndex {
  let index = indexes.get(file)
  if (!index) {
    index = new LineIndex(file.text ?? '')
    indexes.set(file, index)
  }
  return index
}

const memos = new WeakMap<object, Map<string, unknown>>()

/** A value derived from a file once and shared by the checks (e.g. its tokens: imports and image-policy both need them). */
export function memo<T>(file: object, key: string, compute: () => T): T {
  let values = memos.get(file)
  if (!values) {
    values = new Map()
    memos.set(file, values)
  }
  if (values.has(key)) return values.get(key) as T
  const value = compute()
  values.set(key, value)
  return value
}
