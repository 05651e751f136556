/**
 * The embedded-default demo (`npm run demo`): the whole flow with no account and no cloud.
 * A temporary monorepo scaffolded by ameide → verify (RED) → a stand-in implementation → verify (GREEN) →
 * a local OCI registry, a throwaway cosign key → publish on the first commit → change one primitive →
 * publish again (1 built, 2 re-tagged with the same digest) → the report → `cosign verify` of every ref →
 * a GitOps repository with floating `:dev` refs: `gitops verify` fails → `gitops set-image` from the report (the
 * diff, then the write) → `gitops verify --evidence` passes (signatures, SBOM, provenance) → `gitops promote` →
 * a preview ApplicationSet: `gitops preview` of a pull request at the published head sha (seed 001's last step).
 *
 * Real parts throughout: Debian's docker-registry, buildah (vfs, chroot), cosign 2.5 offline (no tlog), cdxgen.
 * Run through scripts/demo.sh, which installs them first.
 */
import {execa} from 'execa'
import {mkdir, readFile, readdir, writeFile} from 'node:fs/promises'
import path from 'node:path'

import {CLI} from '../test/support/cli.js'
import {generateKeyPair, verifyImage} from '../test/support/cosign.js'
import {buildahEnv, pushBaseImage} from '../test/support/images.js'
import {startRegistry, writeDockerConfig} from '../test/support/registry.js'
import {commitAll, initGitRepo, makeTempDir, runCleanups} from '../test/support/tmp.js'

const bold = (s: string) => (process.stdout.isTTY && !process.env.NO_COLOR ? `\u001B[1m${s}\u001B[22m` : s)
const say = (s: string) => console.log(`\n${bold(`── ${s}`)}`)

const PRIMITIVES = [
  ['domain', 'orders'],
  ['agent', 'support-triage'],
  ['uisurface', 'portal'],
] as const

async function ameide(args: string[], cwd: string, env: Record<string, string> = {}, expectExit = 0) {
  console.log(bold(`$ ameide ${args.join(' ')}`))
  const run = await execa(process.execPath, [CLI, ...args], {
    cwd,
    env: {NO_COLOR: '1', ...env},
    reject: false,
    stderr: 'inherit',
  })
  const json = args.includes('--json')
  if (!json) console.log(run.stdout)
  if (run.exitCode !== expectExit) {
    if (json) console.log(run.stdout)
    throw new Error(`ameide ${args.join(' ')} exited ${run.exitCode}, expected ${expectExit}`)
  }
  return json ? JSON.parse(String(run.stdout)) : undefined
}

/** Stands in for a developer implementing the primitive: removes every AMEIDE_SCAFFOLD marker. */
async function implement(dir: string): Promise<number> {
  let changed = 0
  for (const entry of await readdir(dir, {recursive: true, withFileTypes: true})) {
    if (!entry.isFile()) continue
    const file = path.join(entry.parentPath, entry.name)
    const text = await readFile(file, 'utf8')
    if (!text.includes('AMEIDE_SCAFFOLD')) continue
    await writeFile(file, text.replaceAll('AMEIDE_SCAFFOLD', 'implemented'))
    changed++
  }
  return changed
}

async function main() {
  const tmp = await makeTempDir('ameide-demo-')
  const repo = path.join(tmp, 'monorepo')
  await execa('mkdir', ['-p', repo])
  await initGitRepo(repo)

  say('1. scaffold: code only, RED tests, no GitOps files, no floating tags')
  await ameide(['primitive', 'scaffold', '--kind', 'domain', '--name', 'orders'], repo)
  for (const [kind, name] of PRIMITIVES.slice(1)) {
    const result = await ameide(['primitive', 'scaffold', '--kind', kind, '--name', name, '--json'], repo)
    console.log(`  ${result.kind}/${result.name}: ${result.files.length} files in ${result.path}/ (${result.language})`)
  }

  say('2. verify: the RED state (every primitive fails scaffold-markers only)')
  const red = await ameide(['primitive', 'verify', '--all', '--json'], repo, {}, 1)
  for (const p of red.primitives) {
    const failing = p.checks.filter((c: {status: string}) => c.status === 'fail').map((c: {id: string}) => c.id)
    console.log(`  ${p.kind}/${p.name}: ${p.summary}  failing: ${failing.join(', ')}`)
  }

  say('3. a local registry, a base image, a throwaway cosign key (nothing leaves this machine)')
  const registry = await startRegistry()
  const benv = await buildahEnv(tmp, {insecureRegistries: [registry.host]})
  const base = await pushBaseImage(registry, benv)
  const keys = await generateKeyPair(path.join(tmp, 'keys'), `demo-${process.pid}-${Date.now()}`)
  const dockerConfig = path.join(tmp, 'docker-config')
  await writeDockerConfig(registry, dockerConfig)
  console.log(`  registry ${registry.url}, base image ${registry.host}/${base.repo}@${base.digest.slice(0, 19)}…`)
  const env: Record<string, string> = {
    ...benv.env,
    ...keys.env,
    DOCKER_CONFIG: dockerConfig,
    AMEIDE_BUILDAH_ROOT: benv.root,
    AMEIDE_BUILDAH_RUNROOT: benv.runroot,
    AMEIDE_BUILDAH_STORAGE_DRIVER: 'vfs',
    AMEIDE_BUILDAH_ISOLATION: 'chroot',
  }

  say('4. implement (stand-in): markers replaced; Dockerfile.main builds offline FROM the local base, by digest')
  for (const [kind, name] of PRIMITIVES) {
    const dir = path.join(repo, 'primitives', kind, name)
    console.log(`  ${kind}/${name}: ${await implement(dir)} file(s) implemented`)
    // Real Go/Python/Node builds need the internet; the demo image copies the primitive's README instead.
    await writeFile(
      path.join(dir, 'Dockerfile.main'),
      `FROM ${registry.host}/${base.repo}@${base.digest}\nCOPY primitives/${kind}/${name}/README.md /srv/README.md\nCMD ["/bin/cat", "/srv/README.md"]\n`,
    )
  }
  await ameide(['primitive', 'verify', '--all'], repo)
  const first = await commitAll(repo, 'Add orders, support-triage and portal')

  const ns = `${registry.host}/ameide-demo`
  const publishArgs = ['--registry', ns, '--key', keys.privateKey, '--no-tlog', '--builder', 'buildah']
  say(
    `5. publish commit ${first.slice(0, 12)}: everything is new, so everything is built; :main follows (--update-main)`,
  )
  await ameide(
    ['primitive', 'publish', ...publishArgs, '--all', '--update-main', '--output', path.join(tmp, 'report-1.json')],
    repo,
    env,
  )

  say('6. change one primitive and publish again: 1 built, 2 re-tagged from :main with the same digest')
  const readme = path.join(repo, 'primitives/agent/support-triage/README.md')
  await writeFile(readme, `${await readFile(readme, 'utf8')}\nChangelog: first real prompt.\n`)
  await commitAll(repo, 'support-triage: first real prompt')
  const report = await ameide(['primitive', 'publish', ...publishArgs, '--json'], repo, env)
  for (const image of report.images) {
    console.log(`  ${image.action.padEnd(9)} ${image.ref}`)
    console.log(`            ${image.reason}`)
  }

  say('7. cosign verify, as a separate process, for every digest-pinned ref in the report')
  for (const image of report.images) {
    await verifyImage(keys, image.ref)
    console.log(`  verified  ${image.ref.replace(/:[0-9a-f]{40}@/, ':<sha>@')}`)
  }

  say('8. the GitOps repository: floating :dev refs fail the gate; set-image writes the digests; the gate passes')
  const gitops = path.join(tmp, 'gitops')
  await mkdir(path.join(gitops, 'sources/values/env/local/apps'), {recursive: true})
  await mkdir(path.join(gitops, 'sources/values/env/staging/apps'), {recursive: true})
  await initGitRepo(gitops)
  for (const image of report.images) {
    const repository = image.ref.split(':').slice(0, -2).join(':')
    for (const env of ['local', 'staging']) {
      await writeFile(
        path.join(gitops, `sources/values/env/${env}/apps/${image.component}.yaml`),
        `# ${image.component} in ${env}: written by CI, reviewed in a PR\nimage:\n  ref: "${repository}:dev"  # floating, as before\nreplicas: 1\n`,
      )
    }
  }
  await commitAll(gitops, 'overlays with floating refs')
  await ameide(['gitops', 'verify', '--env', 'local'], gitops, env, 1)
  const reportFile = path.join(tmp, 'report-2.json')
  await writeFile(reportFile, JSON.stringify(report))
  await ameide(['gitops', 'set-image', '--env', 'local', '--report', reportFile, '--dry-run'], gitops, env)
  await ameide(['gitops', 'set-image', '--env', 'local', '--report', reportFile], gitops, env)
  await ameide(['gitops', 'verify', '--env', 'local', '--evidence', '--key', keys.publicKey, '--no-tlog'], gitops, env)

  say('9. promotion is copying refs: local → staging, the same digests')
  await ameide(['gitops', 'promote', '--from', 'local', '--to', 'staging'], gitops, env)

  say('10. the preview: will pull request 7 at the published head sha come up? Asked before Argo CD tries')
  const head = (await execa('git', ['rev-parse', 'HEAD'], {cwd: repo})).stdout.trim()
  await writePreviewLane(
    gitops,
    report.images.map((i: {ref: string}) => i.ref.split(':').slice(0, -2).join(':')),
  )
  await commitAll(gitops, 'a preview environment per pull request')
  const pr = ['gitops', 'preview', '--pr', '7', '--head-sha', head, '--branch', 'feature/first-prompt']
  pr.push('--repository', 'https://github.com/ameideio/ameide')
  await ameide(pr, gitops, env, 1)
  await ameide([...pr, '--label', 'preview', '--evidence', '--key', keys.publicKey, '--no-tlog'], gitops, env)
  console.log(
    `\nThe report's "ref" values are now in the GitOps overlays, byte-exact. Demo files: ${tmp} (removed on exit).`,
  )
  await registry.stop()
}

/**
 * The preview lane of the GitOps repository: one chart per image and a namespace chart, and an ApplicationSet of
 * the list of them × the pull-request generator (only PRs labelled `preview`), each image at `:<head sha>`.
 */
async function writePreviewLane(gitops: string, repositories: string[]) {
  const files: Record<string, string> = {
    'sources/charts/preview/app/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 0.1.0\n',
    'sources/charts/preview/app/templates/deployment.yaml': [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: app}',
      'spec:',
      '  selector: {matchLabels: {app: app}}',
      '  template:',
      '    metadata: {labels: {app: app}}',
      '    spec:',
      '      containers: [{name: app, image: "{{ .Values.image }}"}]',
      '',
    ].join('\n'),
    'sources/charts/preview/namespace/Chart.yaml': 'apiVersion: v2\nname: namespace\nversion: 0.1.0\n',
    'sources/charts/preview/namespace/templates/namespace.yaml':
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {{ .Release.Namespace }}\n',
  }
  const lanes = [
    {name: 'namespace', chart: 'sources/charts/preview/namespace', image: 'none'},
    ...repositories.map((r) => ({name: r.split('/').at(-1), chart: 'sources/charts/preview/app', image: r})),
  ]
  files['argocd/previews.yaml'] = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: previews, namespace: argocd}
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
    - matrix:
        generators:
          - list:
              elements: ${JSON.stringify(lanes)}
          - pullRequest:
              github: {owner: ameideio, repo: ameide, labels: [preview]}
              requeueAfterSeconds: 300
  template:
    metadata:
      name: "{{ .name }}-pr-{{ .number }}"
      finalizers: [resources-finalizer.argocd.argoproj.io]
    spec:
      project: previews
      source:
        repoURL: https://github.com/ameideio/ameide-gitops.git
        targetRevision: main
        path: "{{ .chart }}"
        helm:
          parameters: [{name: image, value: "{{ .image }}:{{ .head_sha }}"}]
      destination: {server: "https://kubernetes.default.svc", namespace: "pr-{{ .number }}"}
      syncPolicy: {automated: {prune: true, selfHeal: true}}
`
  files['ameide.yaml'] =
    'gitopsPolicy:\n  preview:\n    projects: [previews]\n    repositories: [https://github.com/ameideio/ameide-gitops.git]\n    webhook: true\n'
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(gitops, file)), {recursive: true})
    await writeFile(path.join(gitops, file), text)
  }
}

main()
  .catch((error) => {
    console.error(`demo failed: ${(error as Error).message}`)
    process.exitCode = 1
  })
  .finally(runCleanups)
