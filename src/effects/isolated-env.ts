/**
 * The environment of the git calls that read an untrusted revision (src/gitops/revision): built from an allow-list,
 * never inherited. Pure: raises nothing.
 */

/** The variables of this process git may see: the command search path and the locale. */
const ALLOWED = /^(PATH|LANG|LANGUAGE|LC_[A-Z_]+|TZ)$/

/**
 * The environment of git reading an untrusted revision: PATH and the locale from this process, HOME, TMPDIR
 * and the XDG folders private (under `home`), a KUBECONFIG that does not exist — and nothing else: no token, no
 * registry credential, no proxy, none of the job's variables.
 */
export function allowListedEnv(home: string, base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(base)) if (v !== undefined && ALLOWED.test(k)) env[k] = v
  return {
    ...env,
    HOME: home,
    TMPDIR: home,
    XDG_CONFIG_HOME: `${home}/xdg-config`,
    XDG_CACHE_HOME: `${home}/xdg-cache`,
    XDG_DATA_HOME: `${home}/xdg-data`,
    KUBECONFIG: `${home}/kubeconfig`,
  }
}
