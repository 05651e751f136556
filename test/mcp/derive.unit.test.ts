import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {deriveInput, toArgv, type ManifestCommand} from '../../src/mcp/input-schema.js'
import {bundleSchema} from '../../src/mcp/schema-bundle.js'

const command: ManifestCommand = {
  id: 'gitops:demo',
  summary: 'A demo.',
  flags: {
    json: {name: 'json', type: 'boolean'},
    root: {name: 'root', type: 'option', helpValue: 'DIR', aliases: ['repo-root']},
    env: {name: 'env', type: 'option', required: true, description: 'The env.'},
    ref: {name: 'ref', type: 'option', multiple: true},
    'dry-run': {name: 'dry-run', type: 'boolean'},
    cache: {name: 'cache', type: 'boolean', allowNo: true},
    sbom: {name: 'sbom', type: 'option', options: ['auto', 'none']},
    jobs: {name: 'jobs', type: 'option', helpValue: 'N'},
    report: {name: 'report', type: 'option', helpValue: 'FILE'},
    sarif: {name: 'sarif', type: 'option', helpValue: 'FILE'},
    base: {name: 'base', type: 'option', default: 'main'},
    secret: {name: 'secret', type: 'option', hidden: true},
  },
}

describe('inputSchema from the manifest', () => {
  const input = deriveInput(
    command,
    {id: command.id, schema: 'x', annotations: {} as never, omit: ['sarif']},
    {
      env: ['dev', 'prod'],
    },
  )

  it('one property per flag: camelCase, arrays, enums, integers, defaults, required; json, hidden, omitted out', () => {
    expect(input.schema).toEqual({
      type: 'object',
      additionalProperties: false,
      required: ['env'],
      properties: {
        root: {type: 'string', description: expect.stringContaining('client roots')},
        env: {type: 'string', enum: ['dev', 'prod'], description: 'The env.'},
        ref: {type: 'array', items: {type: 'string'}},
        dryRun: {type: 'boolean'},
        cache: {type: 'boolean'},
        sbom: {type: 'string', enum: ['auto', 'none']},
        jobs: {type: 'integer', minimum: 1},
        report: {type: 'string'},
        base: {type: 'string', default: 'main'},
      },
    })
    expect(input.rootFlag).toBe('root')
    expect(input.arguments.report.path).toBe(true)
  })

  it('arguments back to argv: --flag=value (a leading dash stays a value), repeats, --no-flag, --json last', () => {
    const argv = toArgv(input, {env: '-dev', ref: ['a', 'b'], dryRun: true, cache: false, jobs: 2, root: 'x'}, '/r')
    expect(argv).toEqual([
      '--root=/r',
      '--env=-dev',
      '--ref=a',
      '--ref=b',
      '--dry-run',
      '--no-cache',
      '--jobs=2',
      '--json',
    ])
    // false on a flag without --no-: simply absent
    expect(toArgv(input, {dryRun: false}, undefined)).toEqual(['--json'])
  })
})

describe('positional arguments (publish merge REPORT…)', () => {
  const merge: ManifestCommand = {
    id: 'primitive:publish:merge',
    strict: false,
    args: {reports: {name: 'reports', description: 'Shard reports.', required: true}},
    flags: {output: {name: 'output', type: 'option', helpValue: 'FILE'}},
  }
  const entry = {id: merge.id, schema: 'x', annotations: {} as never}

  it('a variadic argument is a required list of strings; a path only where the catalogue says so', () => {
    const input = deriveInput(merge, {...entry, pathArgs: ['reports']})
    expect(input.schema).toMatchObject({
      required: ['reports'],
      properties: {reports: {type: 'array', items: {type: 'string'}, minItems: 1, description: 'Shard reports.'}},
    })
    expect(input.arguments.reports).toMatchObject({positional: true, path: true})
    expect(deriveInput(merge, entry).arguments.reports.path).toBe(false)
  })

  it('its values go last, after `--` (a value starting with a dash stays a value)', () => {
    const input = deriveInput(merge, {...entry, pathArgs: ['reports']})
    expect(toArgv(input, {reports: ['/r/a.json', '-b.json'], output: '/r/m.json'}, undefined)).toEqual([
      '--output=/r/m.json',
      '--json',
      '--',
      '/r/a.json',
      '-b.json',
    ])
  })
})

describe('outputSchema bundling', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ameide-bundle-'))
  const write = (name: string, doc: object) => writeFileSync(path.join(dir, name), JSON.stringify(doc))
  write('shared.schema.json', {$id: 'shared.schema.json', definitions: {env: {type: 'string', pattern: '^[a-z]+$'}}})
  write('main.schema.json', {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'main.schema.json',
    type: 'object',
    properties: {
      env: {$ref: 'shared.schema.json#/definitions/env'},
      item: {$ref: '#/definitions/item'},
      definitions: {type: 'string'}, // a property named like the keyword is data
    },
    definitions: {item: {type: 'object', properties: {env: {$ref: 'shared.schema.json#/definitions/env'}}}},
  })
  write('cycle.schema.json', {
    definitions: {a: {$ref: '#/definitions/b'}, b: {$ref: '#/definitions/a'}},
    $ref: '#/definitions/a',
  })

  it('inlines every $ref, into the file or another one, and drops $id, $schema and definitions', () => {
    const env = {type: 'string', pattern: '^[a-z]+$'}
    expect(bundleSchema(dir, 'main.schema.json')).toEqual({
      type: 'object',
      properties: {env, item: {type: 'object', properties: {env}}, definitions: {type: 'string'}},
    })
  })

  it('refuses a cycle and a reference to nothing', () => {
    expect(() => bundleSchema(dir, 'cycle.schema.json')).toThrow(/cycle/)
    write('dangling.schema.json', {$ref: 'shared.schema.json#/definitions/nope'})
    expect(() => bundleSchema(dir, 'dangling.schema.json')).toThrow(/points at nothing/)
  })
})
