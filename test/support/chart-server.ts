/**
 * A Helm chart repository on loopback for the remote-chart tests: charts made by the real `helm package`, an
 * index.yaml made by the real `helm repo index`, served by node:http on 127.0.0.1, every request counted with its
 * headers (so a test can say that nothing, or no credential, reached it).
 */
import {execa} from 'execa'
import {createServer, type IncomingHttpHeaders} from 'node:http'
import {readFile, mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'

import {makeTempDir, registerCleanup} from './tmp.js'
import {requireTool, toolEnv} from './toolchain.js'

/** The environment of a chart client with a fresh home: its Docker and Helm registry configurations in it. */
export async function chartClientEnv(prefix: string): Promise<Record<string, string>> {
  const home = await makeTempDir(prefix)
  return toolEnv({
    HOME: home,
    DOCKER_CONFIG: path.join(home, '.docker'),
    HELM_REGISTRY_CONFIG: path.join(home, 'registry.json'),
  })
}

export interface ChartServer {
  /** `http://127.0.0.1:PORT`. */
  url: string
  /** `127.0.0.1:PORT`. */
  host: string
  dir: string
  /** Every request: its path and headers. */
  requests: Array<{path: string; headers: IncomingHttpHeaders}>
}

/** The chart `web`: a Deployment (image from appVersion unless image.tag) and a ConfigMap, as version `version`. */
export function webChart(version: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'Chart.yaml': `apiVersion: v2\nname: web\nversion: ${version}\nappVersion: "${version}"\n`,
    'values.yaml': 'replicaCount: 1\nimage:\n  repository: ghcr.io/acme/web\n  tag: ""\nmessage: hello\n',
    'templates/deployment.yaml': [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: {{ .Release.Name }}',
      'spec:',
      '  replicas: {{ .Values.replicaCount }}',
      '  selector:',
      '    matchLabels: {app: {{ .Release.Name }}}',
      '  template:',
      '    metadata:',
      '      labels: {app: {{ .Release.Name }}}',
      '    spec:',
      '      containers:',
      '        - name: web',
      '          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"',
      '',
    ].join('\n'),
    'templates/configmap.yaml': [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: {{ .Release.Name }}-config',
      'data:',
      '  message: {{ .Values.message | quote }}',
      '  chartVersion: {{ .Chart.Version | quote }}',
      '',
    ].join('\n'),
    ...extra,
  }
}

/** Writes `files` as a chart folder under `dir/src/<name>-<version>` and packages it into `dir` with helm. */
export async function packageChart(dir: string, files: Record<string, string>): Promise<{src: string; tgz: string}> {
  const version = /version: (\S+)/.exec(files['Chart.yaml'])![1]
  const name = /name: (\S+)/.exec(files['Chart.yaml'])![1]
  const src = path.join(dir, 'src', `${name}-${version}`, name)
  for (const [f, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(src, f)), {recursive: true})
    await writeFile(path.join(src, f), text)
  }
  await execa(requireTool('helm'), ['package', src, '--destination', dir])
  return {src, tgz: path.join(dir, `${name}-${version}.tgz`)}
}

/**
 * A chart repository serving the charts `charts` (each a chart's files), indexed by helm. `challenge`: every request
 * is answered 401 with a Basic challenge (a host asking for a credential it must never be given); `delayMs`: every
 * answer comes that late.
 */
export async function startChartServer(
  charts: Array<Record<string, string>>,
  options: {challenge?: boolean; delayMs?: number} = {},
): Promise<ChartServer> {
  const dir = await makeTempDir('ameide-charts-')
  const requests: ChartServer['requests'] = []
  const server = createServer((req, res) => {
    requests.push({path: req.url ?? '', headers: req.headers})
    if (options.challenge) return void res.writeHead(401, {'WWW-Authenticate': 'Basic realm="charts"'}).end()
    const file = path.join(dir, path.basename(decodeURIComponent((req.url ?? '/').split('?')[0])))
    const answer = () =>
      readFile(file).then(
        (bytes) => res.writeHead(200).end(bytes),
        () => res.writeHead(404).end('not found'),
      )
    if (options.delayMs) setTimeout(() => void answer(), options.delayMs)
    else void answer()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  registerCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  const url = `http://127.0.0.1:${port}`
  for (const files of charts) await packageChart(dir, files)
  await execa(requireTool('helm'), ['repo', 'index', dir, '--url', url])
  return {url, host: `127.0.0.1:${port}`, dir, requests}
}
