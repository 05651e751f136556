/**
 * The render gate's schema check of built-in kinds (src/gitops/kubernetes/schema.ts `validateObject`) against the API
 * server's own code: test/differential/apiserver, a Go program of k8s.io/kubernetes v1.35.4 that answers each object
 * as kube-apiserver 1.35 answers its create (strict decoding, defaulting, conversion, the registry strategy's
 * validation). For each of the 21 common kinds a valid object, as the Kubernetes docs write them, and its mutations of
 * the classes the gate owns (unknown fields, JSON types, integer ranges, base64, Quantity, date-time, the OpenAPI's
 * required fields, enums, null), forms the API server takes that a schema may refuse (an empty enum it defaults,
 * base64 with a line break, a number as a Quantity), then random mutations of their leaves from a fixed seed.
 * Sound: what the gate refuses, the API server refuses. Covering: what the API server refuses of a mutation of one of
 * our classes (of a random one: what its decoding refuses), the gate refuses too, but for the named exceptions below.
 * Its summary line: `apiserver differential (Kubernetes 1.35): N cases, …`; AMEIDE_APIDIFF_DUMP=<file> writes every
 * case with both answers. docs/toolchain.md says how the harness is built.
 */
import {execFileSync} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import fc from 'fast-check'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {POD_SPEC} from '../../../src/gitops/kubernetes/objects.js'
import {validateObject} from '../../../src/gitops/kubernetes/schema.js'
import {runToEnd} from '../../support/exec.js'
import {makeTempDir, runCleanups} from '../../support/tmp.js'

afterAll(runCleanups)

const repoRoot = path.resolve(import.meta.dirname, '../../..')
const MINOR = '1.35'

type Json = null | boolean | number | string | Json[] | {[key: string]: Json}
type Obj = {[key: string]: Json}
type Step = string | number

/** A case: an object and the class of its mutation (`valid`, `random` or one of CLASSES). */
interface Case {
  id: string
  kind: string
  cls: string
  object: Obj
}

/** What each side answered. */
interface Answer {
  refused: boolean
  says: string
}

/** The classes of mutation the gate owns: the API server's refusal of such a case should be the gate's too. */
const CLASSES = [
  'unknown-field',
  'string-for-integer',
  'number-for-string',
  'object-for-list',
  'integer-overflow',
  'bad-base64',
  'bad-quantity',
  'bad-date-time',
  'missing-required',
  'enum',
  'null',
  'accepted-form',
] as const

/**
 * Refusals of the API server in a class of ours that the gate does not make, reviewed: the case ids they match, and
 * why the gate leaves them to the cluster.
 */
const NOT_OURS: Array<{match: RegExp; theirs: RegExp; why: string}> = [
  {
    match: / null: /,
    theirs: /^(FieldValueRequired|FieldValueNotFound|FieldValueInvalid) /,
    why: 'null decodes as the field absent; what the API server then refuses is its validation of the absent value (a container needs an image, a Service ports, a mount a volume), which the OpenAPI does not state',
  },
  {
    match: / 2147483647$/,
    theirs: /^FieldValueInvalid [^:]*port[^:]*: Invalid value: 2147483647: must be between 1 and 65535/,
    why: "the largest int32 decodes; a port's range, 1 to 65535, is the validation's rule, not the type's",
  },
]

// The valid objects: the forms of the Kubernetes docs.

const image = 'registry.example/web:1.27.3'
const podSpec = (): Obj => ({
  containers: [
    {
      name: 'web',
      image,
      imagePullPolicy: 'IfNotPresent',
      ports: [{containerPort: 8080, name: 'http', protocol: 'TCP'}],
      env: [
        {name: 'LOG_LEVEL', value: 'info'},
        {name: 'POD_NAME', valueFrom: {fieldRef: {fieldPath: 'metadata.name'}}},
        {name: 'PASSWORD', valueFrom: {secretKeyRef: {name: 'web-secret', key: 'password'}}},
        {name: 'MEMORY_LIMIT', valueFrom: {resourceFieldRef: {resource: 'limits.memory'}}},
      ],
      envFrom: [{configMapRef: {name: 'web-config'}}],
      resources: {requests: {cpu: '100m', memory: '128Mi'}, limits: {cpu: '500m', memory: '256Mi'}},
      readinessProbe: {
        httpGet: {path: '/healthz', port: 'http', scheme: 'HTTP'},
        initialDelaySeconds: 5,
        periodSeconds: 10,
      },
      livenessProbe: {tcpSocket: {port: 8080}, initialDelaySeconds: 15, failureThreshold: 3},
      securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: ['ALL']}},
      volumeMounts: [
        {name: 'config', mountPath: '/etc/web', readOnly: true},
        {name: 'cache', mountPath: '/cache'},
      ],
    },
  ],
  initContainers: [{name: 'init', image, command: ['sh', '-c', 'echo init'], terminationMessagePolicy: 'File'}],
  securityContext: {runAsNonRoot: true, runAsUser: 1000, fsGroup: 2000, seccompProfile: {type: 'RuntimeDefault'}},
  tolerations: [{key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule'}],
  affinity: {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 100,
          podAffinityTerm: {
            labelSelector: {matchExpressions: [{key: 'app', operator: 'In', values: ['web']}]},
            topologyKey: 'kubernetes.io/hostname',
          },
        },
      ],
    },
  },
  topologySpreadConstraints: [
    {
      maxSkew: 1,
      topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: {matchLabels: {app: 'web'}},
    },
  ],
  dnsPolicy: 'ClusterFirst',
  terminationGracePeriodSeconds: 30,
  volumes: [
    {name: 'config', configMap: {name: 'web-config', items: [{key: 'game.properties', path: 'game.properties'}]}},
    {name: 'cache', emptyDir: {sizeLimit: '500Mi'}},
  ],
})
const template = (restartPolicy?: string): Obj => ({
  metadata: {labels: {app: 'web'}},
  spec: {...podSpec(), ...(restartPolicy ? {restartPolicy} : {})},
})
const meta = (name: string, extra: Obj = {}): Obj => ({name, labels: {app: 'web'}, ...extra})

const VALID: Record<string, Obj> = {
  Pod: {apiVersion: 'v1', kind: 'Pod', metadata: meta('web'), spec: podSpec()},
  Service: {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta('web'),
    spec: {
      type: 'ClusterIP',
      sessionAffinity: 'None',
      selector: {app: 'web'},
      ports: [{name: 'http', port: 80, targetPort: 8080, protocol: 'TCP'}],
    },
  },
  ConfigMap: {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta('web-config'),
    data: {'game.properties': 'enemies=aliens\nlives=3\n', 'ui.properties': 'color.good=purple\n'},
  },
  Secret: {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: meta('web-secret'),
    type: 'Opaque',
    data: {username: 'YWRtaW4=', password: 'MWYyZDFlMmU2N2Rm'},
  },
  ServiceAccount: {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: meta('web'),
    automountServiceAccountToken: false,
  },
  PersistentVolumeClaim: {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: meta('data'),
    spec: {accessModes: ['ReadWriteOnce'], volumeMode: 'Filesystem', resources: {requests: {storage: '8Gi'}}},
  },
  Namespace: {apiVersion: 'v1', kind: 'Namespace', metadata: {name: 'web', labels: {team: 'web'}}},
  Deployment: {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta('web'),
    spec: {
      replicas: 3,
      selector: {matchLabels: {app: 'web'}},
      strategy: {type: 'RollingUpdate', rollingUpdate: {maxSurge: 1, maxUnavailable: '25%'}},
      template: template(),
    },
  },
  StatefulSet: {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: meta('web'),
    spec: {
      serviceName: 'web',
      replicas: 2,
      selector: {matchLabels: {app: 'web'}},
      template: template(),
      volumeClaimTemplates: [
        {
          metadata: {name: 'www'},
          spec: {accessModes: ['ReadWriteOnce'], resources: {requests: {storage: '1Gi'}}},
        },
      ],
    },
  },
  DaemonSet: {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: meta('web'),
    spec: {
      selector: {matchLabels: {app: 'web'}},
      updateStrategy: {type: 'RollingUpdate', rollingUpdate: {maxUnavailable: 1}},
      template: template(),
    },
  },
  ReplicaSet: {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: meta('web'),
    spec: {replicas: 3, selector: {matchLabels: {app: 'web'}}, template: template()},
  },
  Job: {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta('pi'),
    spec: {
      backoffLimit: 4,
      completions: 1,
      parallelism: 1,
      ttlSecondsAfterFinished: 100,
      podFailurePolicy: {
        rules: [{action: 'FailJob', onExitCodes: {containerName: 'web', operator: 'In', values: [42]}}],
      },
      template: template('Never'),
    },
  },
  CronJob: {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: meta('hello'),
    spec: {
      schedule: '* * * * *',
      concurrencyPolicy: 'Forbid',
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      jobTemplate: {spec: {backoffLimit: 2, template: template('OnFailure')}},
    },
  },
  Ingress: {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: meta('web', {annotations: {'nginx.ingress.kubernetes.io/rewrite-target': '/'}}),
    spec: {
      ingressClassName: 'nginx',
      tls: [{hosts: ['web.example.com'], secretName: 'web-tls'}],
      rules: [
        {
          host: 'web.example.com',
          http: {paths: [{path: '/', pathType: 'Prefix', backend: {service: {name: 'web', port: {number: 80}}}}]},
        },
      ],
    },
  },
  NetworkPolicy: {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: meta('web'),
    spec: {
      podSelector: {matchLabels: {app: 'web'}},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        {
          from: [
            {ipBlock: {cidr: '172.17.0.0/16', except: ['172.17.1.0/24']}},
            {podSelector: {matchLabels: {role: 'frontend'}}},
          ],
          ports: [{protocol: 'TCP', port: 6379}],
        },
      ],
      egress: [{to: [{ipBlock: {cidr: '10.0.0.0/24'}}], ports: [{protocol: 'TCP', port: 5978}]}],
    },
  },
  PodDisruptionBudget: {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: meta('web'),
    spec: {minAvailable: 2, selector: {matchLabels: {app: 'web'}}},
  },
  HorizontalPodAutoscaler: {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: meta('web'),
    spec: {
      scaleTargetRef: {apiVersion: 'apps/v1', kind: 'Deployment', name: 'web'},
      minReplicas: 1,
      maxReplicas: 10,
      metrics: [{type: 'Resource', resource: {name: 'cpu', target: {type: 'Utilization', averageUtilization: 50}}}],
      behavior: {
        scaleDown: {stabilizationWindowSeconds: 300, policies: [{type: 'Percent', value: 100, periodSeconds: 15}]},
      },
    },
  },
  Role: {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: meta('pod-reader'),
    rules: [{apiGroups: [''], resources: ['pods'], verbs: ['get', 'watch', 'list']}],
  },
  RoleBinding: {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: meta('read-pods'),
    subjects: [{kind: 'User', name: 'jane', apiGroup: 'rbac.authorization.k8s.io'}],
    roleRef: {kind: 'Role', name: 'pod-reader', apiGroup: 'rbac.authorization.k8s.io'},
  },
  ClusterRole: {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: meta('secret-reader'),
    rules: [{apiGroups: [''], resources: ['secrets'], verbs: ['get', 'watch', 'list']}],
  },
  ClusterRoleBinding: {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: meta('read-secrets-global'),
    subjects: [{kind: 'Group', name: 'manager', apiGroup: 'rbac.authorization.k8s.io'}],
    roleRef: {kind: 'ClusterRole', name: 'secret-reader', apiGroup: 'rbac.authorization.k8s.io'},
  },
}

/** Each kind's own fields of the classes that need a field of a type: int32s, enums, lists, Quantities. */
const FIELDS: Record<
  string,
  {int32?: Step[][]; enums?: Array<[Step[], string]>; lists?: Step[][]; quantities?: Step[][]}
> = {
  Service: {
    int32: [['spec', 'ports', 0, 'port']],
    enums: [
      [['spec', 'type'], 'Public'],
      [['spec', 'ports', 0, 'protocol'], 'TCPX'],
    ],
    lists: [['spec', 'ports']],
  },
  PersistentVolumeClaim: {
    enums: [
      [['spec', 'accessModes', 0], 'ReadWriteSometimes'],
      [['spec', 'volumeMode'], 'Folder'],
    ],
    lists: [['spec', 'accessModes']],
    quantities: [['spec', 'resources', 'requests', 'storage']],
  },
  Deployment: {
    int32: [['spec', 'replicas']],
    enums: [[['spec', 'strategy', 'type'], 'BlueGreen']],
  },
  StatefulSet: {
    int32: [['spec', 'replicas']],
    lists: [['spec', 'volumeClaimTemplates']],
    quantities: [['spec', 'volumeClaimTemplates', 0, 'spec', 'resources', 'requests', 'storage']],
  },
  DaemonSet: {enums: [[['spec', 'updateStrategy', 'type'], 'Surge']]},
  ReplicaSet: {int32: [['spec', 'replicas']]},
  Job: {
    int32: [
      ['spec', 'backoffLimit'],
      ['spec', 'ttlSecondsAfterFinished'],
    ],
  },
  CronJob: {
    int32: [['spec', 'successfulJobsHistoryLimit']],
    enums: [[['spec', 'concurrencyPolicy'], 'Sometimes']],
  },
  Ingress: {
    int32: [['spec', 'rules', 0, 'http', 'paths', 0, 'backend', 'service', 'port', 'number']],
    enums: [[['spec', 'rules', 0, 'http', 'paths', 0, 'pathType'], 'Glob']],
    lists: [
      ['spec', 'rules'],
      ['spec', 'tls', 0, 'hosts'],
    ],
  },
  NetworkPolicy: {
    enums: [
      [['spec', 'policyTypes', 0], 'Sideways'],
      [['spec', 'ingress', 0, 'ports', 0, 'protocol'], 'TCPX'],
    ],
    lists: [
      ['spec', 'ingress'],
      ['spec', 'policyTypes'],
    ],
  },
  HorizontalPodAutoscaler: {
    int32: [
      ['spec', 'maxReplicas'],
      ['spec', 'metrics', 0, 'resource', 'target', 'averageUtilization'],
    ],
    enums: [[['spec', 'metrics', 0, 'type'], 'Magic']],
    lists: [['spec', 'metrics']],
  },
  Role: {lists: [['rules'], ['rules', 0, 'verbs']]},
  ClusterRole: {lists: [['rules']]},
  RoleBinding: {lists: [['subjects']]},
  ClusterRoleBinding: {lists: [['subjects']]},
}

// Mutations.

const clone = <T extends Json>(v: T): T => structuredClone(v)

function get(obj: Json, at: readonly Step[]): Json | undefined {
  let v: Json | undefined = obj
  for (const s of at) v = v !== null && typeof v === 'object' ? (v as Record<string, Json>)[s] : undefined
  return v
}

/** `obj` with the value at `at` set (undefined: removed). */
function with_(obj: Obj, at: readonly Step[], value: Json | undefined): Obj {
  const copy = clone(obj)
  const parent = get(copy, at.slice(0, -1)) as Record<string, Json> | Json[]
  const last = at.at(-1)!
  if (value === undefined) {
    if (Array.isArray(parent)) parent.splice(last as number, 1)
    else delete parent[last]
  } else (parent as Record<string, Json>)[last] = value
  return copy
}

/** The named mutations of one kind's valid object. */
function mutationsOf(kind: string, valid: Obj): Case[] {
  const out: Case[] = []
  const add = (cls: string, what: string, object: Obj) => out.push({id: `${kind} ${cls}: ${what}`, kind, cls, object})
  const name = (at: readonly Step[]) => at.join('.')
  const pod = POD_SPEC[kind]
  const own = FIELDS[kind] ?? {}

  add('unknown-field', 'top-level bogusField', {...clone(valid), bogusField: 'x'})
  add('unknown-field', 'metadata.bogusField', with_(valid, ['metadata', 'bogusField'], 'x'))
  add('string-for-integer', 'metadata.generation "1"', with_(valid, ['metadata', 'generation'], '1'))
  add('number-for-string', 'metadata.name 5', with_(valid, ['metadata', 'name'], 5))
  add('number-for-string', 'metadata.labels.app 5', with_(valid, ['metadata', 'labels'], {app: 5}))
  add('object-for-list', 'metadata.finalizers {}', with_(valid, ['metadata', 'finalizers'], {}))
  add(
    'bad-date-time',
    'metadata.creationTimestamp "yesterday"',
    with_(valid, ['metadata', 'creationTimestamp'], 'yesterday'),
  )
  add(
    'bad-date-time',
    'metadata.deletionTimestamp "2024-13-45T25:61:00Z"',
    with_(valid, ['metadata', 'deletionTimestamp'], '2024-13-45T25:61:00Z'),
  )
  add('null', 'metadata.labels null', with_(valid, ['metadata', 'labels'], null))
  add('null', 'metadata.annotations null', with_(valid, ['metadata', 'annotations'], null))
  add('integer-overflow', 'metadata.generation 2^63', with_(valid, ['metadata', 'generation'], 2 ** 63))

  if (pod) {
    const c = [...pod, 'containers', 0]
    add('unknown-field', `${name(c)}.imagePullPolcy`, with_(valid, [...c, 'imagePullPolcy'], 'Always'))
    add('unknown-field', `${name(c)}.env.0.valeu`, with_(valid, [...c, 'env', 0, 'valeu'], 'x'))
    add(
      'string-for-integer',
      `${name(c)}.ports.0.containerPort "8080"`,
      with_(valid, [...c, 'ports', 0, 'containerPort'], '8080'),
    )
    add(
      'string-for-integer',
      `${name(c)}.readinessProbe.periodSeconds "10"`,
      with_(valid, [...c, 'readinessProbe', 'periodSeconds'], '10'),
    )
    add('number-for-string', `${name(c)}.image 5`, with_(valid, [...c, 'image'], 5))
    add('number-for-string', `${name(c)}.env.0.value 1`, with_(valid, [...c, 'env', 0, 'value'], 1))
    add('object-for-list', `${name(pod)}.containers {}`, with_(valid, [...pod, 'containers'], {}))
    add('object-for-list', `${name(c)}.ports {}`, with_(valid, [...c, 'ports'], {containerPort: 8080}))
    add(
      'integer-overflow',
      `${name(c)}.ports.0.containerPort 3000000000`,
      with_(valid, [...c, 'ports', 0, 'containerPort'], 3_000_000_000),
    )
    add(
      'integer-overflow',
      `${name(c)}.ports.0.containerPort 8080.5`,
      with_(valid, [...c, 'ports', 0, 'containerPort'], 8080.5),
    )
    add(
      'bad-quantity',
      `${name(c)}.resources.limits.cpu "lots"`,
      with_(valid, [...c, 'resources', 'limits', 'cpu'], 'lots'),
    )
    add(
      'bad-quantity',
      `${name(c)}.resources.requests.memory "128MB!"`,
      with_(valid, [...c, 'resources', 'requests', 'memory'], '128MB!'),
    )
    add('enum', `${name(c)}.imagePullPolicy "Sometimes"`, with_(valid, [...c, 'imagePullPolicy'], 'Sometimes'))
    add('enum', `${name(c)}.ports.0.protocol "TCPX"`, with_(valid, [...c, 'ports', 0, 'protocol'], 'TCPX'))
    add('enum', `${name(pod)}.restartPolicy "Sometimes"`, with_(valid, [...pod, 'restartPolicy'], 'Sometimes'))
    add('enum', `${name(pod)}.dnsPolicy "Whatever"`, with_(valid, [...pod, 'dnsPolicy'], 'Whatever'))
    add('null', `${name(c)}.ports null`, with_(valid, [...c, 'ports'], null))
    add('null', `${name(c)}.resources null`, with_(valid, [...c, 'resources'], null))
    add('null', `${name(pod)}.volumes null (its mount then names no volume)`, with_(valid, [...pod, 'volumes'], null))
    add('null', `${name(pod)}.securityContext null`, with_(valid, [...pod, 'securityContext'], null))
    add('null', `${name(c)}.image null`, with_(valid, [...c, 'image'], null))
    add('null', `${name(c)}.name null`, with_(valid, [...c, 'name'], null))
  }
  // Edges of the formats, either way: what the API server's decoding takes or refuses, the gate must too.
  for (const time of [
    '2024-01-01',
    '2024-01-01T00:00:00',
    '2024-01-01t00:00:00z',
    '2024-01-01 00:00:00Z',
    '2024-01-01T24:00:00Z',
  ])
    add('bad-date-time', `metadata.creationTimestamp "${time}"`, with_(valid, ['metadata', 'creationTimestamp'], time))
  add(
    'bad-date-time',
    'metadata.creationTimestamp 1700000000 (a number)',
    with_(valid, ['metadata', 'creationTimestamp'], 1_700_000_000),
  )
  add(
    'integer-overflow',
    'metadata.generation 9007199254740991 (2^53 - 1)',
    with_(valid, ['metadata', 'generation'], 2 ** 53 - 1),
  )
  add('integer-overflow', 'metadata.generation 1e21', with_(valid, ['metadata', 'generation'], 1e21))
  if (pod) {
    const c = [...pod, 'containers', 0]
    for (const q of ['1K', '1gi', '1.5.5', ' 1Gi', '1Gi ', '+1Gi', '1e3', '0.5Gi', '1E', '1Ei', '1m', '.5', '1_000'])
      add(
        'bad-quantity',
        `${name(pod)}.volumes.1.emptyDir.sizeLimit "${q}"`,
        with_(valid, [...pod, 'volumes', 1, 'emptyDir', 'sizeLimit'], q),
      )
    add(
      'bad-quantity',
      `${name(c)}.resources.limits.cpu true`,
      with_(valid, [...c, 'resources', 'limits', 'cpu'], true),
    )
    add('bad-quantity', `${name(c)}.resources.limits.cpu {}`, with_(valid, [...c, 'resources', 'limits', 'cpu'], {}))
    add(
      'string-for-integer',
      `${name(c)}.readinessProbe.httpGet.port true (int-or-string)`,
      with_(valid, [...c, 'readinessProbe', 'httpGet', 'port'], true),
    )
    add(
      'object-for-list',
      `${name(c)}.livenessProbe.tcpSocket.port [8080] (int-or-string)`,
      with_(valid, [...c, 'livenessProbe', 'tcpSocket', 'port'], [8080]),
    )
    add(
      'integer-overflow',
      `${name(c)}.readinessProbe.httpGet.port 3000000000 (int-or-string)`,
      with_(valid, [...c, 'readinessProbe', 'httpGet', 'port'], 3_000_000_000),
    )
    add(
      'integer-overflow',
      `${name(pod)}.terminationGracePeriodSeconds 1e21`,
      with_(valid, [...pod, 'terminationGracePeriodSeconds'], 1e21),
    )
  }
  for (const at of own.int32 ?? []) add('integer-overflow', `${name(at)} 2147483647`, with_(valid, at, 2_147_483_647))

  // Forms the API server takes, which a schema can refuse by mistake: checked for soundness.
  add(
    'accepted-form',
    'metadata.creationTimestamp with fractional seconds and an offset',
    with_(valid, ['metadata', 'creationTimestamp'], '2024-02-29T12:30:00.123+02:00'),
  )
  add('accepted-form', 'metadata.creationTimestamp null', with_(valid, ['metadata', 'creationTimestamp'], null))
  add(
    'accepted-form',
    'metadata.generation 2147483648 (int64)',
    with_(valid, ['metadata', 'generation'], 2_147_483_648),
  )
  add(
    'accepted-form',
    'metadata.uid "" and resourceVersion ""',
    with_(with_(valid, ['metadata', 'uid'], ''), ['metadata', 'resourceVersion'], ''),
  )
  if (pod) {
    const c = [...pod, 'containers', 0]
    add('accepted-form', `${name(c)}.imagePullPolicy "" (defaulted)`, with_(valid, [...c, 'imagePullPolicy'], ''))
    add('accepted-form', `${name(c)}.ports.0.protocol "" (defaulted)`, with_(valid, [...c, 'ports', 0, 'protocol'], ''))
    if (kind !== 'Job' && kind !== 'CronJob')
      add('accepted-form', `${name(pod)}.restartPolicy "" (defaulted)`, with_(valid, [...pod, 'restartPolicy'], ''))
    add(
      'accepted-form',
      `${name(c)}.resources.requests.cpu 0.1 (a number is a Quantity)`,
      with_(valid, [...c, 'resources', 'requests', 'cpu'], 0.1),
    )
    add(
      'accepted-form',
      `${name(c)}.resources.limits.memory "1e9" and cpu "1.5"`,
      with_(with_(valid, [...c, 'resources', 'limits', 'memory'], '1e9'), [...c, 'resources', 'limits', 'cpu'], '1.5'),
    )
    add(
      'accepted-form',
      `${name(c)}.ports.0.containerPort 65535`,
      with_(valid, [...c, 'ports', 0, 'containerPort'], 65_535),
    )
    add(
      'accepted-form',
      `${name(c)}.readinessProbe.httpGet.port 8080 (int-or-string)`,
      with_(valid, [...c, 'readinessProbe', 'httpGet', 'port'], 8080),
    )
    add(
      'accepted-form',
      `${name(c)}.terminationMessagePolicy "" (defaulted)`,
      with_(valid, [...c, 'terminationMessagePolicy'], ''),
    )
    add(
      'accepted-form',
      `${name(c)}.readinessProbe.httpGet.scheme "" (defaulted)`,
      with_(valid, [...c, 'readinessProbe', 'httpGet', 'scheme'], ''),
    )
    add('accepted-form', `${name(pod)}.dnsPolicy "" (defaulted)`, with_(valid, [...pod, 'dnsPolicy'], ''))
    add(
      'accepted-form',
      `${name(pod)}.tolerations.0.operator "" (Equal)`,
      with_(valid, [...pod, 'tolerations', 0, 'operator'], ''),
    )
    add(
      'accepted-form',
      `${name(c)}.env.1.valueFrom.fieldRef.apiVersion absent (defaulted)`,
      with_(valid, [...c, 'env', 1, 'valueFrom', 'fieldRef', 'apiVersion'], undefined),
    )
    add('accepted-form', `${name(c)}.env.0.value ""`, with_(valid, [...c, 'env', 0, 'value'], ''))
    add(
      'accepted-form',
      `${name(pod)}.terminationGracePeriodSeconds 2^40 (int64)`,
      with_(valid, [...pod, 'terminationGracePeriodSeconds'], 2 ** 40),
    )
  }
  if (kind === 'Secret') {
    add(
      'accepted-form',
      'data.password with a line break in its base64',
      with_(valid, ['data', 'password'], 'MWYyZDFl\nMmU2N2Rm'),
    )
    add('accepted-form', 'data.empty ""', with_(valid, ['data', 'empty'], ''))
    add('accepted-form', 'stringData.token "not base64!"', with_(valid, ['stringData'], {token: 'not base64!'}))
  }
  if (kind === 'Service') {
    add('accepted-form', 'spec.type "" (defaulted)', with_(valid, ['spec', 'type'], ''))
    add('accepted-form', 'spec.ports.0.protocol "" (defaulted)', with_(valid, ['spec', 'ports', 0, 'protocol'], ''))
    add(
      'accepted-form',
      'spec.ports.0.targetPort "http" (int-or-string)',
      with_(valid, ['spec', 'ports', 0, 'targetPort'], 'http'),
    )
  }
  add(
    'accepted-form',
    'metadata.labels.app null (a map\'s null value decodes as "")',
    with_(valid, ['metadata', 'labels', 'app'], null),
  )
  if (kind === 'ConfigMap' || kind === 'Secret')
    add(
      'accepted-form',
      "data.<key> null (a map's null value)",
      with_(valid, ['data', Object.keys(valid.data as Obj)[0]!], null),
    )
  if (kind === 'Service')
    add('accepted-form', 'spec.sessionAffinity "" (defaulted)', with_(valid, ['spec', 'sessionAffinity'], ''))
  if (kind === 'Deployment')
    add('accepted-form', 'spec.strategy.type "" (defaulted)', with_(valid, ['spec', 'strategy', 'type'], ''))
  if (kind === 'HorizontalPodAutoscaler')
    add(
      'accepted-form',
      'spec.behavior.scaleDown.selectPolicy "Disabled"',
      with_(valid, ['spec', 'behavior', 'scaleDown', 'selectPolicy'], 'Disabled'),
    )
  if (kind === 'Deployment')
    add(
      'accepted-form',
      'spec.strategy.rollingUpdate.maxSurge "50%"',
      with_(valid, ['spec', 'strategy', 'rollingUpdate', 'maxSurge'], '50%'),
    )
  if (kind === 'PodDisruptionBudget')
    add('accepted-form', 'spec.minAvailable "50%"', with_(valid, ['spec', 'minAvailable'], '50%'))
  if (kind === 'RoleBinding' || kind === 'ClusterRoleBinding')
    add('accepted-form', 'roleRef.apiGroup absent (defaulted)', with_(valid, ['roleRef', 'apiGroup'], undefined))
  if (kind === 'Secret') {
    add('bad-base64', 'data.password "not base64!"', with_(valid, ['data', 'password'], 'not base64!'))
    add('bad-base64', 'data.username "YWRtaW4" (no padding)', with_(valid, ['data', 'username'], 'YWRtaW4'))
    add('bad-base64', 'data.username "YWRt_aW4=" (the URL alphabet)', with_(valid, ['data', 'username'], 'YWRt_aW4='))
    add('bad-base64', 'data.username "YWRt aW4=" (a space)', with_(valid, ['data', 'username'], 'YWRt aW4='))
    add('bad-base64', 'data.username true', with_(valid, ['data', 'username'], true))
    add('number-for-string', 'data.password 5', with_(valid, ['data', 'password'], 5))
    add('enum', 'type "kubernetes.io/not-a-type" (a free string)', with_(valid, ['type'], 'kubernetes.io/not-a-type'))
    add('null', 'data null', with_(valid, ['data'], null))
  }
  if (kind === 'ConfigMap') {
    add('bad-base64', 'binaryData.blob "not base64!"', with_(valid, ['binaryData'], {blob: 'not base64!'}))
    add('number-for-string', 'data.lives 3', with_(valid, ['data'], {lives: 3}))
    add('null', 'data null', with_(valid, ['data'], null))
  }
  for (const at of own.int32 ?? []) {
    add('integer-overflow', `${name(at)} 3000000000`, with_(valid, at, 3_000_000_000))
    add('integer-overflow', `${name(at)} -2147483649`, with_(valid, at, -2_147_483_649))
    add('string-for-integer', `${name(at)} "2"`, with_(valid, at, '2'))
    add('null', `${name(at)} null`, with_(valid, at, null))
  }
  for (const [at, bad] of own.enums ?? []) add('enum', `${name(at)} "${bad}"`, with_(valid, at, bad))
  for (const at of own.lists ?? []) {
    add('object-for-list', `${name(at)} {}`, with_(valid, at, {}))
    add('null', `${name(at)} null`, with_(valid, at, null))
  }
  for (const at of own.quantities ?? []) {
    add('bad-quantity', `${name(at)} "8 gigs"`, with_(valid, at, '8 gigs'))
    add('bad-quantity', `${name(at)} "1Gi" + "B"`, with_(valid, at, '1GiB'))
  }
  for (const at of requiredPaths(kind, valid)) add('missing-required', name(at), with_(valid, at, undefined))
  return out
}

// The fields the 1.35 OpenAPI requires, where the valid object has them (dist/kubernetes/openapi-fields.json).

type Shape = string | [Shape] | {'*': Shape} | number
interface Table {
  minors: Record<string, {kinds: Record<string, string>; definitions: Record<string, number>}>
  shapes: Array<Record<string, Shape>>
  required?: Record<string, string[]>
}
let table: Table | undefined
const tableOf = () =>
  (table ??= JSON.parse(readFileSync(path.join(repoRoot, 'dist/kubernetes/openapi-fields.json'), 'utf8')) as Table)

/** Every path to a field the valid object has and its definition requires in 1.35. */
function requiredPaths(kind: string, valid: Obj): Step[][] {
  const t = tableOf()
  const m = t.minors[MINOR]!
  const out: Step[][] = []
  const visit = (value: Json | undefined, shape: Shape, at: Step[]) => {
    if (value === null || value === undefined || typeof value !== 'object') return
    if (Array.isArray(shape)) {
      if (Array.isArray(value)) value.forEach((v, i) => visit(v, shape[0], [...at, i]))
      return
    }
    if (typeof shape === 'object') {
      for (const [k, v] of Object.entries(value)) visit(v, shape['*'], [...at, k])
      return
    }
    if (typeof shape !== 'string' || Array.isArray(value)) return
    const index = m.definitions[shape]
    if (index === undefined) return
    for (const field of t.required?.[index] ?? []) if (field in value) out.push([...at, field])
    for (const [k, v] of Object.entries(value))
      if (t.shapes[index]![k] !== undefined) visit(v, t.shapes[index]![k]!, [...at, k])
  }
  const apiVersion = valid.apiVersion as string
  visit(valid, m.kinds[`${apiVersion}/${kind}`]!, [])
  return out
}

// Random mutations of leaves, from a fixed seed.

/** Every path in `v` to a value below the top level, but apiVersion and kind (another kind is another check). */
function pathsOf(v: Json, at: Step[] = []): Step[][] {
  const out: Step[][] = at.length > 0 ? [at] : []
  if (v !== null && typeof v === 'object')
    for (const [k, child] of Array.isArray(v) ? v.entries() : Object.entries(v))
      if (at.length > 0 || (k !== 'apiVersion' && k !== 'kind')) out.push(...pathsOf(child, [...at, k]))
  return out
}

const KINDS = Object.keys(VALID)
const replacement = fc.oneof(
  fc.string({maxLength: 8}).map((s) => ({what: JSON.stringify(s), value: s as Json})),
  fc.integer({min: -3, max: 100}).map((n) => ({what: String(n), value: n as Json})),
  fc.constantFrom(2_147_483_648, -2_147_483_649, 2 ** 63, 1.5, 1e21).map((n) => ({what: String(n), value: n as Json})),
  fc.boolean().map((b) => ({what: String(b), value: b as Json})),
  fc
    .constantFrom<Json>(null, {}, [], 'not base64!', '2024-13-45', '1Gi', 'lots', '25%', 'IfNotPresent', 'TCP')
    .map((value) => ({what: JSON.stringify(value), value})),
  fc.constant({what: 'removed', value: undefined as Json | undefined}),
  fc.constant({what: 'a sibling bogusField', value: undefined as Json | undefined, sibling: true}),
)
const randomCases = (): Case[] =>
  fc
    .sample(fc.record({kind: fc.constantFrom(...KINDS), pick: fc.nat(), to: replacement}), {seed: 1350, numRuns: 600})
    .map(({kind, pick, to}, i) => {
      const valid = VALID[kind]!
      const paths = pathsOf(valid)
      const at = paths[pick % paths.length]!
      const object =
        'sibling' in to ? with_(valid, [...at.slice(0, -1), 'bogusField'], 'x') : with_(valid, at, to.value)
      return {
        id: `${kind} random #${i}: ${at.join('.')} ${'sibling' in to ? 'bogusField beside it' : `→ ${to.what}`}`,
        kind,
        cls: 'random',
        object,
      }
    })

// The two sides.

async function ours(c: Case): Promise<Answer> {
  const body = c.object
  const metadata = (body.metadata ?? {}) as Obj
  const answer = await validateObject(
    {
      apiVersion: body.apiVersion as string,
      kind: body.kind as string,
      name: typeof metadata.name === 'string' ? metadata.name : '',
      body,
      origin: null,
      transformations: [],
    },
    MINOR,
  )
  if (!answer.known) return {refused: false, says: 'no schema known for the kind'}
  return {
    refused: answer.violations.length > 0,
    says: answer.violations.map((v) => `${v.pointer} ${v.message}`).join('; ') || 'accepted',
  }
}

let harness: string

function apiserver(cases: Case[]): Map<string, Answer> {
  const input = cases.map((c) => JSON.stringify({id: c.id, object: c.object})).join('\n') + '\n'
  const out = execFileSync(harness, {input, encoding: 'utf8', maxBuffer: 256 << 20})
  const answers = new Map<string, Answer>()
  for (const line of out.trim().split('\n')) {
    const a = JSON.parse(line) as {
      id: string
      refused: boolean
      errors: Array<{field: string; type: string; detail: string}> | null
    }
    answers.set(a.id, {
      refused: a.refused,
      says:
        (a.errors ?? []).map((e) => `${e.type}${e.field ? ` ${e.field}` : ''}: ${e.detail}`).join('; ') || 'accepted',
    })
  }
  return answers
}

beforeAll(async () => {
  // The pinned Go (scripts/go-toolchain.mjs) builds the harness's module, fetched through the Go module proxy; no Go,
  // no module: the test fails.
  const go = execFileSync(process.execPath, [path.join(repoRoot, 'scripts/go-toolchain.mjs')], {
    encoding: 'utf8',
  }).trim()
  harness = path.join(await makeTempDir('ameide-apiserver-differential-'), 'apiserver')
  await runToEnd(go, ['build', '-trimpath', '-o', harness, '.'], {
    cwd: path.join(repoRoot, 'test/differential/apiserver'),
    env: {...process.env, CGO_ENABLED: '0'},
    showStderr: true,
  })
}, 900_000)

describe("the render gate's schema check of built-in kinds against kube-apiserver 1.35's own code", () => {
  it('is sound (what it refuses, the API server refuses) and covers the classes it owns', async () => {
    const cases: Case[] = [
      ...KINDS.map((kind) => ({id: `${kind} valid`, kind, cls: 'valid', object: VALID[kind]!})),
      ...KINDS.flatMap((kind) => mutationsOf(kind, VALID[kind]!)),
      ...randomCases(),
    ]
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length)
    const theirs = apiserver(cases)
    const rows = await Promise.all(cases.map(async (c) => ({c, ours: await ours(c), theirs: theirs.get(c.id)!})))

    // AMEIDE_APIDIFF_DUMP=<file>: every case with both answers, one JSON line each, for a look by hand.
    if (process.env.AMEIDE_APIDIFF_DUMP)
      writeFileSync(
        process.env.AMEIDE_APIDIFF_DUMP,
        rows.map((r) => JSON.stringify({id: r.c.id, cls: r.c.cls, ours: r.ours, theirs: r.theirs})).join('\n') + '\n',
      )
    const unsound: string[] = []
    const uncovered: string[] = []
    const excepted: string[] = []
    const validRefused: string[] = []
    const counts = new Map<string, {cases: number; theirs: number; ours: number; both: number}>()
    for (const {c, ours: o, theirs: t} of rows) {
      const count = counts.get(c.cls) ?? {cases: 0, theirs: 0, ours: 0, both: 0}
      counts.set(c.cls, {
        cases: count.cases + 1,
        theirs: count.theirs + Number(t.refused),
        ours: count.ours + Number(o.refused),
        both: count.both + Number(t.refused && o.refused),
      })
      const both = `\n    ours: ${o.says}\n    API server: ${t.says}`
      if (c.cls === 'valid' && (o.refused || t.refused)) validRefused.push(`${c.id}${both}`)
      if (c.cls === 'accepted-form' && t.refused) validRefused.push(`${c.id}${both}`)
      if (o.refused && !t.refused) unsound.push(`${c.id}${both}`)
      // A random mutation is ours to refuse where the API server's decoding refuses it (an unknown field, a JSON type,
      // a range, a format); what its validation refuses of one may be a semantic rule.
      const ourClass =
        c.cls === 'random' ? /^(Decode|StrictDecoding):/.test(t.says) : c.cls !== 'valid' && c.cls !== 'accepted-form'
      if (t.refused && !o.refused && ourClass) {
        const why = NOT_OURS.find((e) => e.match.test(c.id) && e.theirs.test(t.says))
        if (why) excepted.push(c.id)
        else uncovered.push(`${c.id}${both}`)
      }
    }
    const agree = rows.filter((r) => r.ours.refused === r.theirs.refused).length
    const perClass = [...counts]
      .map(([cls, n]) => `${cls} ${n.cases} (API server refuses ${n.theirs}, ours ${n.ours}, both ${n.both})`)
      .join(', ')
    console.log(
      `apiserver differential (Kubernetes ${MINOR}): ${rows.length} cases, ${agree} agree, ${unsound.length} refused by ours only, ${uncovered.length} refused by the API server only (${excepted.length} more excepted); ${perClass}`,
    )
    if (unsound.length + uncovered.length + validRefused.length > 0)
      console.log(
        [
          `valid objects (or forms the API server should take) refused:\n  ${validRefused.join('\n  ')}`,
          `refused by ours only:\n  ${unsound.join('\n  ')}`,
          `refused by the API server only:\n  ${uncovered.join('\n  ')}`,
        ].join('\n'),
      )
    expect(
      CLASSES.filter((cls) => !counts.has(cls)),
      'every class has its cases',
    ).toEqual([])
    expect(validRefused, 'the valid objects: both accept; the forms the API server takes: it takes them').toEqual([])
    expect(unsound, 'refused by the gate, accepted by the API server (a false failure for a user)').toEqual([])
    expect(uncovered, 'refused by the API server in a class the gate owns, accepted by the gate').toEqual([])
  }, 600_000)
})
