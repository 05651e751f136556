import {spawn} from 'node:child_process'
import {createHash} from 'node:crypto'

import {registerCleanup} from './tmp.js'
import {requireTool} from './toolchain.js'

/**
 * go-containerregistry's registry with the OCI 1.1 referrers API (test/support/referrers-registry/, built by
 * scripts/ci/install-toolchain.sh), on a free loopback port; stopped by runCleanups(). Debian's docker-registry has
 * no referrers API: between the two, the suites see where cosign 3 stores bundles either way.
 */
export async function startReferrersRegistry(): Promise<{host: string; url: string}> {
  const child = spawn(requireTool('referrers-registry'), ['-addr', '127.0.0.1:0'], {stdio: ['ignore', 'pipe', 'pipe']})
  registerCleanup(async () => {
    child.kill('SIGKILL')
  })
  const host = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8')
      const match = /listening on (127\.0\.0\.1:\d+)/.exec(out)
      if (match) resolve(match[1])
    })
    child.once('exit', (code) => reject(new Error(`referrers-registry exited (${code}) before listening: ${out}`)))
  })
  const url = `http://${host}`
  const answer = await fetch(`${url}/v2/`)
  if (answer.status !== 200) throw new Error(`referrers-registry answered ${answer.status} to GET /v2/`)
  return {host, url}
}

/**
 * A small OCI image of its own (a config naming `label`, no layers) pushed as `<repo>:<tag>` over the distribution
 * API: a distinct digest per label, no builder needed. Returns `<host>/<repo>@sha256:…`.
 */
export async function pushTinyImage(url: string, host: string, repo: string, label: string): Promise<string> {
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {Labels: {label}},
      rootfs: {type: 'layers', diff_ids: []},
    }),
  )
  const configDigest = digestOf(config)
  const upload = await fetch(`${url}/v2/${repo}/blobs/uploads/`, {method: 'POST'})
  const location = new URL(upload.headers.get('location') ?? '', url)
  location.searchParams.set('digest', configDigest)
  const put = await fetch(location, {
    method: 'PUT',
    body: config,
    headers: {'Content-Type': 'application/octet-stream'},
  })
  if (put.status !== 201) throw new Error(`blob upload to ${repo}: ${put.status}`)
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length},
      layers: [],
    }),
  )
  const res = await fetch(`${url}/v2/${repo}/manifests/${label}`, {
    method: 'PUT',
    body: manifest,
    headers: {'Content-Type': 'application/vnd.oci.image.manifest.v1+json'},
  })
  if (res.status !== 201) throw new Error(`manifest upload to ${repo}: ${res.status}`)
  return `${host}/${repo}@${digestOf(manifest)}`
}

function digestOf(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}
