import {describe, expect, it} from 'vitest'

import {colorEnabled, promptsAllowed, spinnersEnabled, type TerminalFacts} from '../../src/core/output/terminal.js'
import {clearSecretsForTests, redact, registerSecret} from '../../src/core/secrets.js'
import {toAmeideError} from '../../src/core/errors.js'

const tty = (env: NodeJS.ProcessEnv = {}): TerminalFacts => ({
  stdoutIsTTY: true,
  stderrIsTTY: true,
  stdinIsTTY: true,
  env,
})

describe('terminal rules', () => {
  it('spinners only on an interactive stderr, outside --json and CI', () => {
    expect(spinnersEnabled(tty(), false)).toBe(true)
    expect(spinnersEnabled(tty(), true)).toBe(false)
    expect(spinnersEnabled(tty({CI: 'true'}), false)).toBe(false)
    expect(spinnersEnabled(tty({GITHUB_ACTIONS: 'true'}), false)).toBe(false)
    expect(spinnersEnabled({...tty(), stderrIsTTY: false}, false)).toBe(false)
  })

  it('colour respects NO_COLOR and the TTY', () => {
    expect(colorEnabled(tty(), 'stdout')).toBe(true)
    expect(colorEnabled(tty({NO_COLOR: '1'}), 'stdout')).toBe(false)
    expect(colorEnabled({...tty(), stdoutIsTTY: false}, 'stdout')).toBe(false)
  })

  it('never prompts without a TTY on stdin', () => {
    expect(promptsAllowed({...tty(), stdinIsTTY: false}, false)).toBe(false)
    expect(promptsAllowed(tty(), false)).toBe(true)
  })
})

describe('secrets and errors', () => {
  it('redacts every registered secret', () => {
    clearSecretsForTests()
    registerSecret('ghp_canary0123456789')
    expect(redact('token=ghp_canary0123456789 and again ghp_canary0123456789')).toBe('token=*** and again ***')
    registerSecret('abc') // too short to redact without mangling words
    expect(redact('abc')).toBe('abc')
  })

  it('maps oclif parse errors to exit 2 and unknown errors to exit 1', () => {
    const parse = Object.assign(new Error('Nonexistent flag: --x'), {name: 'NonExistentFlagsError', oclif: {exit: 2}})
    expect(toAmeideError(parse)).toMatchObject({code: 'INVALID_USAGE', exitCode: 2})
    expect(toAmeideError(new Error('boom'))).toMatchObject({code: 'INTERNAL_ERROR', exitCode: 1})
    expect(toAmeideError(Object.assign(new Error('no'), {code: 'EACCES'}))).toMatchObject({exitCode: 3})
  })
})
