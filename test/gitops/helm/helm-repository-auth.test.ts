/**
 * HTTP(S) chart repositories take a username and password from the user's Helm configuration
 * ($HELM_REPOSITORY_CONFIG, else ~/.config/helm/repositories.yaml): sent as basic auth only to the entry's own origin
 * (scheme, host and port), never on a redirect to another port or host, never printed. Two node:http servers on
 * loopback record every request's headers.
 */
import {createServer, type IncomingHttpHeaders} from 'node:http'
import {writeFile} from 'node:fs/promises'
import path from 'node:path'

import * as yaml from 'yaml'
import {afterAll, describe, expect, it} from 'vitest'

import {redact} from '../../../src/core/secrets.js'
import {ChartFetchError, ChartRepository} from '../../../src/effects/chart-repository.js'
import {basicAuthFor, helmBasicAuth, readHelmCredentials} from '../../../src/effects/helm-repositories.js'
import {makeTempDir, registerCleanup, runCleanups} from '../../support/tmp.js'

afterAll(runCleanups)

const PASSWORD = 'hunter2-chart-secret'

interface Server {
  origin: string
  host: string
  requests: Array<{path: string; headers: IncomingHttpHeaders}>
}

/** A server answering `answer(path)`: [status, headers, body]. */
async function serve(answer: (p: string) => [number, Record<string, string>, string]): Promise<Server> {
  const requests: Server['requests'] = []
  const server = createServer((req, res) => {
    requests.push({path: req.url ?? '', headers: req.headers})
    const [status, headers, body] = answer(req.url ?? '/')
    res.writeHead(status, headers).end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  registerCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {origin: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}`, requests}
}

async function helmConfig(entries: Array<Record<string, string>>): Promise<NodeJS.ProcessEnv> {
  const dir = await makeTempDir('ameide-helm-config-')
  const file = path.join(dir, 'repositories.yaml')
  await writeFile(file, yaml.stringify({apiVersion: '', repositories: entries}))
  return {HELM_REPOSITORY_CONFIG: file}
}

const client = (hosts: string[], basicAuth: (url: URL) => string | undefined) =>
  new ChartRepository({
    limits: {archiveBytes: 1 << 20, indexBytes: 1 << 20, timeoutMs: 5000},
    insecureHosts: hosts,
    credentials: {get: () => Promise.resolve(undefined)},
    basicAuth,
    retryPolicy: {attempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1},
  })

describe("a chart repository's basic auth from the Helm configuration", () => {
  it('is sent to the entry’s own host, and not on a redirect to another port', async () => {
    const target = await serve(() => [200, {}, 'apiVersion: v1\nentries: {}\n'])
    const repo = await serve((p) =>
      p === '/charts/index.yaml' ? [302, {location: `${target.origin}/index.yaml`}, ''] : [200, {}, 'ok'],
    )
    const env = await helmConfig([
      {name: 'private', url: `${repo.origin}/charts`, username: 'robot', password: PASSWORD},
      {name: 'other', url: `https://${repo.host}/charts`, username: 'x', password: 'wrong-scheme-pass'},
    ])
    const allowed = new Set([repo.host, target.host])
    const network = client([repo.host, target.host], helmBasicAuth(yaml, env, allowed))
    const bytes = await network.index(`${repo.origin}/charts`)
    expect(bytes.toString()).toContain('entries')
    const expected = `Basic ${Buffer.from(`robot:${PASSWORD}`).toString('base64')}`
    expect(repo.requests.map((r) => [r.path, r.headers.authorization])).toEqual([['/charts/index.yaml', expected]])
    expect(target.requests.map((r) => [r.path, r.headers.authorization])).toEqual([['/index.yaml', undefined]])
  })

  it('is never sent to a host the base did not declare, nor to another scheme or port', async () => {
    const env = await helmConfig([{url: 'https://charts.example.com/stable', username: 'u', password: PASSWORD}])
    const credentials = readHelmCredentials(yaml, env)
    expect(basicAuthFor(credentials, new URL('https://charts.example.com/stable/index.yaml'))).toMatch(/^Basic /)
    expect(basicAuthFor(credentials, new URL('https://charts.example.com/other/x.tgz'))).toMatch(/^Basic /)
    expect(basicAuthFor(credentials, new URL('http://charts.example.com/stable/index.yaml'))).toBeUndefined()
    expect(basicAuthFor(credentials, new URL('https://charts.example.com:8443/stable/index.yaml'))).toBeUndefined()
    expect(basicAuthFor(credentials, new URL('https://cdn.example.com/stable/x.tgz'))).toBeUndefined()
    const auth = helmBasicAuth(yaml, env, new Set(['elsewhere.example.com']))
    expect(auth(new URL('https://charts.example.com/stable/index.yaml'))).toBeUndefined()
  })

  it('never shows the password: a failure names the URL only, and the secret is redacted', async () => {
    const repo = await serve(() => [500, {}, `no ${PASSWORD}`])
    const env = await helmConfig([{url: repo.origin, username: 'robot', password: PASSWORD}])
    const network = client([repo.host], helmBasicAuth(yaml, env, new Set([repo.host])))
    const error = await network.index(repo.origin).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ChartFetchError)
    expect((error as Error).message).not.toContain(PASSWORD)
    expect(redact(`echo ${PASSWORD}`)).not.toContain(PASSWORD)
    expect(repo.requests[0].headers.authorization).toMatch(/^Basic /)
  })

  it('reads nothing when the file is absent or not YAML', async () => {
    expect(readHelmCredentials(yaml, {HELM_REPOSITORY_CONFIG: '/nonexistent/repositories.yaml'})).toEqual([])
    const dir = await makeTempDir('ameide-helm-config-')
    await writeFile(path.join(dir, 'r.yaml'), ': : [')
    expect(readHelmCredentials(yaml, {HELM_REPOSITORY_CONFIG: path.join(dir, 'r.yaml')})).toEqual([])
  })
})
