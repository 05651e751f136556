import type {ValidateFunction} from 'ajv'
import Ajv04Module from 'ajv-draft-04'
import addFormatsModule from 'ajv-formats'
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'

import type {Log} from 'sarif'

// Both are CommonJS; their default export arrives wrapped under ESM.
const Ajv04 = ((Ajv04Module as unknown as {default?: typeof Ajv04Module}).default ?? Ajv04Module) as typeof Ajv04Module
const addFormats = ((addFormatsModule as unknown as {default?: typeof addFormatsModule}).default ??
  addFormatsModule) as unknown as (ajv: InstanceType<typeof Ajv04Module>) => unknown

/** The official SARIF 2.1.0 JSON Schema (OASIS, rtm.5; JSON Schema draft-04), as @microsoft/jest-sarif ships it. */
export const SARIF_SCHEMA_FILE = createRequire(import.meta.url).resolve(
  '@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json',
)

let validate: ValidateFunction | undefined

/** Throws with ajv's errors when `doc` is not valid SARIF 2.1.0. */
export function assertValidSarif(doc: unknown): asserts doc is Log {
  if (!validate) {
    const ajv = new Ajv04({allErrors: true, strict: false})
    addFormats(ajv)
    validate = ajv.compile(JSON.parse(readFileSync(SARIF_SCHEMA_FILE, 'utf8')))
  }
  if (!validate(doc)) {
    throw new Error(`not valid SARIF 2.1.0:\n${JSON.stringify(validate.errors, null, 2).slice(0, 4000)}`)
  }
}
