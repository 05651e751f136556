import {readdirSync, readFileSync} from 'node:fs'
import {sep} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'

import {BUILDER_CHOICES, SBOM_CHOICES} from '../../src/core/choices.js'
import {RULE_IDS} from '../../src/gitops/rules/index.js'
import {schemaValidator} from '../support/schema.js'
import {ENVIRONMENT_PATTERN} from '../../src/core/environment.js'
import {FLOATING_TAGS} from '../../src/images/reference.js'
import {KINDS, RESOURCE_KINDS} from '../../src/primitives/kinds.js'
import {CHECK_IDS} from '../../src/verify/types.js'

/**
 * Each closed set is declared once in the code; the checked-in JSON schemas and the command flags must list exactly
 * the same values (adding a builder, a kind, a check or a rule and forgetting a schema fails here).
 */
const ROOT = new URL('../../', import.meta.url)
const schema = (name: string) => JSON.parse(readFileSync(new URL(`schemas/${name}`, ROOT), 'utf8')) as unknown
const manifest = JSON.parse(readFileSync(fileURLToPath(new URL('oclif.manifest.json', ROOT)), 'utf8')) as {
  commands: Record<string, {flags: Record<string, {options?: string[]}>}>
}

/** Every `enum` found under a property called `key`, anywhere in the document. */
function enumsOf(doc: unknown, key: string): string[][] {
  const out: string[][] = []
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk)
    if (!node || typeof node !== 'object') return
    for (const [k, v] of Object.entries(node)) {
      if (k === key && v && typeof v === 'object' && Array.isArray((v as {enum?: unknown}).enum)) {
        out.push((v as {enum: string[]}).enum)
      }
      walk(v)
    }
  }
  walk(doc)
  return out
}

describe('closed sets, declared once', () => {
  it('kinds: every schema that names a kind lists exactly KINDS', () => {
    const found = [
      'publish.schema.json',
      'scaffold.schema.json',
      'verify.schema.json',
      'gitops-scaffold.schema.json',
    ].flatMap((f) => enumsOf(schema(f), 'kind'))
    expect(found.length).toBeGreaterThanOrEqual(4)
    for (const e of found) expect(e).toEqual([...KINDS])
  })

  it('builders and SBOM tools: config schema and publish flags list exactly the declared choices', () => {
    expect(enumsOf(schema('config.schema.json'), 'builder')).toEqual([[...BUILDER_CHOICES]])
    expect(enumsOf(schema('config.schema.json'), 'sbom')).toEqual([[...SBOM_CHOICES]])
    const flags = manifest.commands['primitive:publish'].flags
    expect(flags.builder.options).toEqual([...BUILDER_CHOICES])
    expect(flags.sbom.options).toEqual([...SBOM_CHOICES])
  })

  it('verify check ids and gitops rule ids: the result schemas list exactly the declared ids', () => {
    expect(enumsOf(schema('verify.schema.json'), 'id')).toEqual([[...CHECK_IDS]])
    const rules = (schema('gitops-verify.schema.json') as {definitions: {rule: {enum: string[]}}}).definitions.rule.enum
    expect(rules).toEqual([...RULE_IDS])
  })

  it('resource kinds: one per kind, derived from KINDS', () => {
    expect([...RESOURCE_KINDS].map((k) => k.toLowerCase())).toEqual([...KINDS])
  })

  it('environment names: every schema that names an environment uses ENVIRONMENT_PATTERN', () => {
    const patterns: string[] = []
    const walk = (node: unknown, key?: string): void => {
      if (Array.isArray(node)) return node.forEach((n) => walk(n, key))
      if (!node || typeof node !== 'object') return
      const pattern = (node as {pattern?: unknown}).pattern
      if ((key === 'env' || key === 'environments') && typeof pattern === 'string') patterns.push(pattern)
      for (const [k, v] of Object.entries(node)) walk(v, k === 'items' ? key : k)
    }
    for (const f of ['config.schema.json', 'gitops-update-images.schema.json']) walk(schema(f))
    expect(patterns.length).toBeGreaterThanOrEqual(2)
    for (const p of patterns) expect(p).toBe(ENVIRONMENT_PATTERN.source)
  })

  it('floating tags: declared once in images/reference.ts; no file of src/ outside it re-lists them', () => {
    expect([...FLOATING_TAGS]).toEqual(['dev', 'main', 'latest'])
    const src = fileURLToPath(new URL('src/', ROOT))
    const relisted = (readdirSync(src, {recursive: true}) as string[])
      .filter((f) => f.endsWith('.ts') && f.split(sep).join('/') !== 'images/reference.ts')
      .filter((f) =>
        /['"]dev['"],\s*['"]main['"],\s*['"]latest['"]|dev\|main\|latest/.test(readFileSync(`${src}${f}`, 'utf8')),
      )
    expect(relisted).toEqual([])
  })

  it('set-image and promote share the write definitions of gitops-write.schema.json; promote adds only from', () => {
    const setImage = schema('gitops-set-image.schema.json') as {properties: Record<string, {$ref?: string}>}
    const promote = schema('gitops-promote.schema.json') as {properties: Record<string, {$ref?: string}>}
    const {from, ...shared} = promote.properties
    expect(from.$ref).toBeUndefined()
    expect(shared).toEqual(setImage.properties)
    for (const [key, value] of Object.entries(shared)) {
      expect(value.$ref).toBe(`gitops-write.schema.json#/definitions/${key}`)
    }
    const validate = schemaValidator('gitops-promote.schema.json')
    const doc = {
      env: 'b',
      from: 'a',
      dryRun: false,
      status: 'none',
      changes: [{}],
      unchanged: [],
      notFound: [],
      skipped: [],
      files: [],
    }
    expect(validate(doc)).toBe(false)
    expect(validate({...doc, changes: []})).toBe(true)
  })
})
