/** A parsed container image reference: [registry/]path[:tag][@sha256:digest]. */
export interface ImageRef {
  name: string
  tag: string | null
  digest: string | null
}

export const FLOATING_TAGS = new Set(['dev', 'main', 'latest'])

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*'
const DOMAIN =
  '(?:localhost|[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*)(?::[0-9]+)?'
const REFERENCE = new RegExp(
  `^((?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$`,
)

/** Parses a literal image reference; null when the value is not one (or is templated: `${…}`, `{{…}}`, `$VAR`). */
export function parseImageRef(value: string): ImageRef | null {
  const v = value.trim()
  if (v === '' || /\$|\{\{|<|>/.test(v)) return null
  const m = REFERENCE.exec(v)
  if (!m) return null
  return {name: m[1], tag: m[2] ?? null, digest: m[3] ?? null}
}

/** Values that are references by their template, not literals: skipped, not judged. */
export function isTemplated(value: string): boolean {
  return /\$\{|\{\{|\$\(|^\$[A-Za-z_]/.test(value)
}

/**
 * A floating tag written anywhere in free text: `name:dev`, `registry/path:latest`, `${IMAGE}:main`.
 * Group 1 is the whole reference, group 2 the tag.
 */
export const FLOATING_IN_TEXT = new RegExp(
  `(?<![\\w./@:%-])((?:(?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*|\\$\\{[A-Za-z_][\\w.]*\\}|\\{\\{[^}]{1,80}\\}\\}|\\$[A-Z_][A-Z0-9_]*):(dev|main|latest))(?![\\w.-])`,
  'g',
)
