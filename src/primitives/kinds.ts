import {usageError} from '../core/errors.js'

/** The six primitive kinds and the one language each is written in. */
export const KINDS = ['domain', 'process', 'agent', 'uisurface', 'projection', 'integration'] as const
export type Kind = (typeof KINDS)[number]

/** The Kubernetes resource kind of each primitive kind (`kind: Domain` in a GitOps overlay); typed, so a new kind needs one. */
export const RESOURCE_KIND: Record<Kind, string> = {
  domain: 'Domain',
  process: 'Process',
  agent: 'Agent',
  uisurface: 'UISurface',
  projection: 'Projection',
  integration: 'Integration',
}

/** The primitive resource kinds, derived from KINDS (gitops facts recognise a primitive by them). */
export const RESOURCE_KINDS: ReadonlySet<string> = new Set(KINDS.map((k) => RESOURCE_KIND[k]))

export type Language = 'go' | 'python' | 'typescript'

export const CANONICAL_LANGUAGE: Record<Kind, Language> = {
  domain: 'go',
  process: 'go',
  projection: 'go',
  integration: 'go',
  agent: 'python',
  uisurface: 'typescript',
}

/** Spellings accepted by `--lang` for each language (all mean the canonical one). */
const LANGUAGE_ALIASES: Record<Language, string[]> = {
  go: ['go', 'golang'],
  python: ['python', 'py'],
  typescript: ['typescript', 'ts', 'node'],
}

/** The environment variable that carries a running primitive's identity. */
export const IDENTITY_ENV: Record<Kind, string> = {
  domain: 'DOMAIN_NAME',
  process: 'PROCESS_NAME',
  agent: 'AGENT_ID',
  uisurface: 'UISURFACE_NAME',
  projection: 'PROJECTION_NAME',
  integration: 'INTEGRATION_NAME',
}

/**
 * kebab-case, DNS-1123 safe. 33 characters at most, because the name flows into
 * `<env>-<kind>-<name>-<version>-smoke` (≤ 63 with `production-`, `uisurface-`, `-v0-smoke`).
 */
export const NAME_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/
export const NAME_MAX_LENGTH = 33

export function isKind(value: string): value is Kind {
  return (KINDS as readonly string[]).includes(value)
}

export function parseKind(value: string): Kind {
  if (!isKind(value)) {
    throw usageError('INVALID_KIND', `Unknown kind ${JSON.stringify(value)}.`, [`Use one of: ${KINDS.join(', ')}.`])
  }
  return value
}

/** Returns why a name is invalid, or null when it is valid. */
export function nameProblem(name: string): string | null {
  if (name.length === 0) return 'the name is empty'
  if (name.length > NAME_MAX_LENGTH)
    return `the name is ${name.length} characters long; at most ${NAME_MAX_LENGTH} are allowed`
  if (!NAME_PATTERN.test(name)) {
    return 'the name must be kebab-case: lowercase ASCII letters and digits in dash-separated words, starting with a letter'
  }
  return null
}

export function parseName(name: string): string {
  const problem = nameProblem(name)
  if (problem) {
    throw usageError('INVALID_NAME', `Invalid primitive name ${JSON.stringify(name)}: ${problem}.`, [
      `Names match ${NAME_PATTERN.source} and have at most ${NAME_MAX_LENGTH} characters, e.g. "orders" or "tenancy-onboarding".`,
    ])
  }
  return name
}

/** Accepts only the kind's canonical language (in any of its spellings). */
export function parseLanguage(kind: Kind, lang: string | undefined): Language {
  const canonical = CANONICAL_LANGUAGE[kind]
  if (lang === undefined) return canonical
  if (LANGUAGE_ALIASES[canonical].includes(lang.toLowerCase())) return canonical
  throw usageError(
    'UNSUPPORTED_LANGUAGE',
    `Kind ${kind} is written in ${canonical}; --lang ${JSON.stringify(lang)} is not supported.`,
    [`Omit --lang, or pass --lang ${canonical}.`],
  )
}

/** Image repository name of a primitive, without the registry. */
export function imageName(kind: Kind, name: string): string {
  return `primitive-${kind}-${name}`
}

/** Repo-relative folder of a primitive. */
export function primitivePath(kind: Kind, name: string): string {
  return `primitives/${kind}/${name}`
}
