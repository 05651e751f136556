import {readFileSync} from 'node:fs'
import {Ajv} from 'ajv'
import {describe, expect, it} from 'vitest'

// The build compiles config.schema.json once (scripts/compile-schemas.mjs → dist/core/config-validate.js); the CLI
// uses that module, and src/core/config.ts compiles with ajv only where it is missing. Both must judge alike.
const schema = JSON.parse(readFileSync(new URL('../../schemas/config.schema.json', import.meta.url), 'utf8'))

describe('the build-time config validator', () => {
  it('gives the errors ajv gives, for valid and invalid ameide.yaml documents', async () => {
    const built = (await import(new URL('../../dist/core/config-validate.js', import.meta.url).href)).default
    const live = new Ajv({allErrors: true, strict: false}).compile(schema)
    const documents: unknown[] = [
      {},
      {version: 1, registry: 'ghcr.io/ameideio', gitopsPolicy: {preset: 'flux', mapDigest: 'tag'}},
      {version: 2, registry: 'Not A Registry', unknown: true},
      {gitops: {ref: '', branchPattern: 7}, publish: {platforms: ['linux'], sbom: 'other', buildArgs: {A: 1}}},
      {gitopsPolicy: {environments: ['Bad_Env'], overlays: ['no-placeholder'], preview: {webhook: 'yes', x: 1}}},
      [],
      'text',
    ]
    for (const doc of documents) {
      expect(built(doc), JSON.stringify(doc)).toBe(live(doc))
      expect(built.errors, JSON.stringify(doc)).toEqual(live.errors)
    }
  })
})
