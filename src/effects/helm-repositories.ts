/**
 * The user's Helm repository credentials, as `helm repo add --username --password` keeps them: the `repositories`
 * of $HELM_REPOSITORY_CONFIG, else $XDG_CONFIG_HOME/helm/repositories.yaml, else ~/.config/helm/repositories.yaml
 * (entries with `url`, `username`, `password`). A credential is for its entry's own origin only — scheme, host and
 * port equal, as Helm passes credentials only to the repository's host — never for a redirect elsewhere
 * (src/effects/chart-repository.ts drops Authorization across origins). Each password is registered as a secret
 * (core/secrets) the moment it is read: never printed, logged or put in JSON.
 */
import os from 'node:os'
import path from 'node:path'

import {readFileSync} from '../core/memory-fs/index.js'
import {registerSecret} from '../core/secrets.js'
import type {YamlModule} from '../images/yaml/index.js'

export interface HelmRepositoryCredential {
  /** The entry's URL, parsed. */
  url: URL
  username: string
  password: string
}

/** Where Helm keeps its repositories file for `env`. */
export function helmRepositoryConfig(env: NodeJS.ProcessEnv): string {
  if (env.HELM_REPOSITORY_CONFIG) return env.HELM_REPOSITORY_CONFIG
  const config = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config')
  return path.join(config, 'helm', 'repositories.yaml')
}

/** The entries of the repositories file that carry a username or password (none when it is absent or unreadable). */
export function readHelmCredentials(
  yaml: YamlModule,
  env: NodeJS.ProcessEnv = process.env,
): HelmRepositoryCredential[] {
  let doc: unknown
  try {
    doc = yaml.parse(readFileSync(helmRepositoryConfig(env), 'utf8'))
  } catch {
    return [] // no file, or not YAML: Helm would read no credential either
  }
  const repositories = (doc as {repositories?: unknown} | null)?.repositories
  const out: HelmRepositoryCredential[] = []
  for (const r of Array.isArray(repositories) ? (repositories as unknown[]) : []) {
    if (r === null || typeof r !== 'object') continue
    const {url, username, password} = r as Record<string, unknown>
    const text = (v: unknown) => (typeof v === 'string' ? v : '')
    if (typeof url !== 'string' || (text(username) === '' && text(password) === '')) continue
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      continue
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') continue
    registerSecret(text(password))
    out.push({url: parsed, username: text(username), password: text(password)})
  }
  return out
}

/**
 * The `Authorization` value for a request to `url`: the credential of the entry whose origin is the URL's (the one
 * whose URL is the longest prefix of it, where several share the origin); undefined for any other origin.
 */
export function basicAuthFor(credentials: readonly HelmRepositoryCredential[], url: URL): string | undefined {
  const same = credentials.filter((c) => c.url.origin === url.origin)
  if (same.length === 0) return undefined
  const base = (c: HelmRepositoryCredential) => c.url.href.replace(/\/*$/, '/')
  const prefixed = same.filter((c) => url.href.startsWith(base(c)) || url.href === c.url.href)
  const chosen = (prefixed.length > 0 ? prefixed : same).sort((a, b) => base(b).length - base(a).length)[0]
  const token = Buffer.from(`${chosen.username}:${chosen.password}`, 'utf8').toString('base64')
  registerSecret(token)
  return `Basic ${token}`
}

/**
 * The chart repositories' `Authorization` (ChartRepositoryOptions.basicAuth): the user's Helm credentials, each for
 * its own origin, and only to a host the base declared (`allowed`: `host` or `host:port`).
 */
export function helmBasicAuth(
  yaml: YamlModule,
  env: NodeJS.ProcessEnv,
  allowed: ReadonlySet<string>,
): (url: URL) => string | undefined {
  const credentials = readHelmCredentials(yaml, env)
  return (url) => (allowed.has(url.host) || allowed.has(url.hostname) ? basicAuthFor(credentials, url) : undefined)
}
