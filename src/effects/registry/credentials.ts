import {readFile} from 'node:fs/promises'
import {homedir} from 'node:os'
import path from 'node:path'

import {registerSecret} from '../../core/secrets.js'

/**
 * Registry credentials, looked up per host the way docker/buildah/cosign do: a chain of sources asked in order, the
 * first that has credentials for the host wins. The default chain (`DockerStyleCredentials`):
 * 1. `REGISTRY_AUTH_FILE` (containers auth.json, same format as docker's config.json);
 * 2. the docker config (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`): `credHelpers[host]`, then
 *    `auths[host]` (`auth` = base64 user:password, or `username`/`password`), then `credsStore`;
 * 3. `GITHUB_TOKEN` for ghcr.io (user `x-access-token`).
 * A new source is one class implementing `CredentialSource`, added to `defaultCredentialSources`. Every secret a
 * source reads is registered with the redactor at once.
 */
export interface RegistryCredential {
  username: string
  password: string
  /** Where it came from, for messages (never the value). */
  source: string
}

/** One place credentials can come from. */
export interface CredentialSource {
  /** Credentials for `host` (the API host, e.g. `ghcr.io`, `registry-1.docker.io`, `127.0.0.1:5000`), if any. */
  get(host: string): Promise<RegistryCredential | undefined>
}

/** What the registry client asks: credentials for a host. */
export type CredentialLookup = CredentialSource

interface DockerConfigFile {
  auths?: Record<string, {auth?: string; username?: string; password?: string; identitytoken?: string}>
  credHelpers?: Record<string, string>
  credsStore?: string
}

export interface CredentialSources {
  env?: Record<string, string | undefined>
  /** Home directory for ~/.docker (tests). */
  home?: string
}

/** Sources asked in order; the first answer wins, and each host is looked up once. */
export class CredentialChain implements CredentialLookup {
  private readonly cache = new Map<string, Promise<RegistryCredential | undefined>>()

  constructor(private readonly sources: readonly CredentialSource[]) {}

  get(host: string): Promise<RegistryCredential | undefined> {
    let found = this.cache.get(host)
    if (!found) {
      found = this.lookup(host)
      this.cache.set(host, found)
    }
    return found
  }

  private async lookup(host: string): Promise<RegistryCredential | undefined> {
    for (const source of this.sources) {
      const credential = await source.get(host)
      if (credential) return credential
    }
    return undefined
  }
}

/** `REGISTRY_AUTH_FILE`: the containers auth.json (podman, buildah, skopeo). */
export class AuthFileCredentials implements CredentialSource {
  constructor(private readonly env: Record<string, string | undefined>) {}

  async get(host: string): Promise<RegistryCredential | undefined> {
    const file = this.env.REGISTRY_AUTH_FILE
    return file ? fromConfigFile(file, host, 'REGISTRY_AUTH_FILE') : undefined
  }
}

/** The docker config: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export class DockerConfigCredentials implements CredentialSource {
  constructor(
    private readonly env: Record<string, string | undefined>,
    private readonly home: string,
  ) {}

  get(host: string): Promise<RegistryCredential | undefined> {
    const dir = this.env.DOCKER_CONFIG || path.join(this.home, '.docker')
    return fromConfigFile(path.join(dir, 'config.json'), host, 'docker config')
  }
}

/** `GITHUB_TOKEN` for ghcr.io, as the user `x-access-token`. */
export class GithubTokenCredentials implements CredentialSource {
  constructor(private readonly env: Record<string, string | undefined>) {}

  async get(host: string): Promise<RegistryCredential | undefined> {
    const token = this.env.GITHUB_TOKEN
    if (!token || (host !== 'ghcr.io' && !host.endsWith('.ghcr.io'))) return undefined
    registerSecret(token)
    return {username: 'x-access-token', password: token, source: 'GITHUB_TOKEN'}
  }
}

/** The default order: REGISTRY_AUTH_FILE, the docker config, GITHUB_TOKEN for ghcr.io. */
export function defaultCredentialSources(sources: CredentialSources = {}): CredentialSource[] {
  const env = sources.env ?? process.env
  const home = sources.home ?? homedir()
  return [new AuthFileCredentials(env), new DockerConfigCredentials(env, home), new GithubTokenCredentials(env)]
}

/** The chain docker, buildah and cosign would use (the registry client's default). */
export class DockerStyleCredentials extends CredentialChain {
  constructor(sources: CredentialSources = {}) {
    super(defaultCredentialSources(sources))
  }
}

async function readConfig(file: string): Promise<DockerConfigFile | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as DockerConfigFile
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    if (error instanceof SyntaxError) return undefined
    throw error
  }
}

/** Keys docker writes for a host: `host`, `https://host`, `http://host`, and docker hub's legacy URL. */
function hostKeys(host: string): string[] {
  const keys = [host, `https://${host}`, `http://${host}`, `https://${host}/v1/`, `https://${host}/v2/`]
  if (host === 'registry-1.docker.io') keys.push('https://index.docker.io/v1/', 'docker.io', 'index.docker.io')
  return keys
}

async function fromConfigFile(file: string, host: string, label: string): Promise<RegistryCredential | undefined> {
  const config = await readConfig(file)
  if (!config) return undefined
  const keys = hostKeys(host)
  const helper = keys.map((k) => config.credHelpers?.[k]).find(Boolean)
  if (helper) return fromHelper(helper, host)
  for (const key of keys) {
    const entry = config.auths?.[key]
    if (!entry) continue
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8')
      const colon = decoded.indexOf(':')
      if (colon > 0) {
        const credential = {username: decoded.slice(0, colon), password: decoded.slice(colon + 1), source: label}
        registerSecret(entry.auth)
        registerSecret(credential.password)
        return credential
      }
    }
    if (entry.username && entry.password) {
      registerSecret(entry.password)
      return {username: entry.username, password: entry.password, source: label}
    }
  }
  if (config.credsStore) return fromHelper(config.credsStore, host)
  return undefined
}

/** `docker-credential-<helper> get` with the host on stdin; `{"Username","Secret"}` on stdout. */
async function fromHelper(helper: string, host: string): Promise<RegistryCredential | undefined> {
  const {execa} = await import('execa')
  for (const serverUrl of [host, `https://${host}`]) {
    const result = await execa(`docker-credential-${helper}`, ['get'], {
      input: serverUrl,
      reject: false,
      timeout: 30_000,
    })
    if (result.exitCode !== 0) continue
    try {
      const parsed = JSON.parse(String(result.stdout)) as {Username?: string; Secret?: string}
      if (parsed.Secret) {
        registerSecret(parsed.Secret)
        return {username: parsed.Username ?? '', password: parsed.Secret, source: `docker-credential-${helper}`}
      }
    } catch {
      // a helper that prints something else has nothing for us
    }
  }
  return undefined
}
