// A Helm pull-request job's GitOps repository, shared by bench/helm-render.mjs and bench/render-engines.mjs: two real
// charts (podinfo's charts/podinfo with values-prod.yaml, microservices-demo's helm-chart, from
// shared/corpora/gitops-real/charts.tar.gz unpacked outside the repository), each deployed by an Argo CD Application,
// committed in a temporary git repository; and the `helm template` flags Argo CD's repo-server gives each.
import {spawnSync} from 'node:child_process'
import {cpSync, mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

const ORIGIN = 'https://github.com/acme/gitops.git'
const KUBE = '1.34.0'

export const deployables = [
  {
    name: 'podinfo-production',
    env: 'production',
    from: 'stefanprodan__podinfo/charts/podinfo',
    chart: 'sources/charts/third_party/podinfo',
    valueFiles: ['values-prod.yaml'],
  },
  {
    name: 'onlineboutique-staging',
    env: 'staging',
    from: 'GoogleCloudPlatform__microservices-demo/helm-chart',
    chart: 'sources/charts/third_party/microservices-demo',
    valueFiles: [],
  },
]

export const run = (cmd, args, opts = {}) => spawnSync(cmd, args, {encoding: 'utf8', maxBuffer: 1 << 28, ...opts})

/** The repository, made in a temporary folder (the caller removes it). */
export function helmJobRepo(chartsDir, prefix) {
  const repo = mkdtempSync(path.join(tmpdir(), prefix))
  for (const d of deployables) {
    cpSync(path.join(chartsDir, d.from), path.join(repo, d.chart), {recursive: true})
    const app = [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: Application',
      'metadata:',
      `  name: ${d.name}`,
      '  namespace: argocd',
      'spec:',
      `  destination: {server: https://kubernetes.default.svc, namespace: ${d.env}}`,
      '  source:',
      `    repoURL: ${ORIGIN}`,
      `    path: ${d.chart}`,
      '    helm:',
      `      valueFiles: [${d.valueFiles.join(', ')}]`,
      '',
    ].join('\n')
    mkdirSync(path.join(repo, 'environments', d.env), {recursive: true})
    writeFileSync(path.join(repo, 'environments', d.env, `${d.name}.yaml`), app)
  }
  run('git', ['init', '-q'], {cwd: repo})
  run('git', ['remote', 'add', 'origin', ORIGIN], {cwd: repo})
  run('git', ['add', '-A'], {cwd: repo})
  run('git', ['-c', 'user.email=b@b', '-c', 'user.name=b', 'commit', '-qm', 'bench'], {cwd: repo})
  return repo
}

/** `helm template`'s arguments as Argo CD's repo-server builds them (release, namespace, kube version, values, CRDs). */
export const bareArgs = (d) => [
  'template',
  '.',
  '--name-template',
  d.name,
  '--namespace',
  d.env,
  '--kube-version',
  KUBE,
  ...d.valueFiles.flatMap((v) => ['--values', v]),
  '--include-crds',
]
