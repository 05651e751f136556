/**
 * The fields `keys` of `o` that hold a value (truthy), in the order named: spread into an object literal that
 * carries an optional field only when it is set (`{rule, ...present(f, 'environment', 'object')}`).
 */
export function present<T extends object, K extends keyof T>(o: T, ...keys: K[]): {[P in K]?: NonNullable<T[P]>} {
  const out: {[P in K]?: NonNullable<T[P]>} = {}
  for (const key of keys) if (o[key]) out[key] = o[key] as NonNullable<T[K]>
  return out
}
