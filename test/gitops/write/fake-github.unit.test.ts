import {afterEach, describe, expect, it} from 'vitest'

import {startFakeGitHub, type FakeGitHub} from '../../support/github-server.js'

/** The fake GitHub itself: it must refuse what GitHub's OpenAPI description refuses, or the other tests prove nothing. */

const TOKEN = 'ghp_fakeSelfTest0000000000000000000000'
let server: FakeGitHub
afterEach(async () => server?.close())

async function send(method: string, path: string, body?: unknown) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `token ${TOKEN}`,
      'content-type': 'application/json',
      accept: 'application/vnd.github+json',
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  return {status: res.status, body: text ? JSON.parse(text) : undefined}
}

describe('fake GitHub validates against the OpenAPI description', () => {
  const dispatchPath = '/repos/ameideio/ameide-gitops/actions/workflows/scaffold-primitive-gitops.yaml/dispatches'

  it('accepts a valid dispatch (200 with the run, itself validated)', async () => {
    server = await startFakeGitHub({token: TOKEN})
    const res = await send('POST', dispatchPath, {ref: 'main', inputs: {kind: 'domain'}, return_run_details: true})
    expect(res.status).toBe(200)
    expect(res.body.workflow_run_id).toBe(server.runs[0].id)
    expect(server.violations).toEqual([])
  })

  it.each([
    [
      'an unknown body field',
      'POST',
      dispatchPath,
      {ref: 'main', inputs: {}, return_run_detail: true},
      /unknown field "return_run_detail"/,
    ],
    ['a wrong type', 'POST', dispatchPath, {ref: 'main', inputs: {}, return_run_details: 'yes'}, /must be boolean/],
    ['a missing required field', 'POST', dispatchPath, {inputs: {}}, /must have required property 'ref'/],
    ['an unknown path', 'GET', '/repos/ameideio/ameide-gitops/actions/workflow-runs/1', undefined, /no operation/],
    [
      'an unknown query parameter',
      'GET',
      '/repos/ameideio/ameide-gitops/pulls?state=open&author=me',
      undefined,
      /unknown query parameter "author"/,
    ],
    [
      'a query value outside its enum',
      'GET',
      '/repos/ameideio/ameide-gitops/pulls?state=merged',
      undefined,
      /must be equal to one of the allowed values/,
    ],
    [
      'a wrong query type',
      'GET',
      '/repos/ameideio/ameide-gitops/actions/workflows/x.yaml/runs?per_page=lots',
      undefined,
      /must be integer/,
    ],
    ['a body where none is allowed', 'GET', '/repos/ameideio/ameide-gitops/pulls', {x: 1}, /takes no request body/],
  ])('records %s and answers 500', async (_what, method, path, body, problem) => {
    server = await startFakeGitHub({token: TOKEN})
    const res =
      method === 'GET' && body !== undefined ? await rawGetWithBody(path, body) : await send(method, path, body)
    expect(res.status).toBe(500)
    expect(server.violations.map((v) => v.problem).join('\n')).toMatch(problem)
    server.violations.length = 0
  })

  it('refuses to send a response its schema does not allow', async () => {
    server = await startFakeGitHub({token: TOKEN})
    server.respondNext('actions/create-workflow-dispatch', {
      status: 200,
      body: {workflow_run_id: '12', run_url: 'x', html_url: 'y'},
    })
    const res = await send('POST', dispatchPath, {ref: 'main', inputs: {}, return_run_details: true})
    expect(res.status).toBe(500)
    expect(server.violations.map((v) => v.problem).join('\n')).toMatch(/workflow_run_id: must be integer/)
    server.violations.length = 0
  })
})

/** fetch() refuses a GET body; node:http does not. */
async function rawGetWithBody(path: string, body: unknown): Promise<{status: number; body: unknown}> {
  const {request} = await import('node:http')
  const text = JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const headers = {
      authorization: `token ${TOKEN}`,
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
    }
    const req = request(`${server.url}${path}`, {method: 'GET', headers}, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () =>
        resolve({status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString() || 'null')}),
      )
    })
    req.on('error', reject)
    req.end(text)
  })
}
