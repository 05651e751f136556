import {describe, expect, it} from 'vitest'

import {AmeideError} from '../../src/core/errors.js'
import {parseDuration} from '../../src/dispatch/duration.js'
import {nextPollDelay} from '../../src/dispatch/follow.js'
import {expandBranch, parsePrimitiveInputs} from '../../src/dispatch/scaffold.js'
import {DEFAULT_TIMINGS} from '../../src/dispatch/types.js'
import {checkAgainstDeclared, correlationInput, parseDeclaredInputs, workflowInputs} from '../../src/dispatch/inputs.js'
import {SCAFFOLD_WORKFLOW_YAML} from '../support/github-server.js'

describe('declared workflow inputs', () => {
  it('reads on.workflow_dispatch.inputs with types, options, required and defaults', async () => {
    const declared = await parseDeclaredInputs(SCAFFOLD_WORKFLOW_YAML)
    expect(declared?.map((d) => d.name)).toEqual(['kind', 'name', 'version', 'with_smoke', 'env', 'distinct_id'])
    expect(declared?.find((d) => d.name === 'env')).toEqual({
      name: 'env',
      required: false,
      type: 'choice',
      options: ['dev', 'staging', 'production'],
    })
    expect(declared?.find((d) => d.name === 'version')).toMatchObject({required: true, default: 'v0'})
    expect(correlationInput(declared!)).toBe('distinct_id')
  })

  it.each([
    ['on: workflow_dispatch\n', []],
    ['on: [push, workflow_dispatch]\n', []],
    ['on:\n  workflow_dispatch:\n', []],
    ['on: [push]\n', null],
    ['on:\n  push: {branches: [main]}\n', null],
  ])('%j → %j', async (yaml, expected) => {
    expect(await parseDeclaredInputs(yaml)).toEqual(expected)
  })

  it('finds unknown inputs, values outside a choice, non-boolean booleans and missing required inputs', () => {
    const declared = [
      {name: 'kind', required: true, type: 'choice', options: ['domain']},
      {name: 'with_smoke', required: false, type: 'boolean'},
      {name: 'team', required: true, type: 'string'},
      {name: 'version', required: true, type: 'string', default: 'v0'},
    ]
    const problems = checkAgainstDeclared({kind: 'agent', with_smoke: 'yes', extra: 'x'}, declared)
    expect(problems.map((p) => p.code).sort()).toEqual([
      'INPUT_NOT_ALLOWED',
      'INPUT_NOT_ALLOWED',
      'INPUT_NOT_DECLARED',
      'REQUIRED_INPUT_MISSING',
    ])
    expect(checkAgainstDeclared({kind: 'domain', with_smoke: 'false', team: 'a'}, declared)).toEqual([])
  })
})

describe('inputs sent', () => {
  it('sends strings, with_smoke as "true"/"false", env only when given', () => {
    expect(
      workflowInputs(parsePrimitiveInputs({kind: 'agent', name: 'triage', version: 'v2', withSmoke: true})),
    ).toEqual({
      kind: 'agent',
      name: 'triage',
      version: 'v2',
      with_smoke: 'true',
    })
    expect(
      workflowInputs(
        parsePrimitiveInputs({kind: 'domain', name: 'orders', version: 'v0', withSmoke: false, env: 'dev'}),
      ),
    ).toEqual({
      kind: 'domain',
      name: 'orders',
      version: 'v0',
      with_smoke: 'false',
      env: 'dev',
    })
  })

  it.each([
    [{version: 'V1'}, 'INVALID_VERSION'],
    [{version: 'v1.2'}, 'INVALID_VERSION'],
    [{env: '-dev'}, 'INVALID_ENVIRONMENT'],
    [{env: 'a'.repeat(64)}, 'INVALID_ENVIRONMENT'],
    [{name: 'x'.repeat(34)}, 'INVALID_NAME'],
  ])('%j → %s', (over, code) => {
    const attempt = () =>
      parsePrimitiveInputs({kind: 'domain', name: 'orders', version: 'v0', withSmoke: false, ...over})
    expect(attempt).toThrow(AmeideError)
    try {
      attempt()
    } catch (error) {
      expect([(error as AmeideError).code, (error as AmeideError).exitCode]).toEqual([code, 2])
    }
  })

  it('expands the branch pattern', () => {
    expect(
      expandBranch({
        branchPattern: 'scaffold/{kind}-{name}-{version}',
        primitive: {kind: 'process', name: 'ping', version: 'v3', withSmoke: false},
      }),
    ).toBe('scaffold/process-ping-v3')
  })
})

describe('timing', () => {
  it('polls at 2 s growing to 15 s by default', () => {
    const delays = [DEFAULT_TIMINGS.pollInitialMs]
    while (delays.length < 8) delays.push(nextPollDelay(delays.at(-1)!, DEFAULT_TIMINGS))
    expect(delays).toEqual([2000, 3000, 4500, 6750, 10125, 15000, 15000, 15000])
  })

  it.each([
    ['90', 90_000],
    ['90s', 90_000],
    ['15m', 900_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
  ])('parseDuration(%j) = %d', (text, ms) => expect(parseDuration(text)).toBe(ms))

  it.each(['', '0', '-5s', '5x', '1h 5m', 'm'])('parseDuration(%j) is a usage error', (text) => {
    expect(() => parseDuration(text)).toThrow(/not a positive duration/)
  })
})
