/** The order every list of the diff is sorted in: by UTF-16 code units, as JavaScript compares strings. */
export const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
