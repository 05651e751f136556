/**
 * A Kubernetes label selector as the `clusters` generator lists cluster Secrets with it
 * (k8s.io/apimachinery metav1.LabelSelectorAsSelector, labels.NewRequirement, Requirement.Matches): `matchLabels`
 * are equality requirements, `matchExpressions` In, NotIn, Exists, DoesNotExist; every key must be a qualified name
 * and every value a label value, or the selector is an error (unlike a generator's own `selector`, which Argo CD
 * parses without restricting values).
 */
import {GenerationError, type Path} from './errors.js'
import {isObject, type JsonObject} from './merge.js'

export interface Requirement {
  key: string
  operator: 'Equals' | 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'
  values: string[]
}

const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/

// apimachinery's validation messages, each with its examples and pattern (validation.RegexError).
const NAME_MESSAGE =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
const VALUE_MESSAGE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start " +
  "and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation " +
  "is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
const SUBDOMAIN_MESSAGE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start " +
  "and end with an alphanumeric character (e.g. 'example.com', regex used for validation is " +
  "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"

/** validation.IsQualifiedName: `[prefix/]name`, the prefix a DNS-1123 subdomain, the name at most 63 characters. */
function keyProblem(key: string): string | undefined {
  const parts = key.split('/')
  const name = parts.at(-1) ?? ''
  if (parts.length > 2)
    return `a valid label key ${NAME_MESSAGE} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`
  if (parts.length === 2 && (parts[0] === '' || parts[0].length > 253 || !SUBDOMAIN.test(parts[0])))
    return `prefix part ${SUBDOMAIN_MESSAGE}`
  if (name === '') return 'name part must be non-empty'
  if (name.length > 63) return 'name part must be no more than 63 characters'
  if (!NAME.test(name)) return `name part ${NAME_MESSAGE}`
  return undefined
}

/** validation.IsValidLabelValue. */
function valueProblem(value: string): string | undefined {
  if (value.length > 63) return 'must be no more than 63 characters'
  if (!VALUE.test(value)) return VALUE_MESSAGE
  return undefined
}

const OPERATORS: Record<string, Requirement['operator']> = {
  In: 'In',
  NotIn: 'NotIn',
  Exists: 'Exists',
  DoesNotExist: 'DoesNotExist',
}

/** labels.NewRequirement: the key, the number of values its operator takes, each value. */
function requirement(key: string, operator: Requirement['operator'], values: string[], path: Path): Requirement {
  const problems: string[] = []
  const k = keyProblem(key)
  if (k) problems.push(`key: Invalid value: ${JSON.stringify(key)}: ${k}`)
  if ((operator === 'In' || operator === 'NotIn') && values.length === 0)
    problems.push("values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty")
  if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length !== 0)
    problems.push(
      `values: Invalid value: ${JSON.stringify(values)}: values set must be empty for exists and does not exist`,
    )
  values.forEach((v, i) => {
    const p = valueProblem(v)
    if (p) problems.push(`values[${i}][${key}]: Invalid value: ${JSON.stringify(v)}: ${p}`)
  })
  if (problems.length > 0) throw new GenerationError(`error converting label selector: ${problems.join(', ')}`, path)
  return {key, operator, values}
}

const strings = (v: unknown, what: string, path: Path): string[] => {
  if (v === undefined || v === null) return []
  if (!Array.isArray(v) || !v.every((e) => typeof e === 'string'))
    throw new GenerationError(`error converting label selector: ${what} must be a list of strings`, path)
  return v as string[]
}

/** The requirements of `selector` with `extra` added to its matchLabels (metav1.AddLabelToSelector), validated. */
export function parseLabelSelector(selector: JsonObject, extra: Record<string, string>, path: Path): Requirement[] {
  const labels = selector.matchLabels ?? {}
  if (!isObject(labels)) throw new GenerationError('error converting label selector: matchLabels must be a map', path)
  const out: Requirement[] = []
  for (const [key, value] of Object.entries({...labels, ...extra})) {
    if (typeof value !== 'string')
      throw new GenerationError(`error converting label selector: matchLabels.${key} must be a string`, path)
    out.push(requirement(key, 'Equals', [value], [...path, 'matchLabels', key]))
  }
  const expressions = selector.matchExpressions ?? []
  if (!Array.isArray(expressions))
    throw new GenerationError('error converting label selector: matchExpressions must be a list', path)
  expressions.forEach((e, i) => {
    const at = [...path, 'matchExpressions', i]
    if (!isObject(e)) throw new GenerationError('error converting label selector: an expression must be a map', at)
    const operator = OPERATORS[String(e.operator)]
    if (!operator)
      throw new GenerationError(
        `error converting label selector: "${String(e.operator ?? '')}" is not a valid label selector operator`,
        at,
      )
    out.push(requirement(typeof e.key === 'string' ? e.key : '', operator, strings(e.values, 'values', at), at))
  })
  return out
}

/** Requirement.Matches for each requirement. */
export function selects(requirements: readonly Requirement[], labels: Readonly<Record<string, string>>): boolean {
  return requirements.every(({key, operator, values}) => {
    const has = Object.hasOwn(labels, key)
    switch (operator) {
      case 'Equals':
      case 'In':
        return has && values.includes(labels[key])
      case 'NotIn':
        return !has || !values.includes(labels[key])
      case 'Exists':
        return has
      default:
        return !has
    }
  })
}
