/**
 * One builder of a provider's rows of the field table (docs/gitops-fields.md): every row of a provider is proven by a
 * case of the provider's own test file, and its note follows the provider's API sentence (which --scm-provider asks
 * which API with which token). Each provider's fields.ts is its data: the test file, the sentence, its rows.
 */
import {exact, type Rule, type Rules} from '../../../fields/model.js'

/**
 * A provider's row: its field (or fields) below `scmProvider.<provider>`, the title of the test case that proves it
 * and its note after the API sentence (none: the sentence alone).
 */
export type ProviderRow = readonly [field: string | readonly string[], title: string, note?: string]

/** A row proven by a case of `test`, its note after the provider's `api` sentence. */
export const providerRow =
  (test: string, api: string) =>
  (title: string, note = ''): Rule =>
    exact(test, title, note ? `${api}; ${note}` : api)

/** A provider's fields (`fields(at)` of ./provider.ts): its rows, in their order, under `at`. */
export function providerFields(test: string, api: string, rows: readonly ProviderRow[]): (at: string) => Rules {
  const row = providerRow(test, api)
  return (at) =>
    Object.fromEntries(
      rows.flatMap(([fields, title, note]) => {
        const rule = row(title, note)
        return (typeof fields === 'string' ? [fields] : fields).map((field) => [`${at}.${field}`, rule])
      }),
    )
}
