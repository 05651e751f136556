/** ASCII letters, digits, `_`, `$` and any non-ASCII code unit (identifiers in Go, TS and Python). */
export function isIdentChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36 || c > 127
}
