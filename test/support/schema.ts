import {Ajv, type ValidateFunction} from 'ajv'
import addFormatsModule from 'ajv-formats'
import {readdirSync, readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as {default?: typeof addFormatsModule}).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv

const cache = new Map<string, ValidateFunction>()

/** Compiles a checked-in schema from `schemas/` (strict mode: the schema itself must be well-formed). */
export function schemaValidator(name: string): ValidateFunction {
  let validate = cache.get(name)
  if (!validate) {
    const read = (file: string) =>
      JSON.parse(readFileSync(fileURLToPath(new URL(`../../schemas/${file}`, import.meta.url)), 'utf8')) as object
    const ajv = new Ajv({allErrors: true, strict: true, strictRequired: false})
    addFormats(ajv)
    // Shared definitions ($ref to another file of schemas/, e.g. gitops-write.schema.json) resolve by $id.
    for (const file of readdirSync(fileURLToPath(new URL('../../schemas/', import.meta.url)))) {
      if (file.endsWith('.schema.json') && file !== name) ajv.addSchema(read(file))
    }
    validate = ajv.compile(read(name))
    cache.set(name, validate)
  }
  return validate
}

/** Throws with ajv's errors when `doc` does not match `schemas/<name>`. */
export function assertMatchesSchema(name: string, doc: unknown): void {
  const validate = schemaValidator(name)
  if (!validate(doc)) {
    throw new Error(
      `${name}: document does not match:\n${JSON.stringify(validate.errors, null, 2)}\n${JSON.stringify(doc, null, 2).slice(0, 4000)}`,
    )
  }
}
