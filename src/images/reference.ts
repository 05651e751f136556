/**
 * The one model of a container image reference, used by publish, the registry client, cosign, verify's image
 * policy and the gitops commands.
 *
 * Grammar: the OCI distribution reference grammar (as in distribution/reference and go-containerregistry's
 * `name` package):
 *
 *     reference  := name [ ":" tag ] [ "@" digest ]
 *     name       := [ domain "/" ] path-component ( "/" path-component )*
 *     domain     := host [ ":" port ]          host: DNS name or [IPv6]
 *     path-comp  := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
 *     tag        := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 *     digest     := algorithm ":" hex          sha256 (64 hex), sha384 (96), sha512 (128)
 *
 * The first component is a registry only when it contains "." or ":", is "localhost", or has an upper-case
 * letter; otherwise the name lives on Docker Hub (`docker.io`), where a one-component path gains `library/`.
 * `index.docker.io` and `registry-1.docker.io` are Docker Hub too. Two references name the same repository
 * when their normalised `repository` strings are equal (the registry compared case-insensitively).
 */

export const DOCKER_HUB = 'docker.io'
/** The host Docker Hub's registry API answers on. */
const DOCKER_HUB_API = 'registry-1.docker.io'
const DOCKER_HUB_ALIASES = new Set([DOCKER_HUB, 'index.docker.io', DOCKER_HUB_API])
const MAX_NAME_LENGTH = 255

/** Tags that move: a reference carrying one is not reproducible. */
export const FLOATING_TAGS: ReadonlySet<string> = new Set(['dev', 'main', 'latest'])

/** Regular-expression sources of the grammar, for scanners that look for references inside free text. */
export const GRAMMAR = (() => {
  const alphanumeric = '[a-z0-9]+'
  const separator = '(?:[._]|__|-+)'
  const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`
  const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])'
  const ipv6 = '\\[[a-fA-F0-9:]+\\]'
  const host = `(?:${domainComponent}(?:\\.${domainComponent})*|${ipv6})`
  const domain = `${host}(?::[0-9]+)?`
  const path = `${pathComponent}(?:/${pathComponent})*`
  const name = `(?:${domain}/)?${path}`
  const tag = '[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}'
  const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}'
  return {pathComponent, domain, path, name, tag, digest} as const
})()

const REFERENCE = new RegExp(`^(${GRAMMAR.name})(?::(${GRAMMAR.tag}))?(?:@(${GRAMMAR.digest}))?$`)
const DOMAIN = new RegExp(`^${GRAMMAR.domain}$`)
const HEX_LENGTH: Record<string, number> = {sha256: 64, sha384: 96, sha512: 128}

export interface ImageReference {
  /** Registry host[:port] as written, or `docker.io` when the name implies Docker Hub. */
  readonly registry: string
  /** Repository path inside the registry, with Docker Hub's implicit `library/`. */
  readonly path: string
  /** `registry/path` with the registry lower-cased and Docker Hub's aliases folded: what repositories compare by. */
  readonly repository: string
  readonly tag?: string
  readonly digest?: string
}

export class InvalidImageReference extends Error {
  constructor(
    readonly input: string,
    readonly reason: string,
  ) {
    super(`${JSON.stringify(input)} is not an image reference: ${reason}`)
    this.name = 'InvalidImageReference'
  }
}

/** Parses `[registry/]path[:tag][@digest]`; throws `InvalidImageReference` saying what is wrong. */
export function parseImageReference(input: string): ImageReference {
  const m = REFERENCE.exec(input)
  if (!m) throw new InvalidImageReference(input, whyInvalid(input))
  const [, name, tag, digest] = m
  if (name.length > MAX_NAME_LENGTH) {
    throw new InvalidImageReference(input, `the name is longer than ${MAX_NAME_LENGTH} characters`)
  }
  if (/^[a-f0-9]{64}$/.test(name)) {
    throw new InvalidImageReference(input, 'a 64-character hexadecimal string is an image id, not a name')
  }
  if (digest !== undefined) checkDigest(input, digest)
  const {registry, path} = splitRegistry(name)
  if (registry !== DOCKER_HUB && !DOMAIN.test(registry)) {
    throw new InvalidImageReference(input, 'the registry host is malformed')
  }
  if (path !== path.toLowerCase()) throw new InvalidImageReference(input, 'the repository path must be lowercase')
  return {
    registry,
    path,
    repository: `${canonicalRegistry(registry)}/${path}`,
    ...(tag !== undefined ? {tag} : {}),
    ...(digest !== undefined ? {digest} : {}),
  }
}

/** `parseImageReference`, or undefined when the text is not a reference. */
export function tryParseImageReference(input: string): ImageReference | undefined {
  try {
    return parseImageReference(input)
  } catch (error) {
    if (error instanceof InvalidImageReference) return undefined
    throw error
  }
}

/** A repository name alone: `[registry/]path`, no tag, no digest. */
export function parseRepository(input: string): ImageReference {
  const ref = parseImageReference(input)
  if (ref.tag !== undefined || ref.digest !== undefined) {
    throw new InvalidImageReference(input, 'a repository name carries neither a tag nor a digest')
  }
  return ref
}

/** True when the reference names exactly one image: it carries a sha256 digest. */
export function isDigestPinned(ref: ImageReference): ref is ImageReference & {digest: string} {
  return ref.digest !== undefined && /^sha256:[a-f0-9]{64}$/.test(ref.digest)
}

/** The tag a puller resolves: the written tag, or `latest` when there is neither tag nor digest. */
export function effectiveTag(ref: ImageReference): string | undefined {
  return ref.tag ?? (ref.digest === undefined ? 'latest' : undefined)
}

/** The floating tag a reference resolves through (`dev`, `main`, `latest`, or one of `extra`), if any. */
export function floatingTagOf(ref: ImageReference, extra: Iterable<string> = []): string | undefined {
  const tag = effectiveTag(ref)
  if (tag === undefined) return undefined
  return FLOATING_TAGS.has(tag) || new Set(extra).has(tag) ? tag : undefined
}

export function sameRepository(a: ImageReference, b: ImageReference): boolean {
  return a.repository === b.repository
}

/** The fully qualified form: `registry/path[:tag][@digest]` (Docker Hub's implicit parts written out). */
export function formatImageReference(ref: Pick<ImageReference, 'registry' | 'path' | 'tag' | 'digest'>): string {
  return `${ref.registry}/${ref.path}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`
}

/** The host the registry's HTTP API answers on (`docker.io` → `registry-1.docker.io`). */
export function registryApiHost(registry: string): string {
  return DOCKER_HUB_ALIASES.has(registry.toLowerCase()) ? DOCKER_HUB_API : registry
}

/**
 * The one "holds a template" predicate: a value with `{{ }}` (Helm, Argo CD ApplicationSets: `{{ .head_sha }}`),
 * `${ }` (Flux substitutions, shells), `$(…)` (Tekton, Kubernetes env expansion) or a leading `$VAR` is a reference
 * only once rendered: never floating, unpinned or a split-field violation in any rule of the gate.
 */
export function isTemplated(value: string): boolean {
  return /\$\{|\{\{|\$\(|^\$[A-Za-z_]/.test(value)
}

function splitRegistry(name: string): {registry: string; path: string} {
  const slash = name.indexOf('/')
  const first = slash === -1 ? '' : name.slice(0, slash)
  const isRegistry = first !== '' && (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase())
  if (!isRegistry) return {registry: DOCKER_HUB, path: name.includes('/') ? name : `library/${name}`}
  const path = name.slice(slash + 1)
  if (DOCKER_HUB_ALIASES.has(first.toLowerCase()) && !path.includes('/'))
    return {registry: first, path: `library/${path}`}
  return {registry: first, path}
}

function canonicalRegistry(registry: string): string {
  const lower = registry.toLowerCase()
  return DOCKER_HUB_ALIASES.has(lower) ? DOCKER_HUB : lower
}

function checkDigest(input: string, digest: string): void {
  const colon = digest.indexOf(':')
  const algorithm = digest.slice(0, colon)
  const hex = digest.slice(colon + 1)
  const length = HEX_LENGTH[algorithm]
  if (length === undefined) throw new InvalidImageReference(input, `unsupported digest algorithm "${algorithm}"`)
  if (hex.length !== length || !/^[a-f0-9]+$/.test(hex)) {
    throw new InvalidImageReference(input, `a ${algorithm} digest is ${length} lowercase hexadecimal characters`)
  }
}

function whyInvalid(input: string): string {
  if (input === '') return 'it is empty'
  if (/\s/.test(input)) return 'it contains white space'
  if (input.startsWith(':') || input.startsWith('@')) return 'the name is missing'
  const at = input.indexOf('@')
  if (at !== -1 && !new RegExp(`^${GRAMMAR.digest}$`).test(input.slice(at + 1))) return 'the digest is malformed'
  const beforeDigest = at === -1 ? input : input.slice(0, at)
  const lastColon = beforeDigest.lastIndexOf(':')
  const tag = lastColon > beforeDigest.lastIndexOf('/') ? beforeDigest.slice(lastColon + 1) : undefined
  if (tag !== undefined && !new RegExp(`^${GRAMMAR.tag}$`).test(tag)) return 'the tag is malformed'
  const name = tag === undefined ? beforeDigest : beforeDigest.slice(0, lastColon)
  const {path} = splitRegistry(name)
  if (path !== path.toLowerCase()) return 'the repository path must be lowercase'
  return 'the name is malformed'
}
