import {Ajv} from 'ajv'
import addFormatsModule from 'ajv-formats'
import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'

import {
  buildProvenancePredicate,
  ciRunUrl,
  normaliseRepositoryUrl,
  type ProvenanceInput,
} from '../../../src/publish/provenance.js'

const addFormats = ((addFormatsModule as unknown as {default?: typeof addFormatsModule}).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv
const ajv = new Ajv({allErrors: true, strict: true, strictRequired: false})
addFormats(ajv)
const validate = ajv.compile(
  JSON.parse(readFileSync(new URL('slsa-provenance-v1.schema.json', import.meta.url), 'utf8')),
)

const SHA = '0123456789abcdef0123456789abcdef01234567'
const input: ProvenanceInput = {
  repository: 'https://x-access-token:ghs_SECRETTOKEN123@github.com/ameideio/platform.git',
  sha: SHA,
  ref: 'refs/heads/main',
  dockerfile: 'primitives/domain/orders/Dockerfile',
  context: 'primitives/domain/orders',
  buildArgs: {Z_ARG: '1', A_ARG: '2'},
  platforms: ['linux/amd64', 'linux/arm64'],
  component: 'domain-orders',
  builderId: 'https://ameide.io/builders/buildah@1.28.2',
  builderName: 'buildah',
  ameideVersion: '0.1.0',
  startedOn: new Date('2026-03-01T10:00:00Z'),
  finishedOn: new Date('2026-03-01T10:00:07.250Z'),
  env: {
    GITHUB_ACTIONS: 'true',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'ameideio/platform',
    GITHUB_RUN_ID: '42',
    GITHUB_RUN_ATTEMPT: '2',
  },
}

describe('SLSA v1 provenance predicate', () => {
  it('matches the SLSA v1 predicate shape with ameide’s build type, source, builder and CI run', () => {
    const predicate = buildProvenancePredicate(input)
    expect(validate(predicate), JSON.stringify(validate.errors)).toBe(true)
    expect(predicate).toEqual({
      buildDefinition: {
        buildType: 'https://ameide.io/buildtypes/primitive-image/v1',
        externalParameters: {
          repository: 'https://github.com/ameideio/platform',
          ref: 'refs/heads/main',
          sha: SHA,
          dockerfile: 'primitives/domain/orders/Dockerfile',
          context: 'primitives/domain/orders',
          buildArgs: {A_ARG: '2', Z_ARG: '1'},
          platforms: ['linux/amd64', 'linux/arm64'],
        },
        internalParameters: {component: 'domain-orders', builder: 'buildah', ameideVersion: '0.1.0'},
        resolvedDependencies: [{uri: `git+https://github.com/ameideio/platform@${SHA}`, digest: {gitCommit: SHA}}],
      },
      runDetails: {
        builder: {id: 'https://ameide.io/builders/buildah@1.28.2'},
        metadata: {
          invocationId: 'https://github.com/ameideio/platform/actions/runs/42/attempts/2',
          startedOn: '2026-03-01T10:00:00.000Z',
          finishedOn: '2026-03-01T10:00:07.250Z',
        },
      },
    })
    expect(JSON.stringify(predicate)).not.toContain('SECRETTOKEN')
    expect(Object.keys(predicate.buildDefinition.externalParameters.buildArgs)).toEqual(['A_ARG', 'Z_ARG'])
  })

  it('outside CI there is no invocationId, and the result is a pure function of its input', () => {
    const local = {...input, env: {}}
    const a = buildProvenancePredicate(local)
    expect(a.runDetails.metadata.invocationId).toBeUndefined()
    expect(validate(a), JSON.stringify(validate.errors)).toBe(true)
    expect(JSON.stringify(buildProvenancePredicate(local))).toBe(JSON.stringify(a))
  })

  it('the schema rejects what SLSA v1 does not allow (the test can fail)', () => {
    const bad = buildProvenancePredicate(input) as unknown as {runDetails: {builder: Record<string, unknown>}}
    delete bad.runDetails.builder.id
    expect(validate(bad)).toBe(false)
  })

  it('rejects a sha that is not 40 hex', () => {
    expect(() => buildProvenancePredicate({...input, sha: 'HEAD'})).toThrow(/40 hex/)
  })

  it('normalises repository URLs and strips credentials', () => {
    expect(normaliseRepositoryUrl('git@github.com:ameideio/platform.git')).toBe('https://github.com/ameideio/platform')
    expect(normaliseRepositoryUrl('ssh://git@github.com/ameideio/platform.git')).toBe(
      'https://github.com/ameideio/platform',
    )
    expect(normaliseRepositoryUrl('https://user:pw@example.com/x/y/')).toBe('https://example.com/x/y')
    expect(normaliseRepositoryUrl('/srv/git/demo.git')).toBe('file:///srv/git/demo')
  })

  it('CI run URL only under GitHub Actions', () => {
    expect(ciRunUrl({GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'o/r', GITHUB_RUN_ID: '7'})).toBe(
      'https://github.com/o/r/actions/runs/7',
    )
    expect(ciRunUrl({GITHUB_REPOSITORY: 'o/r', GITHUB_RUN_ID: '7'})).toBeUndefined()
  })
})
