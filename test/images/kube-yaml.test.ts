/**
 * YAML read as Kubernetes and Argo CD read it (src/images/yaml/kube.ts), held to the code that does it: apimachinery's
 * YAMLOrJSONDecoder over sigs.k8s.io/yaml (go-yaml v2's resolver), as gitops-engine's kube.SplitYAML reads a render,
 * built natively from testdata/kube-yaml. Every case, fixed or generated, must give the same JSON objects, or fail
 * on both sides.
 */
import {execFileSync} from 'node:child_process'
import {isDeepStrictEqual} from 'node:util'
import fc from 'fast-check'
import * as YAML from 'yaml'
import {beforeAll, describe, expect, it} from 'vitest'

import {kubeDocuments, kubeKey} from '../../src/images/yaml/kube.js'
import {buildGo} from '../support/argo-render.js'

let native: string

beforeAll(async () => {
  native = await buildGo('test/images/testdata/kube-yaml', 'kube-yaml')
}, 600_000)

type Answer = {objects: unknown[]} | {error: string}

/** Each text as Kubernetes reads it, natively. */
function reference(texts: string[]): Answer[] {
  const out = execFileSync(native, {input: JSON.stringify(texts), maxBuffer: 64 << 20}).toString('utf8')
  return out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Answer)
}

/** Each text as ameide reads it: the objects, or the error (empty and null documents skipped). */
function ours(text: string): Answer {
  try {
    return {objects: kubeDocuments(YAML, text).filter((d) => d !== null && d !== undefined)}
  } catch (error) {
    return {error: (error as Error).message}
  }
}

/** Compared as Kubernetes compares them: the same JSON, or an error on both sides; every difference listed. */
function expectSame(texts: string[]): void {
  const theirs = reference(texts)
  const differences = texts.flatMap((text, i) => {
    const mine = ours(text)
    const want = theirs[i]
    const same = 'error' in want ? 'error' in mine : !('error' in mine) && isDeepStrictEqual(mine.objects, want.objects)
    return same ? [] : [{text, mine, want}]
  })
  expect(differences).toEqual([])
}

/** Scalars whose reading differs between YAML 1.1 and 1.2, or between go-yaml and everyone else. */
const SCALARS = [
  '0444',
  '0644',
  '0o444',
  '0x1F',
  '0X1f',
  '0b101',
  '-0b101',
  '0B11',
  '08',
  '09.5',
  '0',
  '-0',
  '+0',
  '00',
  '+12',
  '-12',
  '1_000',
  '1__0',
  '_1',
  '1_',
  '0x_1F',
  '1e3',
  '1E3',
  '1e+3',
  '1.5e-3',
  '1.',
  '.5',
  '.5e3',
  '+.5',
  '-.5',
  '.5_0',
  '.',
  '..',
  '1.2.3',
  '1e400',
  '-1e400',
  '1e-400',
  '9223372036854775807',
  '9223372036854775808',
  '-9223372036854775808',
  '-9223372036854775809',
  '18446744073709551615',
  '18446744073709551616',
  '0x7FFFFFFFFFFFFFFF',
  '0xFFFFFFFFFFFFFFFF',
  '0x10000000000000000',
  'y',
  'Y',
  'n',
  'N',
  'yes',
  'Yes',
  'YES',
  'yEs',
  'no',
  'No',
  'NO',
  'on',
  'On',
  'ON',
  'oN',
  'off',
  'Off',
  'OFF',
  'true',
  'True',
  'TRUE',
  'tRUE',
  'false',
  'False',
  'FALSE',
  '~',
  'null',
  'Null',
  'NULL',
  'nULL',
  '',
  '2001-12-14',
  '2001-12-14t21:59:43.10-05:00',
  '2001-12-14 21:59:43.10',
  '12:30',
  '190:20:30',
  '1:20.5',
  '+.inf',
  '-.Inf',
  '.NaN',
  '.nan',
  '+.nan',
  'inf',
  'nan',
  'Infinity',
  '0x',
  '0o',
  '0b',
  '0b2',
  '0o8',
  '1e',
  'e3',
  '-',
  '+',
  '+-1',
  '1,000',
  '$1',
  '=',
  '<<',
  'v1',
  '1.0',
  '100000.0',
  '1000000.0',
  '123456789.0',
  '0.0001',
  '0.00001',
  '-0.0',
  'toString',
  'constructor',
  '__proto__',
  'hasOwnProperty',
  'valueOf',
]

describe('YAML as Kubernetes reads it, against sigs.k8s.io/yaml built natively', () => {
  it('reads every troublesome scalar as a value, a key, quoted and in a list as Kubernetes does', () => {
    const texts: string[] = []
    for (const s of SCALARS) {
      texts.push(`v: ${s}\n`, `${s}: v\n`, `q: "${s}"\nr: '${s}'\n`, `b: !!str ${s}\n`)
      if (s !== '-') texts.push(`l: [${s}]\n`) // the one divergence, asserted below
    }
    expectSame(texts)
  })

  it('reads the shapes of a render: defaultMode, annotations {}, merge keys, multi-document streams', () => {
    expectSame([
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations: {}\n  labels: {}\ndata: {}\n',
      'kind: Deployment\nspec:\n  template:\n    spec:\n      volumes:\n      - secret:\n          defaultMode: 0444\n',
      'base: &b {a: 1, b: 2}\nderived:\n  <<: *b\n  b: 3\n',
      'list: &l [1, 2]\nagain: *l\n',
      '---\n# only a comment\n---\nkind: A\n---\n\n---\nnull\n---\nkind: B\n...\n',
      'a: 1\na: 2\n',
      'key:\n  nested:\n    ? complex\n    : value\n',
      '{"kind": "Json", "n": 0444}',
      'a: |\n  0444\nb: >-\n  yes\n',
      '? [a, b]\n: c\n',
      '~: x\n',
      'null: x\n',
      'true: x\nyes: y\n',
      'a: !!int "10"\n',
      'a: !!float 1\n',
      'a: !custom 0444\n',
      'a: b: c\n',
      '- a\n- b\n',
      '- 0444\n- yes\n',
      'x: [1, 2\n',
    ])
  })

  it('refuses, where Kubernetes reads it, only a flow sequence holding a bare `-` (the yaml library lexes it more strictly)', () => {
    expect(reference(['l: [-]\n'])).toEqual([{objects: [{l: ['-']}]}])
    expect(ours('l: [-]\n')).toEqual({error: expect.stringContaining('Block collections are not allowed') as string})
  })

  it('agrees on generated documents of plain scalars, keys and nesting (fast-check)', () => {
    const plain = fc.oneof(
      fc.constantFrom(...SCALARS),
      fc.stringMatching(/^[-+]?(0[xXoObB]?)?[0-9a-fA-F_.eE+-]{0,8}$/),
      fc.stringMatching(/^[a-zA-Z~.][a-zA-Z0-9 _.-]{0,6}$/),
    )
    const scalar = plain.filter((s) => s === s.trim() && !/^[-?:,[\]{}#&*!|>'"%@`]/.test(s) && !/[:#]/.test(s))
    // Two keys that Go makes the same JSON key (`00` and `1e-400` are both "0") are left out: which one wins depends
    // on Go's map order, so the reference itself answers differently from run to run.
    const jsonKey = (k: string) => {
      try {
        return kubeKey(k)
      } catch {
        return k
      }
    }
    const doc = fc
      .dictionary(scalar, fc.oneof(scalar, fc.array(scalar, {maxLength: 3})), {maxKeys: 5})
      .filter((d) => new Set(Object.keys(d).map(jsonKey)).size === Object.keys(d).length)
    const text = doc.map((d) =>
      Object.entries(d)
        .map(([k, v]) => `${k === '' ? '""' : k}: ${Array.isArray(v) ? `[${v.join(', ')}]` : v}\n`)
        .join(''),
    )
    const samples = fc.sample(text, {numRuns: 2_000, seed: 61})
    expectSame(samples)
  })
})
