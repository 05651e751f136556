// `ameide primitive status --all --skip-verify --env dev --env staging --argocd-server … --json` over N primitives
// (default 200), every one published (:<sha> and :main in a real registry), wired and enabled in dev in the GitHub
// stand-in, deployed in Argo CD's stand-in; staging left absent. Prints the median wall time of `runs` runs and the
// requests each system received (the bound docs/commands/primitive-status.md states: registry 2, GitHub 2 + E,
// Argo CD E per primitive, plus the open-PR listing once).
import {execFileSync} from 'node:child_process'

import {execa} from 'execa'
import {createHash} from 'node:crypto'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {performance} from 'node:perf_hooks'
import {fileURLToPath} from 'node:url'

import {FakeArgoCd} from '../test/support/argocd-server.js'
import {startFakeGitHub} from '../test/support/github-server.js'
import {startRegistry} from '../test/support/registry.js'

const runs = Number(process.argv[2] ?? 3)
const N = Number(process.argv[3] ?? 200)
const cli = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const GH = 'ghp_bench-status-token'
const ARGO = 'argocd-bench-token'

const registry = await startRegistry()
const github = await startFakeGitHub({token: GH})
const argo = await new FakeArgoCd(ARGO).start()
const root = mkdtempSync(path.join(tmpdir(), 'ameide-bench-status-'))
const git = (...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=b', '-c', 'user.email=b@b', ...args], {cwd: root, stdio: 'pipe'})
try {
  git('init', '-q', '-b', 'main')
  writeFileSync(path.join(root, 'ameide.yaml'), `registry: ${registry.host}/bench\n`)
  for (let i = 0; i < N; i++) {
    mkdirSync(path.join(root, 'primitives/domain', `p${i}`), {recursive: true})
    writeFileSync(path.join(root, 'primitives/domain', `p${i}`, 'README.md'), `p${i}\n`)
  }
  git('add', '-A')
  git('commit', '-qm', 'tree')
  const sha = execFileSync('git', ['rev-parse', 'HEAD'], {cwd: root, encoding: 'utf8'}).trim()

  const files: Record<string, string> = {}
  for (let i = 0; i < N; i++) {
    const repo = `bench/primitive-domain-p${i}`
    const config = Buffer.from(JSON.stringify({architecture: 'amd64', os: 'linux', config: {Labels: {i: String(i)}}}))
    const configDigest = `sha256:${createHash('sha256').update(config).digest('hex')}`
    const start = await fetch(`${registry.url}/v2/${repo}/blobs/uploads/`, {method: 'POST'})
    const location = new URL(start.headers.get('location')!, registry.url)
    location.searchParams.set('digest', configDigest)
    await fetch(location, {method: 'PUT', body: config})
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length},
      layers: [],
    })
    for (const tag of [sha, 'main']) {
      await fetch(`${registry.url}/v2/${repo}/manifests/${tag}`, {
        method: 'PUT',
        body: manifest,
        headers: {'content-type': 'application/vnd.oci.image.manifest.v1+json'},
      })
    }
    const ref = `${registry.host}/${repo}:${sha}@sha256:${createHash('sha256').update(manifest).digest('hex')}`
    const component = `domain-p${i}-v0`
    files[`environments/_shared/components/apps/primitives/${component}/component.yaml`] = `name: ${component}\n`
    files[`sources/values/_shared/apps/${component}.yaml`] = 'enabled: false\n'
    files[`sources/values/env/dev/apps/${component}.yaml`] = `enabled: true\nimage:\n  ref: ${ref}\n`
    argo.apps.set(`dev-${component}`, {sync: 'Synced', health: 'Healthy', images: [ref]})
  }
  github.commitFiles('main', files)

  const times: number[] = []
  let last: any
  for (let r = 0; r < runs; r++) {
    const [gh0, cd0] = [github.requests.length, argo.requests.length]
    const t0 = performance.now()
    // Asynchronously: the stand-ins answer from this process's event loop.
    const run = await execa(
      process.execPath,
      [
        cli,
        'primitive',
        'status',
        '--all',
        '--skip-verify',
        '--env',
        'dev',
        '--env',
        'staging',
        '--argocd-server',
        argo.url,
        '--json',
      ],
      {
        cwd: root,
        maxBuffer: 1 << 28,
        reject: false,
        env: {...process.env, GH_TOKEN: GH, GITHUB_API_URL: github.url, ARGOCD_AUTH_TOKEN: ARGO, NO_COLOR: '1'},
      },
    )
    times.push(performance.now() - t0)
    if (run.exitCode !== 1) throw new Error(`exit ${run.exitCode}: ${String(run.stderr).slice(0, 500)}`)
    last = {doc: JSON.parse(String(run.stdout)), gh: github.requests.length - gh0, cd: argo.requests.length - cd0}
  }
  times.sort((a, b) => a - b)
  const states: Record<string, number> = {}
  for (const p of last.doc.primitives)
    for (const l of p.links) states[`${l.link}:${l.state}`] = (states[`${l.link}:${l.state}`] ?? 0) + 1
  console.log(`primitive status --all, ${N} primitives, 2 environments, ${runs} runs`)
  console.log(`  wall: median ${Math.round(times[Math.floor(times.length / 2)])} ms (min ${Math.round(times[0])} ms)`)
  console.log(
    `  requests: registry ${last.doc.requests.registry}, GitHub ${last.doc.requests.github} (stand-in saw ${last.gh}), Argo CD ${last.doc.requests.argocd} (stand-in saw ${last.cd})`,
  )
  console.log(
    `  per primitive: registry ${last.doc.requests.registry / N}, GitHub ${(last.doc.requests.github / N).toFixed(3)}, Argo CD ${last.doc.requests.argocd / N}`,
  )
  console.log(`  links: ${JSON.stringify(states)}`)
  if (github.violations.length + argo.violations.length > 0) throw new Error('stand-in violations')
} finally {
  await github.close()
  await argo.stop()
  await registry.stop()
  rmSync(root, {recursive: true, force: true})
}
