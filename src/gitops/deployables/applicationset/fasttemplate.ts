/**
 * fasttemplate as Argo CD's ApplicationSet controller applies it when `goTemplate` is false
 * (`applicationset/utils/utils.go` Replace): a string with no `{{…}}` on one line is left as it is; every
 * `{{ tag }}` is replaced by the string parameter named by the trimmed tag, and an unknown tag is left verbatim
 * (a typo stays in the value); a `{{` without `}}` is an error ("Cannot find end tag").
 */
import {TemplateError} from './values.js'

/** Go's `.*{{.*}}.*` (`.` does not cross a newline). */
const IS_TEMPLATED = /{{.*}}/

export function renderFastTemplate(text: string, params: Record<string, unknown>): string {
  if (!IS_TEMPLATED.test(text)) return text
  let out = ''
  let i = 0
  for (;;) {
    const start = text.indexOf('{{', i)
    if (start === -1) return out + text.slice(i)
    const end = text.indexOf('}}', start + 2)
    if (end === -1)
      throw new TemplateError(
        `invalid template: Cannot find end tag="}}" in the template=${JSON.stringify(text)} starting from ${JSON.stringify(text.slice(start + 2))}`,
      )
    out += text.slice(i, start)
    const tag = text.slice(start + 2, end)
    const key = tag.trim()
    const value = Object.hasOwn(params, key) ? params[key] : undefined
    out += key !== '' && typeof value === 'string' ? value : `{{${tag}}}`
    i = end + 2
  }
}
