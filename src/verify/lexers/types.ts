/** One import found by a language parser: the module specifier and where it is (1-based). */
export interface ImportRef {
  specifier: string
  line: number
  column: number
}

/** A string literal found by a tokenizer: its contents (escapes kept) and where they start (1-based). */
export interface StringLiteral {
  value: string
  line: number
  column: number
}
