// The GitOps repository of the gitops diff benches (bench/gitops-diff.mjs, bench/gitops-diff-scale.mjs): the design
// documents' shape — one ApplicationSet whose git files generator deploys each
// environments/<env>/components/<name>/component.yaml with its own chart (a Deployment, a Service, a ConfigMap),
// values layered _shared → env/<env>.
import {spawnSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {mkdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'

export const ORIGIN = 'https://github.com/acme/gitops.git'
export const ENVS = ['dev', 'staging', 'production']

/** A process run to completion, its output as text. */
export const run = (cmd, args, opts = {}) => spawnSync(cmd, args, {encoding: 'utf8', maxBuffer: 1 << 30, ...opts})

/** Writing files and running git in the repository at `repo`. */
export function repoTools(repo) {
  const write = (file, text) => {
    mkdirSync(path.dirname(path.join(repo, file)), {recursive: true})
    writeFileSync(path.join(repo, file), text)
  }
  const gitIn = (args) => {
    const r = run('git', ['-c', 'user.email=b@b', '-c', 'user.name=b', ...args], {cwd: repo})
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`)
    return r.stdout.trim()
  }
  return {write, gitIn}
}

export const applicationSet = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: components, namespace: argocd}
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
    - git:
        repoURL: ${ORIGIN}
        revision: HEAD
        files:
          - path: environments/**/component.yaml
  template:
    metadata:
      name: '{{ .name }}-{{ index .path.segments 1 }}'
    spec:
      project: default
      destination: {server: https://kubernetes.default.svc, namespace: '{{ index .path.segments 1 }}'}
      source:
        repoURL: ${ORIGIN}
        targetRevision: HEAD
        path: 'sources/charts/apps/{{ .name }}'
        helm:
          ignoreMissingValueFiles: true
          valueFiles:
            - '/sources/values/_shared/apps/{{ .name }}/values.yaml'
            - '/sources/values/env/{{ index .path.segments 1 }}/apps/{{ .name }}/values.yaml'
`
export const deployment = (extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  labels: {app: {{ .Release.Name }}${extra}}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels: {app: {{ .Release.Name }}}
  template:
    metadata:
      labels: {app: {{ .Release.Name }}}
    spec:
      containers:
        - name: app
          image: {{ required "image.ref is required" .Values.image.ref }}
          ports: [{containerPort: 8080}]
          envFrom: [{configMapRef: {name: {{ .Release.Name }}-config}}]
`
export const service = `apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}
spec:
  selector: {app: {{ .Release.Name }}}
  ports: [{port: 80, targetPort: 8080}]
`
export const configMap = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-config
data:
  LOG_LEVEL: {{ .Values.logLevel | quote }}
  ENVIRONMENT: {{ .Release.Namespace | quote }}
`
/** A component's name, its number padded to `width` digits. */
export const componentName = (i, width) => `c${String(i).padStart(width, '0')}`
export const ref = (c, env, tag) =>
  `ghcr.io/acme/${c}:${tag}@sha256:${createHash('sha256').update(`${c} ${env} ${tag}`).digest('hex')}`
