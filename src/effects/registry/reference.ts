/**
 * Image repository references: `host[:port]/path` split into the registry host the HTTP API lives on and the
 * repository name inside it. Only what publish needs: fully qualified names (no short-name resolution).
 */
export interface RepositoryRef {
  /** As written by the user, e.g. `ghcr.io/ameideio/primitive-domain-orders` or `127.0.0.1:5000/x`. */
  repository: string
  /** Host used in the HTTP API and for credentials, e.g. `ghcr.io`, `127.0.0.1:5000`, `registry-1.docker.io`. */
  host: string
  /** Repository name inside the registry, e.g. `ameideio/primitive-domain-orders`. */
  name: string
}

export function parseRepository(repository: string): RepositoryRef {
  const slash = repository.indexOf('/')
  if (slash <= 0) throw new Error(`"${repository}" is not a fully qualified repository (host/name)`)
  let host = repository.slice(0, slash)
  const name = repository.slice(slash + 1)
  if (host === 'docker.io' || host === 'index.docker.io') host = 'registry-1.docker.io'
  return {repository, host, name}
}

/** Loopback registries are always reached over plain HTTP. */
export function isLoopbackHost(host: string): boolean {
  const bare = hostWithoutPort(host)
  return bare === 'localhost' || bare === '::1' || bare === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(bare)
}

export function hostWithoutPort(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1)
  const colon = host.lastIndexOf(':')
  return colon > 0 && /^\d+$/.test(host.slice(colon + 1)) ? host.slice(0, colon) : host
}

/** True when `host` is reached over plain HTTP: loopback, or listed (with or without port) in `insecureHosts`. */
export function isPlainHttp(host: string, insecureHosts: readonly string[] = []): boolean {
  return isLoopbackHost(host) || insecureHosts.includes(host) || insecureHosts.includes(hostWithoutPort(host))
}

export const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/
