import {execa} from 'execa'
import {spawn, type ChildProcess} from 'node:child_process'
import {createHash} from 'node:crypto'
import {openSync, closeSync, readFileSync} from 'node:fs'
import {mkdir, writeFile} from 'node:fs/promises'
import {createServer} from 'node:net'
import path from 'node:path'
import {makeTempDir, registerCleanup} from './tmp.js'
import {requireTool} from './toolchain.js'

export interface RegistryOptions {
  /** 'htpasswd': Basic auth with a bcrypt htpasswd file (generated with apache2-utils `htpasswd -B`). */
  auth?: 'none' | 'htpasswd'
  user?: string
  /** Test-only secret; handed to htpasswd via stdin, never put on a command line or in a log. */
  password?: string
}

export interface Registry {
  /** `127.0.0.1:PORT`, as used in image references. */
  host: string
  /** `http://127.0.0.1:PORT`. */
  url: string
  /** Temp dir holding config.yml, data/, registry.log (and htpasswd). */
  dir: string
  auth: 'none' | 'htpasswd'
  /** Present with auth 'htpasswd'. */
  credentials?: {user: string; password: string}
  /** Headers for a direct HTTP call (Authorization when auth is on). */
  headers(): Record<string, string>
  /** The registry's log so far (for failure messages). */
  log(): string
  stop(): Promise<void>
}

/** Every manifest media type publish may meet; without an Accept header distribution 2.8 404s OCI manifests. */
export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(',')

/** A free TCP port on 127.0.0.1 (tiny race until the registry binds it; startRegistry retries). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })
}

function registryConfig(dir: string, port: number, htpasswdFile?: string): string {
  const lines = [
    'version: 0.1',
    'log: {level: warn, accesslog: {disabled: true}}',
    'storage:',
    `  filesystem: {rootdirectory: "${path.join(dir, 'data')}"}`,
    '  delete: {enabled: true}',
    '  maintenance: {uploadpurging: {enabled: false}}',
    `http: {addr: "127.0.0.1:${port}", secret: test-only-secret}`,
  ]
  if (htpasswdFile) lines.push('auth:', `  htpasswd: {realm: ameide-test-registry, path: "${htpasswdFile}"}`)
  return lines.join('\n') + '\n'
}

async function writeHtpasswd(file: string, user: string, password: string): Promise<void> {
  // -n: to stdout, -i: password from stdin, -B: bcrypt (the only scheme distribution 2.8 accepts).
  const {stdout} = await execa(requireTool('htpasswd'), ['-niB', user], {input: `${password}\n`})
  await writeFile(file, stdout.trim() + '\n', {mode: 0o600})
}

/** Registries still running; killed synchronously if the test worker exits without stopping them. */
const liveChildren = new Set<ChildProcess>()
let exitHookInstalled = false
function track(child: ChildProcess): void {
  liveChildren.add(child)
  child.once('exit', () => liveChildren.delete(child))
  if (!exitHookInstalled) {
    exitHookInstalled = true
    process.once('exit', () => liveChildren.forEach((c) => c.kill('SIGKILL')))
  }
}

async function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve(true)
    })
  })
}

async function waitUntilAnswering(url: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 15_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`docker-registry exited with ${child.exitCode}:\n${readFileSync(logFile, 'utf8')}`)
    }
    try {
      const response = await fetch(`${url}/v2/`, {signal: AbortSignal.timeout(1000)})
      await response.arrayBuffer()
      if (response.status === 200 || response.status === 401) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`docker-registry did not answer ${url}/v2/ within 15 s:\n${readFileSync(logFile, 'utf8')}`)
}

/**
 * Starts Debian's docker-registry (distribution 2.8) on a free 127.0.0.1 port with filesystem storage in a temp
 * dir and delete enabled; resolves once GET /v2/ answers (200, or 401 with auth). stop() is also registered with
 * runCleanups(), and the process is killed if the test worker exits.
 */
export async function startRegistry(options: RegistryOptions = {}): Promise<Registry> {
  const binary = requireTool('docker-registry')
  const auth = options.auth ?? 'none'
  const dir = await makeTempDir('ameide-registry-')
  let credentials: Registry['credentials']
  let htpasswdFile: string | undefined
  if (auth === 'htpasswd') {
    credentials = {user: options.user ?? 'ci-user', password: options.password ?? 'ci-test-password'}
    htpasswdFile = path.join(dir, 'htpasswd')
    await writeHtpasswd(htpasswdFile, credentials.user, credentials.password)
  }

  const logFile = path.join(dir, 'registry.log')
  for (let attempt = 1; ; attempt++) {
    const port = await freePort()
    const configFile = path.join(dir, 'config.yml')
    await writeFile(configFile, registryConfig(dir, port, htpasswdFile))
    const logFd = openSync(logFile, 'a')
    const child = spawn(binary, ['serve', configFile], {stdio: ['ignore', logFd, logFd]})
    closeSync(logFd)
    track(child)
    const host = `127.0.0.1:${port}`
    const url = `http://${host}`
    try {
      await waitUntilAnswering(url, child, logFile)
    } catch (error) {
      child.kill('SIGKILL')
      if (attempt < 3 && /address already in use/.test(readFileSync(logFile, 'utf8'))) continue
      throw error
    }

    let stopped = false
    const stop = async () => {
      if (stopped) return
      stopped = true
      child.kill('SIGTERM')
      if (!(await waitForExit(child, 5000))) {
        child.kill('SIGKILL')
        await waitForExit(child, 5000)
      }
    }
    registerCleanup(stop) // runs before the temp dir's cleanup (LIFO)
    const authorization = credentials
      ? `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64')}`
      : undefined
    return {
      host,
      url,
      dir,
      auth,
      credentials,
      headers: (): Record<string, string> => (authorization ? {Authorization: authorization} : {}),
      log: () => readFileSync(logFile, 'utf8'),
      stop,
    }
  }
}

/**
 * Writes `<dir>/config.json` in Docker's format ({"auths":{host:{auth}}}, mode 0600) so tools get the credentials
 * from a file instead of argv: buildah/skopeo `--authfile <file>` (or REGISTRY_AUTH_FILE), cosign/oras/docker
 * `DOCKER_CONFIG=<dir>`. Returns the file path. Without credentials the file has empty auths.
 */
export async function writeDockerConfig(registry: Registry, dir: string): Promise<string> {
  const auths: Record<string, {auth: string}> = {}
  if (registry.credentials) {
    const {user, password} = registry.credentials
    auths[registry.host] = {auth: Buffer.from(`${user}:${password}`).toString('base64')}
  }
  await mkdir(dir, {recursive: true})
  const file = path.join(dir, 'config.json')
  await writeFile(file, JSON.stringify({auths}, null, 2) + '\n', {mode: 0o600})
  return file
}

export interface ManifestResponse {
  /** Docker-Content-Digest from the registry. */
  digest: string
  /** sha256 over the exact bytes received (equals `digest` for a well-behaved registry). */
  computedDigest: string
  mediaType: string
  body: Buffer
  json<T = Record<string, unknown>>(): T
}

/** GET /v2/<repo>/manifests/<reference> with every manifest Accept type (and auth when the registry has it). */
export async function getManifest(registry: Registry, repo: string, reference: string): Promise<ManifestResponse> {
  const response = await fetch(`${registry.url}/v2/${repo}/manifests/${reference}`, {
    headers: {Accept: MANIFEST_ACCEPT, ...registry.headers()},
  })
  const body = Buffer.from(await response.arrayBuffer())
  if (!response.ok) {
    throw new Error(`GET manifest ${repo}:${reference} -> ${response.status} ${body.toString('utf8').slice(0, 500)}`)
  }
  return {
    digest: response.headers.get('docker-content-digest') ?? '',
    computedDigest: `sha256:${createHash('sha256').update(body).digest('hex')}`,
    mediaType: response.headers.get('content-type') ?? '',
    body,
    json: <T>() => JSON.parse(body.toString('utf8')) as T,
  }
}

/** GET /v2/<repo>/tags/list: the tags, sorted ([] when the repository does not exist). */
export async function listTags(registry: Registry, repo: string): Promise<string[]> {
  const response = await fetch(`${registry.url}/v2/${repo}/tags/list`, {headers: registry.headers()})
  if (response.status === 404) return []
  if (!response.ok) throw new Error(`GET tags ${repo} -> ${response.status}`)
  return (((await response.json()) as {tags?: string[] | null}).tags ?? []).sort()
}

/** HEAD /v2/<repo>/blobs/<digest>: true when the blob exists. */
export async function blobExists(registry: Registry, repo: string, digest: string): Promise<boolean> {
  const response = await fetch(`${registry.url}/v2/${repo}/blobs/${digest}`, {
    method: 'HEAD',
    headers: registry.headers(),
  })
  return response.ok
}
