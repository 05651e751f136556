import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'

import {BUILDER_CHOICES, SBOM_CHOICES} from '../../src/core/choices.js'
import {RULE_IDS} from '../../src/gitops/verify/rules/index.js'
import {KINDS} from '../../src/primitives/kinds.js'
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
})
