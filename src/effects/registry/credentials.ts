import {readFile} from 'node:fs/promises'
import {homedir} from 'node:os'
import path from 'node:path'

import {registerSecret} from '../../core/secrets.js'

/**
 * Registry credentials, looked up per host the way docker/buildah/cosign do, in this order:
 * 1. `REGISTRY_AUTH_FILE` (containers auth.json, same format as docker's config.json);
 * 2. the docker config (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`): `credHelpers[host]`, then
 *    `auths[host]` (`auth` = base64 user:password, or `username`/`password`), then `credsStore`;
 * 3. `GITHUB_TOKEN` for ghcr.io (user `x-access-token`).
 * Every secret read is registered with the redactor at once.
 */
export interface RegistryCredential {
  username: string
  password: string
  /** Where it came from, for messages (never the value). */
  source: string
}

export interface CredentialLookup {
  get(host: string): Promise<RegistryCredential | undefined>
}

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

export class DockerStyleCredentials implements CredentialLookup {
  private readonly cache = new Map<string, Promise<RegistryCredential | undefined>>()
  private readonly env: Record<string, string | undefined>
  private readonly home: string

  constructor(sources: CredentialSources = {}) {
    this.env = sources.env ?? process.env
    this.home = sources.home ?? homedir()
  }

  get(host: string): Promise<RegistryCredential | undefined> {
    let found = this.cache.get(host)
    if (!found) {
      found = this.lookup(host)
      this.cache.set(host, found)
    }
    return found
  }

  private async lookup(host: string): Promise<RegistryCredential | undefined> {
    const authFile = this.env.REGISTRY_AUTH_FILE
    if (authFile) {
      const fromFile = await fromConfigFile(authFile, host, 'REGISTRY_AUTH_FILE')
      if (fromFile) return fromFile
    }
    const dockerDir = this.env.DOCKER_CONFIG || path.join(this.home, '.docker')
    const fromDocker = await fromConfigFile(path.join(dockerDir, 'config.json'), host, 'docker config')
    if (fromDocker) return fromDocker
    const token = this.env.GITHUB_TOKEN
    if (token && (host === 'ghcr.io' || host.endsWith('.ghcr.io'))) {
      registerSecret(token)
      return {username: 'x-access-token', password: token, source: 'GITHUB_TOKEN'}
    }
    return undefined
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
