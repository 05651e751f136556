/**
 * A Helm release name, checked as Helm checks one (`chartutil.ValidateReleaseName`: a DNS-1123 subdomain of at most
 * 53 characters) before any render. The name reaches helm as the positional `helm template <name> .`, never as
 * `--name-template`, which Helm renders as a template with sprig (`getHostByName` sends a DNS query, `env` reads the
 * tool's environment): a name that is not one is a finding, never a render.
 */
import {createHash} from 'node:crypto'

import type {Unrenderable} from '../model/model.js'

const VALID = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
export const MAX_RELEASE_NAME = 53

/** Why `name` is not a release name Helm accepts, or undefined when it is; `status`: refused when it is a template. */
export function releaseNameProblem(name: string): {message: string; status: Unrenderable['status']} | undefined {
  if (name !== '' && name.length <= MAX_RELEASE_NAME && VALID.test(name)) return undefined
  const shown = JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name)
  if (/\{\{|\}\}/.test(name)) {
    return {
      status: 'refused',
      message: `release name ${shown} is a template: a release name is passed to helm as a name, never rendered (as --name-template would, with sprig's getHostByName and env), and this one is not a valid Helm release name, so nothing is rendered.`,
    }
  }
  return {
    status: 'failed',
    message: `release name ${shown} is not a valid Helm release name (lower-case letters, digits, "-" and ".", starting and ending with a letter or digit, at most ${MAX_RELEASE_NAME} characters): helm would refuse it, so nothing is rendered.`,
  }
}

/**
 * The release name Flux's helm-controller uses for a computed `[targetNamespace-]name` (`release.ShortenName`):
 * past 53 characters, the first 40, "-" and the first 12 hex digits of its SHA-256.
 */
export function fluxShortenedName(name: string): string {
  if (name.length <= MAX_RELEASE_NAME) return name
  return `${name.slice(0, 40)}-${createHash('sha256').update(name).digest('hex').slice(0, 12)}`
}
