import * as ajv04 from 'ajv-draft-04'
import addFormatsModule from 'ajv-formats'
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'

import type {Log} from 'sarif'

// Both are CommonJS: under ESM `default` is module.exports, whose own `default` is the class (ajv-draft-04 sets it).
const Ajv04 = ajv04.default.default
const addFormats = ((addFormatsModule as unknown as {default?: typeof addFormatsModule}).default ??
  addFormatsModule) as unknown as (ajv: InstanceType<typeof Ajv04>) => unknown

/** The official SARIF 2.1.0 JSON Schema (OASIS, rtm.5; JSON Schema draft-04), as @microsoft/jest-sarif ships it. */
export const SARIF_SCHEMA_FILE = createRequire(import.meta.url).resolve(
  '@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json',
)

let validate: ajv04.ValidateFunction | undefined

/** Throws with ajv's errors when `doc` is not valid SARIF 2.1.0. */
export function assertValidSarif(doc: unknown): asserts doc is Log {
  if (!validate) {
    // The schema's `language` pattern ("…[a-zA-Z]{2}]?$") is not a valid unicode-mode RegExp: compile patterns
    // without the `u` flag, as the schema's own (pre-ES2015) authors meant them.
    const ajv = new Ajv04({allErrors: true, strict: false, unicodeRegExp: false})
    addFormats(ajv)
    validate = ajv.compile(JSON.parse(readFileSync(SARIF_SCHEMA_FILE, 'utf8')))
  }
  const check = validate
  if (!check(doc)) {
    throw new Error(`not valid SARIF 2.1.0:\n${JSON.stringify(check.errors, null, 2).slice(0, 4000)}`)
  }
}
