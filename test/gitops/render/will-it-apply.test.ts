/**
 * Will it apply: custom resources against their CRDs as the API server validates them (the render module's
 * apiextensions-apiserver), apiVersions against what the cluster's minor serves, kinds with no schema said.
 */
import {afterAll, describe, expect, it} from 'vitest'

import {runCli} from '../../support/cli.js'
import {helmGitopsRepo, originApplication} from '../../support/helm-repo.js'
import {assertMatchesSchema} from '../../support/schema.js'
import {runCleanups} from '../../support/tmp.js'
import {toolEnv} from '../../support/toolchain.js'
import {cliWithoutRenderModule} from '../../support/unbuilt-package.js'

afterAll(runCleanups)

const env = toolEnv()

type Finding = {rule: string; severity: string; file: string; line: number; message: string; object?: {name: string}}
type Result = {findings: Finding[]; render: {unknownKinds: Array<{apiVersion: string; kind: string; count: number}>}}

const verify = async (cwd: string, args: string[] = [], bin?: string) => {
  const run = await runCli(['gitops', 'verify', '--render', '--json', ...args], {cwd, env, ...(bin ? {cli: bin} : {})})
  const result = run.json<Result>()
  assertMatchesSchema('gitops-verify.schema.json', result)
  return {run, result}
}

/** A CRD with the schema features the API server checks; its group comes from the chart's values (a template). */
const crdTemplate = [
  'apiVersion: apiextensions.k8s.io/v1',
  'kind: CustomResourceDefinition',
  'metadata: {name: "certificates.{{ .Values.group }}"}',
  'spec:',
  '  group: "{{ .Values.group }}"',
  '  scope: Namespaced',
  '  names: {plural: certificates, singular: certificate, kind: Certificate, listKind: CertificateList}',
  '  versions:',
  '    - name: v1',
  '      served: true',
  '      storage: true',
  '      schema:',
  '        openAPIV3Schema:',
  '          type: object',
  '          properties:',
  '            spec:',
  '              type: object',
  '              required: [secretName]',
  '              x-kubernetes-validations:',
  '                - rule: "!has(self.renewBefore) || self.renewBefore != self.duration"',
  '                  message: renewBefore must differ from duration',
  '              properties:',
  '                secretName: {type: string, pattern: "^[a-z0-9-]+$"}',
  '                duration: {type: string}',
  '                renewBefore: {type: string}',
  '                usage: {type: string, enum: [server, client]}',
  '                revisionHistoryLimit: {type: integer, minimum: 1, maximum: 10}',
  '                port: {x-kubernetes-int-or-string: true}',
  '                extra: {type: object, x-kubernetes-preserve-unknown-fields: true}',
  '                template: {type: object, x-kubernetes-embedded-resource: true, x-kubernetes-preserve-unknown-fields: true}',
  '                note: {type: string, nullable: true}',
  '                keySize: {type: integer, default: 2048}',
  '',
].join('\n')

const certificate = (name: string, spec: string[]) =>
  [
    'apiVersion: cert-manager.example.io/v1',
    'kind: Certificate',
    `metadata: {name: ${name}}`,
    'spec:',
    ...spec.map((l) => `  ${l}`),
  ].join('\n')

/** Two Applications: one renders the CRD from a chart (no file of the revision is that CRD), one the certificates. */
function crdRepo(certificates: string[]): Record<string, string> {
  return {
    'argocd/crds.yaml': originApplication('crds', 'path: charts/crds'),
    'argocd/certs.yaml': originApplication('certs', 'path: certs'),
    'charts/crds/Chart.yaml': 'apiVersion: v2\nname: crds\nversion: 0.1.0\n',
    'charts/crds/values.yaml': 'group: cert-manager.example.io\n',
    'charts/crds/templates/crd.yaml': crdTemplate,
    'certs/certs.yaml': `${certificates.join('\n---\n')}\n`,
  }
}

describe('gitops verify --render: custom resources against their CRDs', () => {
  it('each object that breaks its CRD is schema-invalid, naming the field and the CRD another Application renders', async () => {
    const repo = await helmGitopsRepo(
      crdRepo([
        certificate('wrong-type', ['secretName: a', 'duration: 90']),
        certificate('missing-required', ['duration: 90d']),
        certificate('enum', ['secretName: a', 'usage: peer']),
        certificate('pattern', ['secretName: Not_Valid']),
        certificate('unknown-field', ['secretName: a', 'durration: 90d']),
        certificate('maximum', ['secretName: a', 'revisionHistoryLimit: 11']),
        certificate('cel', ['secretName: a', 'duration: 1h', 'renewBefore: 1h']),
        certificate('valid', [
          'secretName: a',
          'port: https',
          'extra: {anything: [1, {deep: true}]}',
          'template: {apiVersion: v1, kind: ConfigMap, metadata: {name: x}, data: {a: b}}',
          'note: null',
        ]),
        certificate('valid-number-port', ['secretName: b', 'port: 8443']),
      ]),
    )
    const {run, result} = await verify(repo)
    expect(run.exitCode, run.stderr).toBe(1)
    const invalid = result.findings.filter((f) => f.rule === 'schema-invalid')
    const byName = Object.fromEntries(invalid.map((f) => [f.object!.name, f.message]))
    expect(Object.keys(byName).sort()).toEqual(
      ['cel', 'enum', 'maximum', 'missing-required', 'pattern', 'unknown-field', 'wrong-type'].sort(),
    )
    expect(byName['wrong-type']).toMatch(/\/spec\/duration .*must be of type string/)
    expect(byName['missing-required']).toMatch(/\/spec\/secretName Required value/)
    expect(byName.enum).toMatch(/\/spec\/usage Unsupported value: "peer"/)
    expect(byName.pattern).toMatch(/\/spec\/secretName .*should match/)
    expect(byName['unknown-field']).toMatch(/\/spec\/durration unknown field "spec\.durration"/)
    expect(byName.maximum).toMatch(/\/spec\/revisionHistoryLimit .*less than or equal to 10/)
    expect(byName.cel).toMatch(/renewBefore must differ from duration/)
    // The CRD that decided it: rendered by the chart another Application deploys.
    expect(byName.enum).toContain(
      'the CRD certificates.cert-manager.example.io (rendered from chart charts/crds as Application crds deploys it)',
    )
    expect(invalid.every((f) => f.file === 'certs/certs.yaml' && f.severity === 'error')).toBe(true)
    expect(result.render.unknownKinds).toEqual([])
    expect(result.findings.filter((f) => f.rule === 'schema-unknown')).toEqual([])
  })

  it('a CRD in a file of the revision defines its kind; a version it does not serve is api-removed', async () => {
    const crd = crdTemplate
      .replace(/\{\{ \.Values\.group \}\}/g, 'cert-manager.example.io')
      .replace('    - name: v1\n', '    - name: v1alpha1\n      served: false\n      storage: false\n    - name: v1\n')
    const repo = await helmGitopsRepo({
      'argocd/certs.yaml': originApplication('certs', 'path: certs'),
      'crds/certificate.yaml': crd,
      'certs/certs.yaml': [
        certificate('ok', ['secretName: a']),
        certificate('old', ['secretName: a']).replace('/v1', '/v1alpha1'),
        '',
      ].join('\n---\n'),
    })
    const {result} = await verify(repo)
    const removed = result.findings.filter((f) => f.rule === 'api-removed')
    expect(removed.map((f) => f.object!.name)).toEqual(['old'])
    expect(removed[0].message).toContain('the CRD certificates.cert-manager.example.io in crds/certificate.yaml')
    expect(result.findings.filter((f) => f.rule === 'schema-invalid')).toEqual([])
  })

  it('a rendered CRD the API server refuses is schema-invalid; a kind no CRD defines is schema-unknown', async () => {
    const repo = await helmGitopsRepo({
      ...crdRepo([certificate('fine', ['secretName: a'])]),
      // Not structural: a property without a type.
      'charts/crds/templates/bad.yaml': crdTemplate
        .replace('certificates.{{ .Values.group }}', 'issuers.{{ .Values.group }}')
        .replace(
          'plural: certificates, singular: certificate, kind: Certificate, listKind: CertificateList',
          'plural: issuers, singular: issuer, kind: Issuer, listKind: IssuerList',
        )
        .replace('                duration: {type: string}\n', '                duration: {}\n'),
      'certs/gadget.yaml':
        'apiVersion: gadgets.example.org/v1\nkind: Gadget\nmetadata: {name: g}\n---\napiVersion: gadgets.example.org/v1\nkind: Gadget\nmetadata: {name: h}\n',
    })
    const {run, result} = await verify(repo)
    expect(run.exitCode).toBe(1)
    const refused = result.findings.filter((f) => f.rule === 'schema-invalid')
    expect(refused).toHaveLength(1)
    expect(refused[0].message).toMatch(
      /CustomResourceDefinition issuers\.cert-manager\.example\.io .*the API server refuses this CRD: .*properties\[duration\]\.type: Required value/,
    )
    const unknown = result.findings.filter((f) => f.rule === 'schema-unknown')
    expect(unknown).toHaveLength(1)
    expect(unknown[0]).toMatchObject({severity: 'warning', file: 'certs/gadget.yaml'})
    expect(unknown[0].message).toContain('and 1 more object of it')
    expect(result.render.unknownKinds).toEqual([{apiVersion: 'gadgets.example.org/v1', kind: 'Gadget', count: 2}])
    // gitopsPolicy.render.unknownKinds: fail makes it an error.
    const strict = await helmGitopsRepo({
      'ameide.yaml': 'gitopsPolicy:\n  render:\n    unknownKinds: fail\n',
      'argocd/certs.yaml': originApplication('certs', 'path: certs'),
      'certs/gadget.yaml': 'apiVersion: gadgets.example.org/v1\nkind: Gadget\nmetadata: {name: g}\n',
    })
    const failing = await verify(strict)
    expect(failing.run.exitCode).toBe(1)
    expect(failing.result.findings.filter((f) => f.rule === 'schema-unknown').map((f) => f.severity)).toEqual(['error'])
  })

  it("a kind the revision defines nowhere is checked by the built-in catalog's CRD (cert-manager's, Argo CD's, Istio's, Kyverno's, Flux's)", async () => {
    const repo = await helmGitopsRepo({
      'argocd/certs.yaml': originApplication('certs', 'path: certs'),
      'certs/certs.yaml': [
        'apiVersion: cert-manager.io/v1',
        'kind: Certificate',
        'metadata: {name: good}',
        'spec: {secretName: web-tls, dnsNames: [example.com], issuerRef: {name: letsencrypt, kind: ClusterIssuer}}',
        '---',
        'apiVersion: cert-manager.io/v1',
        'kind: Certificate',
        'metadata: {name: bad}',
        'spec: {secretName: web-tls, duration: 90, issuerRef: {name: letsencrypt}}',
        '---',
        'apiVersion: argoproj.io/v1alpha1',
        'kind: AppProject',
        'metadata: {name: team}',
        'spec: {sourceRepos: ["*"], destinations: [{namespace: "*", server: "*"}]}',
        // Istio's, Kyverno's and Flux's notification and image controllers' CRDs: one valid object, one not, each.
        '---',
        'apiVersion: networking.istio.io/v1',
        'kind: VirtualService',
        'metadata: {name: vs-good}',
        'spec: {hosts: [web], http: [{route: [{destination: {host: web}}]}]}',
        '---',
        'apiVersion: networking.istio.io/v1',
        'kind: VirtualService',
        'metadata: {name: vs-bad}',
        'spec: {hosts: web}',
        '---',
        'apiVersion: kyverno.io/v1',
        'kind: ClusterPolicy',
        'metadata: {name: policy-bad}',
        'spec: {validationFailureAction: Audit, failurePolicy: Sometimes, rules: []}',
        '---',
        'apiVersion: notification.toolkit.fluxcd.io/v1beta3',
        'kind: Alert',
        'metadata: {name: alert-bad}',
        'spec: {providerRef: {name: slack}, eventSeverity: loud, eventSources: [{kind: Kustomization, name: "*"}]}',
        '---',
        'apiVersion: image.toolkit.fluxcd.io/v1',
        'kind: ImagePolicy',
        'metadata: {name: policy-good}',
        'spec: {imageRepositoryRef: {name: web}, policy: {semver: {range: ">=1.0.0"}}}',
        '',
      ].join('\n'),
    })
    const {result} = await verify(repo)
    const invalid = result.findings.filter((f) => f.rule === 'schema-invalid')
    expect(invalid.map((f) => f.object!.name).sort()).toEqual(['alert-bad', 'bad', 'policy-bad', 'vs-bad'])
    const about = (name: string) => invalid.find((f) => f.object!.name === name)!.message
    expect(about('vs-bad')).toMatch(
      /\/spec\/hosts .*must be of type array.* of the built-in catalog \(istio\.io\/api@v/,
    )
    expect(about('policy-bad')).toMatch(/\/spec\/failurePolicy .*Unsupported value.* \(github\.com\/kyverno\/kyverno@v/)
    expect(about('alert-bad')).toMatch(/\/spec\/eventSeverity .*Unsupported value.*notification-controller\/api@v/)
    expect(about('bad')).toMatch(/\/spec\/duration .*must be of type string/)
    expect(about('bad')).toMatch(
      /the CRD certificates\.cert-manager\.io of the built-in catalog \(github\.com\/cert-manager\/cert-manager@v[0-9.]+ deploy\/crds\/cert-manager\.io_certificates\.yaml\)/,
    )
    expect(result.findings.filter((f) => f.rule === 'schema-unknown')).toEqual([])
    expect(result.render.unknownKinds).toEqual([])
  })

  it('where no native helper runs, custom resources are said not validated (a warning, or an error with unknownKinds: fail)', async () => {
    const files = crdRepo([certificate('wrong-type', ['secretName: a', 'duration: 90'])])
    const wasm = {...env, AMEIDE_RENDER_ENGINE: 'wasm'}
    const run = await runCli(['gitops', 'verify', '--render', '--json'], {cwd: await helmGitopsRepo(files), env: wasm})
    const result = run.json<Result>()
    assertMatchesSchema('gitops-verify.schema.json', result)
    expect(result.findings.filter((f) => f.rule === 'schema-invalid')).toEqual([])
    const unknown = result.findings.filter((f) => f.rule === 'schema-unknown')
    expect(unknown.map((f) => [f.severity, f.object!.name])).toEqual([['warning', 'wrong-type']])
    expect(unknown[0].message).toContain(
      'Not validated against its CRD: custom resources are validated by the native render helper, which does not run here',
    )
    const strict = await helmGitopsRepo({...files, 'ameide.yaml': 'gitopsPolicy:\n  render:\n    unknownKinds: fail\n'})
    const failing = await runCli(['gitops', 'verify', '--render', '--json'], {cwd: strict, env: wasm})
    expect(failing.exitCode).toBe(1)
    expect(
      failing
        .json<Result>()
        .findings.filter((f) => f.rule === 'schema-unknown')
        .map((f) => f.severity),
    ).toEqual(['error'])
  })

  it('without the render module, custom resources are said unchecked (an error), never passed', async () => {
    const repo = await helmGitopsRepo({
      'argocd/certs.yaml': originApplication('certs', 'path: certs'),
      'certs/gadget.yaml': 'apiVersion: gadgets.example.org/v1\nkind: Gadget\nmetadata: {name: g}\n',
    })
    const {run, result} = await verify(repo, [], await cliWithoutRenderModule())
    expect(run.exitCode).toBe(1)
    // Nothing renders without the module: the folder is render-unavailable, never a pass.
    expect(result.findings.some((f) => f.severity === 'error')).toBe(true)
  })
})

const objects = {
  'pdb.yaml': 'apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: p}\nspec: {minAvailable: 1}\n',
  'cron.yaml':
    'apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: "* * * * *"\n  jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: "busybox@sha256:' +
    'e'.repeat(64) +
    '"}]}}}}\n',
  'hpa.yaml':
    'apiVersion: autoscaling/v2beta2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec: {scaleTargetRef: {kind: Deployment, name: d}, maxReplicas: 2}\n',
  'flow.yaml':
    'apiVersion: flowcontrol.apiserver.k8s.io/v1beta3\nkind: FlowSchema\nmetadata: {name: f}\nspec: {priorityLevelConfiguration: {name: x}}\n',
  'typo.yaml': 'apiVersion: apps/v1beta3\nkind: Deployment\nmetadata: {name: t}\n',
}

describe('gitops verify --render: what the cluster of each Kubernetes minor serves', () => {
  const repoFor = (policy: string) =>
    helmGitopsRepo({
      'ameide.yaml': policy,
      'argocd/old.yaml': originApplication('old', 'path: old'),
      ...Object.fromEntries(Object.entries(objects).map(([f, text]) => [`old/${f}`, text])),
    })
  const verdicts = (result: Result) =>
    result.findings
      .filter((f) => f.rule.startsWith('api-'))
      .map((f) => `${f.rule} ${f.object!.name}`)
      .sort()

  it('at 1.32, every API removed by then is api-removed with its replacement; a version never served too', async () => {
    const {run, result} = await verify(await repoFor('gitopsPolicy:\n  render:\n    kubernetesVersion: "1.32"\n'))
    expect(run.exitCode).toBe(1)
    expect(verdicts(result)).toEqual([
      'api-removed c',
      'api-removed f',
      'api-removed h',
      'api-removed p',
      'api-removed t',
    ])
    const message = (name: string) => result.findings.find((f) => f.object?.name === name)!.message
    expect(message('p')).toContain('policy/v1beta1 PodDisruptionBudget was removed in Kubernetes 1.25')
    expect(message('p')).toContain('use policy/v1 PodDisruptionBudget')
    expect(message('f')).toContain('removed in Kubernetes 1.32')
    expect(message('t')).toContain('apps/v1beta3 Deployment is no API Kubernetes serves')
    // k8s.io/api no longer defines autoscaling/v2beta2 (its type was deleted after the removal): the table keeps it.
    expect(message('h')).toContain('autoscaling/v2beta2 HorizontalPodAutoscaler was removed in Kubernetes 1.26')
    expect(message('h')).toContain('use autoscaling/v2 HorizontalPodAutoscaler')
  })

  it("at 1.36 and 1.37, the newest release's lifecycle: a deprecation moved, an API that went GA", async () => {
    const newer = {
      'bundle.yaml':
        'apiVersion: certificates.k8s.io/v1beta1\nkind: ClusterTrustBundle\nmetadata: {name: b}\nspec: {trustBundle: x}\n',
      'policy.yaml':
        'apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingAdmissionPolicy\nmetadata: {name: m}\nspec: {}\n',
    }
    const at = async (minor: string) => {
      const repo = await helmGitopsRepo({
        'ameide.yaml': `gitopsPolicy:\n  render:\n    kubernetesVersion: "${minor}"\n`,
        'argocd/new.yaml': originApplication('new', 'path: new'),
        ...Object.fromEntries(Object.entries(newer).map(([f, text]) => [`new/${f}`, text])),
      })
      return (await verify(repo)).result
    }
    const at35 = await at('1.35')
    expect(verdicts(at35)).toEqual(['api-removed m'])
    expect(at35.findings.find((f) => f.object?.name === 'm')!.message).toContain('1.36')
    // Kubernetes 1.36 moved ClusterTrustBundle's v1beta1 deprecation to 1.37 (k8s.io/api v0.35 said 1.36).
    expect(verdicts(await at('1.36'))).toEqual([])
    const at37 = await at('1.37')
    expect(verdicts(at37)).toEqual(['api-deprecated b'])
    expect(at37.findings.find((f) => f.object?.name === 'b')!.message).toContain(
      'certificates.k8s.io/v1 ClusterTrustBundle',
    )
  })

  it("each minor's own OpenAPI says what it serves: alpha APIs gone before 1.29, ones served for a few releases", async () => {
    const alpha = {
      // Removed in 1.22: k8s.io/api's lifecycle never said so of this alpha version.
      'role.yaml':
        'apiVersion: rbac.authorization.k8s.io/v1alpha1\nkind: ClusterRole\nmetadata: {name: r}\nrules: []\n',
      // Served by 1.29 and 1.30 only.
      'cidr.yaml':
        'apiVersion: networking.k8s.io/v1alpha1\nkind: ServiceCIDR\nmetadata: {name: s}\nspec: {cidrs: [10.96.0.0/28]}\n',
      // Served by 1.31 to 1.33: k8s.io/api no longer defines it, so its lifecycle has no word of it.
      'class.yaml': 'apiVersion: resource.k8s.io/v1alpha3\nkind: DeviceClass\nmetadata: {name: d}\nspec: {}\n',
    }
    const at = async (minor: string) => {
      const repo = await helmGitopsRepo({
        'ameide.yaml': `gitopsPolicy:\n  render:\n    kubernetesVersion: "${minor}"\n`,
        'argocd/alpha.yaml': originApplication('alpha', 'path: alpha'),
        ...Object.fromEntries(Object.entries(alpha).map(([f, text]) => [`alpha/${f}`, text])),
      })
      return (await verify(repo)).result
    }
    const message = (result: Result, name: string) => result.findings.find((f) => f.object?.name === name)!.message
    const at30 = await at('1.30')
    expect(verdicts(at30)).toEqual(['api-removed d', 'api-removed r'])
    expect(message(at30, 'r')).toContain(
      'rbac.authorization.k8s.io/v1alpha1 ClusterRole is served by no Kubernetes release from 1.29 to 1.37',
    )
    expect(message(at30, 'd')).toContain('resource.k8s.io/v1alpha3 DeviceClass is served only from Kubernetes 1.31')
    expect(verdicts(await at('1.32'))).toEqual(['api-removed r', 'api-removed s'])
    const at35 = await at('1.35')
    expect(verdicts(at35)).toEqual(['api-removed d', 'api-removed r', 'api-removed s'])
    expect(message(at35, 's')).toContain('networking.k8s.io/v1alpha1 ServiceCIDR was removed in Kubernetes 1.31')
    expect(message(at35, 'd')).toContain('resource.k8s.io/v1alpha3 DeviceClass was removed in Kubernetes 1.34')
  })

  it("a built-in kind with no other validator is checked by its minor's OpenAPI: fields, JSON types, required fields", async () => {
    const vac = (name: string, body: string) =>
      `apiVersion: storage.k8s.io/v1beta1\nkind: VolumeAttributesClass\nmetadata: {name: ${name}}\n${body}\n`
    const repo = await helmGitopsRepo({
      'ameide.yaml': 'gitopsPolicy:\n  render:\n    kubernetesVersion: "1.33"\n',
      'argocd/classes.yaml': originApplication('classes', 'path: classes'),
      'classes/good.yaml': vac('good', 'driverName: csi.example.com\nparameters: {iops: "3000"}'),
      'classes/number.yaml': vac('number', 'driverName: 42\nparameters: {iops: 3000}'),
      'classes/missing.yaml': vac('missing', 'parameters: {iops: "3000"}'),
      'classes/misspelt.yaml': vac('misspelt', 'driverName: csi.example.com\nparamters: {iops: "3000"}'),
    })
    const {run, result} = await verify(repo)
    expect(run.exitCode).toBe(1)
    const invalid = result.findings
      .filter((f) => f.rule === 'schema-invalid')
      .map((f) => `${f.object!.name} ${f.message.slice(f.message.indexOf(': /') + 2)}`)
      .sort()
    expect(invalid).toEqual([
      'missing /driverName required field "driverName" is missing (storage.k8s.io/v1beta1/VolumeAttributesClass of Kubernetes 1.33).',
      expect.stringMatching(/^misspelt \/paramters unknown field "paramters"/),
      'number /driverName must be a string, not a number (storage.k8s.io/v1beta1/VolumeAttributesClass of Kubernetes 1.33).',
      'number /parameters/iops must be a string, not a number (storage.k8s.io/v1beta1/VolumeAttributesClass of Kubernetes 1.33).',
    ])
    // Checked, so not a kind with no schema.
    expect(result.findings.filter((f) => f.rule === 'schema-unknown')).toEqual([])
    expect(result.render.unknownKinds).toEqual([])
  })

  it("every built-in kind at the cluster's minor: formats the API server decodes, enums, required fields", async () => {
    const files = {
      'web/deployment.yaml': [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: {name: web}',
        'spec:',
        '  replicas: 3000000000',
        '  selector: {matchLabels: {app: web}}',
        '  strategy: {type: Rolling}',
        '  template:',
        '    metadata: {labels: {app: web}}',
        '    spec:',
        '      containers:',
        '        - name: app',
        '          image: registry.example.com/web@sha256:' + 'a'.repeat(64),
        '          imagePullPolicy: Sometimes',
        '          ports: [{containerPort: 8080, protocol: TCP}]',
        '          resources: {requests: {cpu: 500m, memory: 128MB}, limits: {cpu: 1, memory: 256Mi}}',
        '        - image: registry.example.com/side@sha256:' + 'b'.repeat(64),
      ].join('\n'),
      'web/secret.yaml':
        'apiVersion: v1\nkind: Secret\nmetadata: {name: creds}\ndata: {user: YWRtaW4=, password: hunter2}\n',
      'web/service.yaml': [
        'apiVersion: v1',
        'kind: Service',
        'metadata: {name: web}',
        'spec:',
        '  type: ClusterIp',
        '  selector: {app: web}',
        '  ports: [{port: 80, targetPort: http}, {port: 81, targetPort: 3000000000}]',
      ].join('\n'),
      'web/job.yaml': [
        'apiVersion: batch/v1',
        'kind: CronJob',
        'metadata: {name: nightly}',
        'spec:',
        '  schedule: "0 1 * * *"',
        '  concurrencyPolicy: Forbid',
        '  jobTemplate: {spec: {template: {spec: {restartPolicy: OnFailure, containers: [{name: job, image: "registry.example.com/job@sha256:' +
          'c'.repeat(64) +
          '"}]}}}}',
      ].join('\n'),
    }
    const at = async (minor: string) => {
      const repo = await helmGitopsRepo({
        'ameide.yaml': `gitopsPolicy:\n  render:\n    kubernetesVersion: "${minor}"\n`,
        'argocd/web.yaml': originApplication('web', 'path: web'),
        ...files,
      })
      const {run, result} = await verify(repo)
      expect(run.exitCode).toBe(1)
      return result.findings
        .filter((f) => f.rule === 'schema-invalid')
        .map((f) => `${f.object!.name} ${f.message.slice(f.message.indexOf(': /') + 2)}`)
        .sort()
    }
    const of = (kind: string, minor: string) => `(${kind} of Kubernetes ${minor}).`
    for (const minor of ['1.29', '1.35']) {
      const deployment = of('apps/v1/Deployment', minor)
      expect(await at(minor)).toEqual([
        `creds /data/password must be base64 bytes: not base64 (the standard alphabet, padded) ${of('v1/Secret', minor)}`,
        `web /spec/ports/1/targetPort must be an int32 or a string: 3000000000 is out of its range ${of('v1/Service', minor)}`,
        `web /spec/replicas must be an int32: 3000000000 is out of its range ${deployment}`,
        `web /spec/strategy/type unsupported value "Rolling": one of "Recreate", "RollingUpdate" ${deployment}`,
        `web /spec/template/spec/containers/0/imagePullPolicy unsupported value "Sometimes": one of "Always", "IfNotPresent", "Never" ${deployment}`,
        `web /spec/template/spec/containers/0/resources/requests/memory must be a quantity: "128MB" is not a number with an optional suffix (500m, 1.5, 128Mi, 1e3) ${deployment}`,
        `web /spec/template/spec/containers/1/name required field "name" is missing ${deployment}`,
        `web /spec/type unsupported value "ClusterIp": one of "ClusterIP", "ExternalName", "LoadBalancer", "NodePort" ${of('v1/Service', minor)}`,
      ])
    }
  })

  it('at 1.31 a deprecated API still served is a warning', async () => {
    const {result} = await verify(await repoFor('gitopsPolicy:\n  render:\n    kubernetesVersion: "1.31"\n'))
    expect(verdicts(result)).toEqual([
      'api-deprecated f',
      'api-removed c',
      'api-removed h',
      'api-removed p',
      'api-removed t',
    ])
    expect(result.findings.find((f) => f.rule === 'api-deprecated')!.severity).toBe('warning')
  })

  it('a minor outside 1.29–1.37 is CONFIG_INVALID, naming the window', async () => {
    const run = await runCli(['gitops', 'verify', '--render', '--json'], {
      cwd: await repoFor('gitopsPolicy:\n  render:\n    kubernetesVersions: {production: "1.20"}\n'),
      env,
    })
    expect(run.exitCode).toBe(3)
    expect(run.stdout).toContain('CONFIG_INVALID')
    expect(run.stdout).toContain('kubernetesVersions.production')
    expect(run.stdout).toContain('1.29–1.37')
  })
})
