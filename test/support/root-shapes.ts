/**
 * The repositories of issue 94's root shapes, shared by their tests and the fail-closed fuzz over them: a cluster
 * repository applied by hand (its Application and AppProject in kustomize bases, one overlay over both) and a Flux
 * repository whose cluster Kustomization builds ./apps, a kustomization listing the teams' folders.
 */
export const ORIGIN = 'https://github.com/example/fleet.git'

/** The overlay applied by hand (`kubectl apply -k cluster/overlays/default`). */
export const HAND_ROOT = 'cluster/overlays/default'

export const webConfigMap = (value: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata: {a: "${value}"}\n`

export const teamConfigMap = (team: string, value: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${team}, namespace: ${team}}\ndata: {a: "${value}"}\n`

/** The AppProject team; `duplicate`: `sourceRepos` twice (the overlay no longer builds). */
export const appProject = (duplicate: boolean) =>
  [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: AppProject',
    'metadata: {name: team, namespace: argocd}',
    'spec:',
    "  sourceRepos: ['*']",
    ...(duplicate ? ["  sourceRepos: ['*']"] : []),
    "  destinations: [{server: '*', namespace: '*'}]",
    '',
  ].join('\n')

/** The issue's minimal shape 1: the overlay names the Application's base and the projects' base. */
export const handAppliedCluster = (duplicate: boolean): Record<string, string> => ({
  'cluster/apps/base/web.yaml': [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    'metadata: {name: web, namespace: argocd}',
    'spec:',
    '  project: team',
    `  source: {repoURL: '${ORIGIN}', targetRevision: HEAD, path: manifests/web}`,
    '  destination: {server: https://kubernetes.default.svc, namespace: web}',
    '',
  ].join('\n'),
  'cluster/apps/base/kustomization.yaml': 'resources:\n- web.yaml\n',
  'cluster/projects/team.yaml': appProject(duplicate),
  'cluster/projects/kustomization.yaml': 'resources:\n- team.yaml\n',
  [`${HAND_ROOT}/kustomization.yaml`]: 'resources:\n- ../../apps/base\n- ../../projects\n',
  'manifests/web/cm.yaml': webConfigMap('1'),
  'README.md': '# fleet\n',
})

const fluxKustomization = (name: string, path: string) =>
  [
    'apiVersion: kustomize.toolkit.fluxcd.io/v1',
    'kind: Kustomization',
    `metadata: {name: ${name}, namespace: flux-system}`,
    'spec:',
    '  interval: 10m',
    `  path: ${path}`,
    '  prune: true',
    '  sourceRef: {kind: GitRepository, name: flux-system}',
    '',
  ].join('\n')

/** The teams' folders under apps/, which one kustomization lists. */
const teams = (): Record<string, string> => ({
  'apps/kustomization.yaml': 'resources:\n- team-a\n- team-b\n',
  'apps/team-a/kustomization.yaml': 'resources:\n- cm.yaml\n',
  'apps/team-a/cm.yaml': teamConfigMap('team-a', '1'),
  'apps/team-b/kustomization.yaml': 'resources:\n- cm.yaml\n',
  'apps/team-b/cm.yaml': teamConfigMap('team-b', '1'),
})

/** The minimal shape 2: the cluster's `apps` Kustomization builds ./apps. */
export const fluxTeams = (): Record<string, string> => ({
  'clusters/prod/apps.yaml': fluxKustomization('apps', './apps'),
  'clusters/prod/flux-system.yaml': [
    'apiVersion: source.toolkit.fluxcd.io/v1',
    'kind: GitRepository',
    'metadata: {name: flux-system, namespace: flux-system}',
    `spec: {interval: 1m, url: '${ORIGIN}', ref: {branch: main}}`,
    '---',
    fluxKustomization('flux-system', './clusters/prod'),
  ].join('\n'),
  ...teams(),
})

/**
 * An Argo CD Application over platform/, whose kustomization includes web/overlays/prod: a folder kustomize's
 * `overlays/{env}` convention would guess (under every preset), built by the Application.
 */
export const argoPlatform = (): Record<string, string> => ({
  'argocd/platform.yaml': [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    'metadata: {name: platform, namespace: argocd}',
    'spec:',
    '  project: default',
    `  source: {repoURL: '${ORIGIN}', targetRevision: HEAD, path: platform}`,
    '  destination: {server: https://kubernetes.default.svc, namespace: platform}',
    '',
  ].join('\n'),
  'platform/kustomization.yaml': 'resources:\n- ../web/overlays/prod\n',
  'web/base/kustomization.yaml': 'resources:\n- cm.yaml\n',
  'web/base/cm.yaml': teamConfigMap('web', '1'),
  'web/overlays/prod/kustomization.yaml': 'resources:\n- ../../base\n',
})
