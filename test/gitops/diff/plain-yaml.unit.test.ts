/**
 * The diff's object text written directly (src/gitops/diff/plain-yaml.ts) is the `yaml` library's text, byte for
 * byte, wherever it answers — and it answers for the objects charts render, so the library is the exception.
 */
import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import * as yaml from 'yaml'
import {describe, expect, it} from 'vitest'

import {STABLE} from '../../../src/gitops/diff/objects.js'
import {plainYaml} from '../../../src/gitops/diff/plain-yaml.js'

const library = (body: unknown) => yaml.stringify(body, STABLE)

/** Strings a manifest holds, and strings the library quotes, writes as blocks or reads as another type. */
const awkward = fc.constantFrom(
  '',
  ' ',
  'true',
  'False',
  'NULL',
  '~',
  'null',
  '1',
  '-1',
  '+1',
  '007',
  '1.0',
  '.5',
  '1.',
  '1e3',
  '1E-3',
  '0x1F',
  '0o17',
  '.inf',
  '-.Inf',
  '.nan',
  '-',
  '?',
  '- x',
  '? x',
  'a: b',
  'a:b',
  'a:',
  'x #y',
  'x#y',
  '#x',
  ' x',
  'x ',
  '\tx',
  'x\t',
  'a\nb',
  'a\n',
  '---',
  '--- x',
  '...',
  '%x',
  '@x',
  '`x',
  '!x',
  '&x',
  '*x',
  '|x',
  '>x',
  "'x",
  '"x',
  '[x',
  ']x',
  '{x',
  '}x',
  ',x',
  'x,y',
  'x[0]',
  'é',
  '😀',
  '\u0085',
  '\u2028',
  '\u00a0x',
  'x\u0000',
  '\ud800',
  '25%',
  'nginx:1.25',
  'ghcr.io/o/app@sha256:abc',
  'http://x:80/y',
  'a b c',
  'sh -c "echo hi"',
  '{"a":1}',
  'k=v',
)
const word = fc.stringMatching(/^[a-z][a-zA-Z0-9_./-]{0,12}$/)
const text = fc.oneof(word, awkward, fc.string({maxLength: 8}), fc.string({unit: 'grapheme', maxLength: 6}))
const scalar = fc.oneof(
  text,
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, 1e21, 1.5e-7, 2 ** 53, Number.MAX_VALUE),
)
const {value} = fc.letrec<{value: unknown}>((tie) => ({
  value: fc.oneof(
    {depthSize: 'small', withCrossShrink: true},
    scalar,
    fc.array(tie('value'), {maxLength: 4}),
    fc.dictionary(fc.oneof(word, text), tie('value'), {maxKeys: 5}),
  ),
}))
const body = fc.dictionary(fc.oneof(word, text), value, {maxKeys: 6})

/** Every YAML document of the test data (charts, values, manifests), parsed. */
function testData(): unknown[] {
  const out: unknown[] = []
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, {withFileTypes: true})) {
      const p = path.join(dir, e.name)
      if (e.isDirectory()) walk(p)
      else if (/\.ya?ml$/.test(e.name))
        for (const d of yaml.parseAllDocuments(readFileSync(p, 'utf8')))
          if (d.errors.length === 0) out.push(d.toJS({maxAliasCount: -1}))
    }
  }
  walk(path.join(import.meta.dirname, '../..'))
  return out.filter((d) => typeof d === 'object' && d !== null && !Array.isArray(d))
}

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {name: 'web', namespace: 'prod', labels: {'app.kubernetes.io/name': 'web', tier: 'web'}},
  spec: {
    replicas: 3,
    selector: {matchLabels: {'app.kubernetes.io/name': 'web'}},
    strategy: {type: 'RollingUpdate', rollingUpdate: {maxSurge: '25%', maxUnavailable: 0}},
    template: {
      metadata: {labels: {'app.kubernetes.io/name': 'web'}, annotations: {}},
      spec: {
        containers: [
          {
            name: 'web',
            image: 'ghcr.io/acme/web@sha256:0123456789abcdef',
            args: ['--port', 8080, '--verbose'],
            env: [{name: 'LOG_LEVEL', value: 'info'}, {name: 'EMPTY'}],
            ports: [{containerPort: 8080, name: 'http', protocol: 'TCP'}],
            resources: {limits: {cpu: '500m', memory: '256Mi'}, requests: {}},
            readinessProbe: {httpGet: {path: '/healthz', port: 'http'}, periodSeconds: 10},
          },
        ],
        volumes: [],
        securityContext: {runAsNonRoot: true, seccompProfile: {type: 'RuntimeDefault'}},
      },
    },
  },
}

describe('plain YAML, written directly', () => {
  it('is the library’s text wherever it answers (random bodies)', () => {
    fc.assert(
      fc.property(body, (b) => {
        const got = plainYaml(b)
        if (got !== undefined) expect(got).toBe(library(b))
      }),
      {numRuns: 3000},
    )
  })

  it('answers, as the library writes it, for a rendered Deployment and the plain documents of the test data', () => {
    expect(plainYaml(deployment)).toBe(library(deployment))
    const docs = testData()
    const answered = docs.filter((d) => plainYaml(d) !== undefined)
    for (const d of answered) expect(plainYaml(d)).toBe(library(d))
    expect(docs.length).toBeGreaterThan(30)
    expect(answered.length / docs.length).toBeGreaterThan(0.5)
  })

  it('answers every body of plain keys and plain scalars, lists of them and of maps', () => {
    const plainScalar = fc.oneof(word, fc.integer(), fc.boolean(), fc.constant(null))
    const {plain} = fc.letrec<{plain: unknown}>((tie) => ({
      plain: fc.oneof(
        {depthSize: 'small'},
        plainScalar,
        fc.array(fc.oneof(plainScalar, fc.dictionary(word, tie('plain'), {maxKeys: 4})), {maxLength: 4}),
        fc.dictionary(word, tie('plain'), {maxKeys: 5}),
      ),
    }))
    fc.assert(
      fc.property(fc.dictionary(word, plain, {maxKeys: 6}), (b) => {
        const got = plainYaml(b)
        expect(got).toBeDefined()
        expect(got).toBe(library(b))
      }),
      {numRuns: 1000},
    )
  })

  it('leaves to the library what it would quote, fold into a block or nest', () => {
    for (const b of [{a: 'true'}, {a: ''}, {a: 'x: y'}, {a: 'line\nline'}, {'a b: c': 1}, {a: [[1]]}, {a: NaN}])
      expect(plainYaml(b), JSON.stringify(b)).toBeUndefined()
  })
})
