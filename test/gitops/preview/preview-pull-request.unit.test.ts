/**
 * The pull request `gitops preview` previews: from the flags, and under GitHub Actions on a pull_request event from
 * the payload at GITHUB_EVENT_PATH for what the flags leave out. A payload that is not JSON is INVALID_PULL_REQUEST
 * (exit 2), never an internal error; fields of the wrong type are ignored.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {AmeideError} from '../../../src/core/errors.js'
import {pullRequestOf} from '../../../src/gitops/preview/pull-request.js'

const dir = mkdtempSync(path.join(tmpdir(), 'ameide-pr-event-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const HEAD = '9b34ff5bd418e57d58891eb0aa0728043ca1e8be'
const OTHER = '089d92cbf9ff857a39e6feccd32798ca700fb958'

/** A pull_request event payload as GitHub writes it (the fields the generator reads, and some it does not). */
const EVENT = {
  action: 'synchronize',
  number: 42,
  pull_request: {
    number: 42,
    title: 'Orders: paginate the list',
    user: {login: 'octocat', id: 1},
    head: {ref: 'feat/orders_pagination', sha: HEAD, repo: {full_name: 'ameideio/ameide'}},
    base: {
      ref: 'main',
      sha: OTHER,
      repo: {full_name: 'ameideio/ameide', html_url: 'https://github.com/ameideio/ameide'},
    },
    labels: [{name: 'preview', color: 'fff'}, {name: 'area/orders'}],
    draft: false,
  },
}

let n = 0
function eventFile(content: string): string {
  const file = path.join(dir, `event-${n++}.json`)
  writeFileSync(file, content)
  return file
}

const actions = (file: string, name = 'pull_request') => ({
  GITHUB_ACTIONS: 'true',
  GITHUB_EVENT_NAME: name,
  GITHUB_EVENT_PATH: file,
})

function usageErrorOf(f: () => unknown): AmeideError {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(AmeideError)
    return e as AmeideError
  }
  throw new Error('expected an error')
}

describe('the pull request from a pull_request event (GITHUB_EVENT_PATH)', () => {
  it('reads number, head sha, branches, labels (sorted), title, author and the base repository', () => {
    const pr = pullRequestOf({}, actions(eventFile(JSON.stringify(EVENT))))
    expect(pr).toEqual({
      number: 42,
      headSha: HEAD,
      branch: 'feat/orders_pagination',
      targetBranch: 'main',
      labels: ['area/orders', 'preview'],
      title: 'Orders: paginate the list',
      author: 'octocat',
      repository: 'https://github.com/ameideio/ameide',
      repositoryFrom: 'event',
    })
  })

  it('--repository wins over the event; one that is not a web URL is a usage error', () => {
    const file = eventFile(JSON.stringify(EVENT))
    expect(pullRequestOf({repository: 'https://ghe.example.com/a/b'}, actions(file))).toMatchObject({
      repository: 'https://ghe.example.com/a/b',
      repositoryFrom: 'flag',
    })
    const error = usageErrorOf(() => pullRequestOf({repository: 'git@github.com:a/b.git'}, actions(file)))
    expect(error.code).toBe('INVALID_PULL_REQUEST')
    expect(error.message).toContain('is not a repository')
  })

  it('pull_request_target too; the flags win over the event, field by field', () => {
    const file = eventFile(JSON.stringify(EVENT))
    expect(pullRequestOf({}, actions(file, 'pull_request_target')).number).toBe(42)
    const pr = pullRequestOf(
      {pr: 7, 'head-sha': OTHER, branch: 'x', label: ['b', 'a', 'b'], title: 'T', author: 'me'},
      actions(file),
    )
    expect(pr).toEqual({
      number: 7,
      headSha: OTHER,
      branch: 'x',
      targetBranch: 'main',
      labels: ['a', 'b'],
      title: 'T',
      author: 'me',
      repository: 'https://github.com/ameideio/ameide',
      repositoryFrom: 'event',
    })
  })

  it('is not read outside GitHub Actions or for another event', () => {
    const file = eventFile(JSON.stringify(EVENT))
    const flags = {pr: 1, 'head-sha': OTHER}
    expect(pullRequestOf(flags, {GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: file})).toEqual({
      number: 1,
      headSha: OTHER,
      labels: [],
    })
    expect(pullRequestOf(flags, actions(file, 'push'))).toEqual({number: 1, headSha: OTHER, labels: []})
    // Not even a malformed payload: a push job never reads it.
    expect(pullRequestOf(flags, actions(eventFile('{not json'), 'push')).number).toBe(1)
  })

  it.each([
    ['not JSON', '{"pull_request": {"number": 42,'],
    ['empty', ''],
    ['binary', '\u0000\u0001\u0002'],
  ])('a payload that is %s: INVALID_PULL_REQUEST (exit 2), even with every flag given', (_, content) => {
    const e = usageErrorOf(() => pullRequestOf({pr: 1, 'head-sha': OTHER}, actions(eventFile(content))))
    expect(e.code).toBe('INVALID_PULL_REQUEST')
    expect(e.exitCode).toBe(2)
    expect(e.message).toContain('GITHUB_EVENT_PATH cannot be read as JSON')
  })

  it('a missing file or a directory: INVALID_PULL_REQUEST', () => {
    for (const file of [path.join(dir, 'absent.json'), dir]) {
      const e = usageErrorOf(() => pullRequestOf({}, actions(file)))
      expect(e.code).toBe('INVALID_PULL_REQUEST')
    }
  })

  it.each([
    ['JSON null', 'null'],
    ['an array', '[1, 2]'],
    ['no pull_request', '{"ref": "refs/heads/main"}'],
    ['pull_request a string', '{"pull_request": "42"}'],
    [
      'fields of the wrong type',
      JSON.stringify({pull_request: {number: '42', head: 'x', base: null, labels: 'preview', user: []}}),
    ],
    ['labels of the wrong shape', JSON.stringify({pull_request: {number: 42, labels: [null, 'preview', {name: 3}]}})],
  ])('%s: nothing read from it; without flags the usage error asks for --pr and --head-sha', (_, content) => {
    const file = eventFile(content)
    const e = usageErrorOf(() => pullRequestOf({}, actions(file)))
    expect(e.code).toBe('INVALID_PULL_REQUEST')
    expect(e.message).toContain('--pr and --head-sha are required')
    const pr = pullRequestOf({pr: 3, 'head-sha': HEAD}, actions(file))
    expect(pr).toEqual({number: 3, headSha: HEAD, labels: []})
  })

  it('a head sha that is not 40 lowercase hex, or a number that is not one: INVALID_PULL_REQUEST naming it', () => {
    const short = eventFile(JSON.stringify({pull_request: {...EVENT.pull_request, head: {ref: 'x', sha: 'abc123'}}}))
    expect(usageErrorOf(() => pullRequestOf({}, actions(short))).message).toContain('"abc123"')
    const upper = eventFile(JSON.stringify({pull_request: {...EVENT.pull_request, head: {sha: HEAD.toUpperCase()}}}))
    expect(usageErrorOf(() => pullRequestOf({}, actions(upper))).code).toBe('INVALID_PULL_REQUEST')
    for (const number of [0, -1, 1.5, 2 ** 60]) {
      const file = eventFile(JSON.stringify({pull_request: {...EVENT.pull_request, number}}))
      expect(usageErrorOf(() => pullRequestOf({}, actions(file))).code).toBe('INVALID_PULL_REQUEST')
    }
  })
})
