/**
 * Argo CD's `Env.Envsubst` (its parameters, value-file and file-parameter paths, kustomize images and labels): ameide's
 * goExpand/envsubst (src/gitops/model/source-helpers.ts) held to Go's os.Expand under Argo CD's own function,
 * built natively from testdata/go-expand, over fixed cases and generated text.
 */
import {execFileSync} from 'node:child_process'
import fc from 'fast-check'
import {beforeAll, describe, expect, it} from 'vitest'

import {envsubst, unknownVariables} from '../../../src/gitops/model/source-helpers.js'
import {buildGo} from '../../support/argo-render.js'

const ENV = {
  ARGOCD_APP_NAME: 'web',
  ARGOCD_APP_NAMESPACE: 'prod',
  ARGOCD_APP_PROJECT_NAME: 'default',
  ARGOCD_APP_SOURCE_PATH: 'charts/web',
  '1': 'one',
  _: 'underscore',
}
let native: string

beforeAll(async () => {
  native = await buildGo('test/gitops/argocd/testdata/go-expand', 'go-expand')
}, 600_000)

const reference = (texts: string[]): string[] =>
  JSON.parse(execFileSync(native, [JSON.stringify(ENV)], {input: JSON.stringify(texts)}).toString('utf8')) as string[]

function expectSame(texts: string[]) {
  const want = reference(texts)
  const differences = texts.flatMap((text, i) => {
    const mine = envsubst(text, ENV)
    return mine === want[i] ? [] : [{text, mine, want: want[i]}]
  })
  expect(differences).toEqual([])
}

describe("Argo CD's Envsubst, against Go's os.Expand built natively", () => {
  it('substitutes the forms Argo CD users write, and the edges of Go shell names', () => {
    expectSame([
      '$ARGOCD_APP_NAMESPACE',
      '${ARGOCD_APP_NAMESPACE}',
      '$ARGOCD_APP_NAME-$ARGOCD_APP_NAMESPACE',
      '$ARGOCD_APP_NAMESPACEX',
      '${ARGOCD_APP_NAME}SPACE',
      'values-$ARGOCD_APP_NAME.yaml',
      '$$ARGOCD_APP_NAME',
      '$$',
      '$',
      'a$',
      '${}',
      '${',
      '${ARGOCD_APP_NAME',
      '$1x',
      '${1}',
      '${12}',
      '$_',
      '$-',
      '$@',
      '${$}',
      '$ {x}',
      '$.x',
      '$UNSET-x',
      '${UNSET:-default}',
      '€$ARGOCD_APP_NAME€',
      '',
      'no variables',
    ])
  })

  it('agrees on generated text (fast-check)', () => {
    const piece = fc.oneof(
      fc.constantFrom(
        '$',
        '{',
        '}',
        '$$',
        '${',
        'ARGOCD_APP_NAME',
        'ARGOCD_APP_NAMESPACE',
        '_',
        '1',
        '-',
        ' ',
        '€',
        'x',
      ),
      fc.string({maxLength: 3}),
    )
    const text = fc.array(piece, {maxLength: 8}).map((p) => p.join(''))
    expectSame(fc.sample(text, {numRuns: 2_000, seed: 61}))
  })

  it('names the revision variables ameide cannot know, in any form', () => {
    expect(unknownVariables('$ARGOCD_APP_REVISION')).toEqual(['ARGOCD_APP_REVISION'])
    expect(unknownVariables('v-${ARGOCD_APP_REVISION_SHORT}')).toEqual(['ARGOCD_APP_REVISION_SHORT'])
    expect(unknownVariables('$ARGOCD_APP_REVISION_SHORT_8x')).toEqual([])
    expect(unknownVariables('$$ARGOCD_APP_REVISION')).toEqual([])
  })
})
