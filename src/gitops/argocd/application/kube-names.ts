/**
 * The names the Kubernetes API server accepts (apimachinery's validation): a DNS-1123 subdomain — lower-case letters,
 * digits, "-" and ".", each dot-separated part starting and ending with a letter or digit, at most 253 characters —
 * for an object's `metadata.name` (an Argo CD Application's name is one: Argo CD validates it so); a DNS-1123 label —
 * lower-case letters, digits and "-", starting and ending with a letter or digit, at most 63 characters — for a
 * namespace (an Application's `spec.destination.namespace`). An Application that breaks either is refused by the API
 * server (or by Argo CD), so it deploys nothing: the gate names it (`application-invalid`) and renders nothing of it.
 */
import type {ArgoApplication} from '../../model/types.js'

const LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?'
const DNS1123_LABEL = new RegExp(`^${LABEL}$`)
const DNS1123_SUBDOMAIN = new RegExp(`^${LABEL}(\\.${LABEL})*$`)
export const MAX_SUBDOMAIN = 253
export const MAX_LABEL = 63

/** A name as a message shows it: quoted (line breaks and controls escaped), cut past 80 characters. */
export const shownName = (name: string): string => JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name)

/** Why `name` is not a DNS-1123 subdomain (apimachinery's messages), or undefined when it is one. */
export function subdomainProblem(name: string): string | undefined {
  if (name.length > MAX_SUBDOMAIN) return `must be no more than ${MAX_SUBDOMAIN} characters (it has ${name.length})`
  if (!DNS1123_SUBDOMAIN.test(name)) {
    return `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`
  }
  return undefined
}

/** Why `name` is not a DNS-1123 label (apimachinery's messages), or undefined when it is one. */
export function labelProblem(name: string): string | undefined {
  if (name.length > MAX_LABEL) return `must be no more than ${MAX_LABEL} characters (it has ${name.length})`
  if (!DNS1123_LABEL.test(name)) {
    return `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character`
  }
  return undefined
}

/**
 * What makes an Application one the API server (or Argo CD) refuses: its `metadata.name` not a DNS-1123 subdomain,
 * its `spec.destination.namespace` (when set) not a DNS-1123 label. `at`: the spec path of the field, for its line.
 */
export function applicationProblems(app: ArgoApplication): Array<{at: Array<string | number>; message: string}> {
  const out: Array<{at: Array<string | number>; message: string}> = []
  const name = subdomainProblem(app.name)
  if (name) out.push({at: [], message: `metadata.name ${shownName(app.name)} is not a valid name: ${name}`})
  const destination = app.spec.destination
  const namespace =
    destination !== null && typeof destination === 'object' && !Array.isArray(destination)
      ? (destination as Record<string, unknown>).namespace
      : undefined
  if (namespace !== undefined && namespace !== null && namespace !== '') {
    const problem = typeof namespace === 'string' ? labelProblem(namespace) : 'not a string'
    if (problem) {
      const shown = typeof namespace === 'string' ? shownName(namespace) : JSON.stringify(namespace)
      out.push({
        at: ['destination', 'namespace'],
        message: `spec.destination.namespace ${shown} is not a valid namespace: ${problem}`,
      })
    }
  }
  return out
}
