#!/usr/bin/env node
// What validating rendered objects of built-in kinds costs, in one process, beside its floor: the objects of the
// 1,002-Application scale bench (bench/gitops-diff-scale.mjs: a Deployment, a Service and a ConfigMap per Application,
// 3,006 objects) checked by the build's schema check (src/gitops/kubernetes/schema.ts: the schema of the cluster's
// minor, ./minor-fields.ts: fields, types, formats, enums, required fields) at the default minor and at 1.29, the
// first object of a process (which reads the table), and the floor: a plain walk visiting every key of the same
// objects. Compare the total with the CPU of the diff or verify it is part of (issue 95: validating all objects adds
// ≤ 10 % to the scale bench's CPU).
// Usage: node bench/schema-validation.mjs [runs=5] [--record]   (needs a build: npm run build)
/* global structuredClone */
import {performance} from 'node:perf_hooks'

import {benchArgs, record} from './record.mjs'

const runs = Number(benchArgs()[0] ?? 5)
const dist = new URL('../dist/gitops/kubernetes/', import.meta.url)
const {validateObject} = await import(new URL('schema.js', dist).href)

const image = `registry.example/web@sha256:${'a'.repeat(64)}`
const object = (apiVersion, kind, rest) => ({apiVersion, kind, name: 'web', body: {apiVersion, kind, ...rest}})
const perApplication = [
  object('apps/v1', 'Deployment', {
    metadata: {name: 'web', labels: {app: 'web', tier: 'web'}},
    spec: {
      replicas: 2,
      selector: {matchLabels: {app: 'web'}},
      template: {
        metadata: {labels: {app: 'web'}},
        spec: {
          containers: [
            {name: 'web', image, envFrom: [{configMapRef: {name: 'web-config'}}], ports: [{containerPort: 8080}]},
          ],
        },
      },
    },
  }),
  object('v1', 'Service', {
    metadata: {name: 'web'},
    spec: {ports: [{port: 80, targetPort: 8080}], selector: {app: 'web'}},
  }),
  object('v1', 'ConfigMap', {metadata: {name: 'web-config'}, data: {LOG_LEVEL: 'info'}}),
]
const objects = Array.from({length: 1002}, () => structuredClone(perApplication)).flat()
const first = performance.now()
validateObject(objects[0], '1.34')
const firstMs = performance.now() - first

const walk = (v) => {
  let n = 0
  if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) n += 1 + walk(v[k])
  return n
}
const cases = {
  'floor: a plain walk of every key': () => objects.forEach((o) => walk(o.body)),
  'schema check, 1.34': () => objects.forEach((o) => validateObject(o, '1.34')),
  'schema check, 1.29': () => objects.forEach((o) => validateObject(o, '1.29')),
}
const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]))
for (let i = 0; i <= runs; i++)
  for (const [name, run] of Object.entries(cases)) {
    const t = performance.now()
    run()
    if (i > 0) samples[name].push(performance.now() - t) // the first round warms up (loads, compiles)
  }
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const floor = median(samples['floor: a plain walk of every key'])
console.log(`${objects.length} objects, median of ${runs} warm runs (node ${process.version})`)
console.log(`${'the first object (reads the table)'.padEnd(40)} ${firstMs.toFixed(1).padStart(7)} ms`)
for (const [name, xs] of Object.entries(samples))
  console.log(
    `${name.padEnd(40)} ${median(xs).toFixed(1).padStart(7)} ms  ${(median(xs) / floor).toFixed(1)}× the floor`,
  )
record('schema-validation', `node bench/schema-validation.mjs ${runs}`, [
  {case: 'the first object (reads the table)', wall: Number(firstMs.toFixed(1)), figure: 'once per process'},
  ...Object.entries(samples).map(([name, xs]) => ({
    case: name,
    wall: Number(median(xs).toFixed(1)),
    figure: `${(median(xs) / floor).toFixed(1)}× the floor`,
  })),
])
