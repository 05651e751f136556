/** Registry hosts: which are reached over plain HTTP. Image references themselves: `src/images/reference.ts`. */
/** Loopback registries are always reached over plain HTTP. */
function isLoopbackHost(host: string): boolean {
  const bare = hostWithoutPort(host)
  return bare === 'localhost' || bare === '::1' || bare === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(bare)
}

function hostWithoutPort(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1)
  const colon = host.lastIndexOf(':')
  return colon > 0 && /^\d+$/.test(host.slice(colon + 1)) ? host.slice(0, colon) : host
}

/**
 * True when `host` is reached over plain HTTP: listed (with or without port) in `insecureHosts`, or loopback unless
 * `loopback` is false (charts: Helm and Flux use HTTPS to every host their source does not call insecure).
 */
export function isPlainHttp(host: string, insecureHosts: readonly string[] = [], loopback = true): boolean {
  return (
    (loopback && isLoopbackHost(host)) || insecureHosts.includes(host) || insecureHosts.includes(hostWithoutPort(host))
  )
}
