/**
 * GitOps repositories for the Helm render tests: a git repository in a temp dir whose origin is {@link ORIGIN} (so
 * Applications and GitRepositories pointing there count as this repository), and the first-party chart template of
 * the design documents (disabled by default, `image` from a `required` value).
 */

import {commitAll, git, initGitRepo, makeTempDir, writeFiles} from './tmp.js'

export const ORIGIN = 'https://github.com/acme/gitops.git'

/** A committed repository holding `files` (repo-relative path → text), origin {@link ORIGIN}. */
export async function helmGitopsRepo(files: Record<string, string>): Promise<string> {
  const dir = await makeTempDir('ameide-render-helm-')
  await initGitRepo(dir)
  await git(dir, ['remote', 'add', 'origin', ORIGIN])
  await writeFiles(dir, files)
  await commitAll(dir, 'helm render case')
  return dir
}

/**
 * An Argo CD Application of this repository ({@link ORIGIN}) deploying to namespace `dev`: `source` holds the lines
 * of its source after `repoURL` and `targetRevision` (`path: …`, `helm: …`), `extra` more lines after the spec.
 */
export const originApplication = (name: string, source: string, extra = '') =>
  [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    'metadata:',
    `  name: ${name}`,
    '  namespace: argocd',
    'spec:',
    '  project: default',
    '  destination: {server: https://kubernetes.default.svc, namespace: dev}',
    '  source:',
    `    repoURL: ${ORIGIN}`,
    '    targetRevision: HEAD',
    ...source.split('\n').map((l) => `    ${l}`),
    extra,
  ].join('\n')

/**
 * The same Application with its source as a Source Hydrator's dry source (Argo CD renders it and commits the objects
 * to `syncSource.path` of the branch `environments/dev`, the Application syncing them from there).
 */
export const hydratorApplication = (name: string, source: string, extra = '') =>
  [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    'metadata:',
    `  name: ${name}`,
    '  namespace: argocd',
    'spec:',
    '  project: default',
    '  destination: {server: https://kubernetes.default.svc, namespace: dev}',
    '  sourceHydrator:',
    '    drySource:',
    `      repoURL: ${ORIGIN}`,
    '      targetRevision: HEAD',
    ...source.split('\n').map((l) => `      ${l}`),
    // A branch of its own: Argo CD hydrates the Applications of one branch together or not at all.
    `    syncSource: {targetBranch: environments/${name}, path: hydrated/${name}}`,
    extra,
  ].join('\n')

/** The two forms of an Application's one source Argo CD renders alike (but the dry one without the cluster's state). */
export const SOURCE_FORMS = ['spec.source', 'spec.sourceHydrator.drySource'] as const
export type SourceForm = (typeof SOURCE_FORMS)[number]

/** An Application of this repository with `source` in the given form. */
export const formApplication = (form: SourceForm, name: string, source: string, extra = '') =>
  (form === 'spec.source' ? originApplication : hydratorApplication)(name, source, extra)

/** A first-party chart's Deployment: rendered only when `enabled`, its image from the required `image.ref`. */
export const requiredImageTemplate = [
  '{{- if .Values.enabled }}',
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata:',
  '  name: {{ .Release.Name }}',
  'spec:',
  '  selector:',
  '    matchLabels: {app: {{ .Release.Name }}}',
  '  template:',
  '    metadata:',
  '      labels: {app: {{ .Release.Name }}}',
  '    spec:',
  '      containers:',
  '        - name: web',
  '          image: {{ required "image.ref is required: set it in sources/values" .Values.image.ref }}',
  '{{- end }}',
  '',
].join('\n')

/**
 * The design documents' ApplicationSet: a git files generator over `environments/**\/component.yaml` deploying each
 * component's first-party chart per environment, values layered `_shared` → `env/<env>`.
 */
export const componentsApplicationSet = [
  'apiVersion: argoproj.io/v1alpha1',
  'kind: ApplicationSet',
  'metadata:',
  '  name: components',
  '  namespace: argocd',
  'spec:',
  '  goTemplate: true',
  '  goTemplateOptions: ["missingkey=error"]',
  '  generators:',
  '    - git:',
  `        repoURL: ${ORIGIN}`,
  '        revision: HEAD',
  '        files:',
  '          - path: environments/**/component.yaml',
  '  template:',
  '    metadata:',
  "      name: '{{ .name }}-{{ index .path.segments 1 }}'",
  '    spec:',
  '      project: default',
  "      destination: {server: https://kubernetes.default.svc, namespace: '{{ index .path.segments 1 }}'}",
  '      source:',
  `        repoURL: ${ORIGIN}`,
  '        targetRevision: HEAD',
  "        path: 'sources/charts/apps/{{ .name }}'",
  '        helm:',
  '          ignoreMissingValueFiles: true',
  '          valueFiles:',
  "            - '/sources/values/_shared/apps/{{ .name }}/values.yaml'",
  "            - '/sources/values/env/{{ index .path.segments 1 }}/apps/{{ .name }}/values.yaml'",
  '',
].join('\n')
