import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {ArgoCdError, createArgoCdClient} from '../../src/effects/argocd/argocd.js'
import {isPromoteBranchInto, planPrimitive} from '../../src/status/plan.js'
import {applicationJson, argoSpec, FakeArgoCd} from '../support/argocd-server.js'

/** The Argo CD client against the swagger-validating stand-in, and the stand-in's own checks (they can fail). */
const TOKEN = 'argocd-unit-token-77e1'
const FAST = {attempts: 3, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 10}
let argo: FakeArgoCd

beforeAll(async () => {
  argo = await new FakeArgoCd(TOKEN).start()
  argo.apps.set('dev-domain-orders-v0', {sync: 'Synced', health: 'Healthy', images: ['r/x:1@sha256:' + 'a'.repeat(64)]})
})

afterAll(async () => {
  await argo.stop()
})

describe('Argo CD client', () => {
  it('reads an Application: sync, health, live images; 404 is null', async () => {
    const client = createArgoCdClient({server: argo.url, token: TOKEN, retryPolicy: FAST})
    expect(await client.getApplication('dev-domain-orders-v0')).toMatchObject({
      sync: 'Synced',
      health: 'Healthy',
      images: ['r/x:1@sha256:' + 'a'.repeat(64)],
    })
    expect(await client.getApplication('nope')).toBeNull()
    expect(client.requests).toBe(2)
    expect(argo.violations).toEqual([])
  })

  it('a refused token is unauthorized; 503s are retried, then unavailable', async () => {
    const bad = createArgoCdClient({server: argo.url, token: 'wrong', retryPolicy: FAST})
    await expect(bad.getApplication('dev-domain-orders-v0')).rejects.toMatchObject({reason: 'unauthorized'})
    const client = createArgoCdClient({server: argo.url, token: TOKEN, retryPolicy: FAST})
    argo.failNext = 2
    expect((await client.getApplication('dev-domain-orders-v0'))?.health).toBe('Healthy')
    expect(client.requests).toBe(3)
    argo.failNext = 3
    const error = await client.getApplication('dev-domain-orders-v0').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ArgoCdError)
    expect((error as ArgoCdError).reason).toBe('unavailable')
    expect((error as Error).message).not.toContain(TOKEN)
  })
})

describe('the Argo CD stand-in validates against the swagger', () => {
  it('records an unknown query parameter or path as a violation and answers 500', async () => {
    const before = argo.violations.length
    const res = await fetch(`${argo.url}/api/v1/applications/x?bogus=1`, {headers: {Authorization: `Bearer ${TOKEN}`}})
    expect(res.status).toBe(500)
    const res2 = await fetch(`${argo.url}/api/v1/nothing-here`, {headers: {Authorization: `Bearer ${TOKEN}`}})
    expect(res2.status).toBe(500)
    expect(argo.violations.slice(before).map((v) => v.problem)).toEqual([
      'unknown query parameter bogus',
      'no such operation in Argo CD swagger',
    ])
    argo.violations.splice(before)
  })

  it('rejects a response field Argo CD does not have, or a wrong type', () => {
    const spec = argoSpec()
    const schema = {$ref: '#/definitions/v1alpha1Application'}
    const app = applicationJson('a', {sync: 'Synced', health: 'Healthy', images: []})
    expect(spec.validate(schema, app, 'ok')).toEqual([])
    const extra = structuredClone(app)
    extra.status.health.state = 'Healthy'
    expect(spec.validate(schema, extra, 'extra')[0].problem).toContain('unknown field "state"')
    const wrong = structuredClone(app)
    wrong.status.summary.images = 'r/x:1'
    expect(spec.validate(schema, wrong, 'wrong')).not.toEqual([])
  })
})

describe('status plan', () => {
  it('names the files, branches and applications of a primitive', () => {
    const plan = planPrimitive(
      {kind: 'domain', name: 'orders'},
      {
        registry: 'ghcr.io/o/',
        sha: 'f'.repeat(40),
        version: 'v1',
        environments: ['dev'],
        branchPattern: 'scaffold/{kind}-{name}-{version}',
      },
    )
    expect(plan.shaRef).toBe(`ghcr.io/o/primitive-domain-orders:${'f'.repeat(40)}`)
    expect(plan.wiring).toEqual({
      files: [
        'environments/_shared/components/apps/primitives/domain-orders-v1/component.yaml',
        'sources/values/_shared/apps/domain-orders-v1.yaml',
      ],
      branch: 'scaffold/domain-orders-v1',
    })
    expect(plan.environments[0]).toEqual({
      env: 'dev',
      file: 'sources/values/env/dev/apps/domain-orders-v1.yaml',
      imagesBranch: `ameide/images-dev-${'f'.repeat(12)}`,
      application: 'dev-domain-orders-v1',
    })
    expect(isPromoteBranchInto('ameide/promote-dev-to-staging-0123456789ab', 'staging')).toBe(true)
    expect(isPromoteBranchInto('ameide/promote-dev-to-staging-0123456789ab', 'dev')).toBe(false)
    expect(isPromoteBranchInto('ameide/promote-staging-to-prod-eu-0123456789ab', 'prod-eu')).toBe(true)
    expect(isPromoteBranchInto('ameide/images-staging-0123456789ab', 'staging')).toBe(false)
  })
})
