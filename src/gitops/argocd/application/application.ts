/**
 * Argo CD Applications written in files of the checkout, as the one Application model (`ArgoApplication`): the
 * spec as JSON, and the line of every field from the YAML nodes, so a finding can point at a `parameters` entry
 * or a `valuesObject` line.
 */
import type {ArgoApplication} from '../../model/types.js'
import type {Manifest} from '../../kubernetes/manifests.js'

export const isApplication = (m: Manifest) => m.kind === 'Application' && m.apiVersion.startsWith('argoproj.io/')
export const isApplicationSet = (m: Manifest) => m.kind === 'ApplicationSet' && m.apiVersion.startsWith('argoproj.io/')

export function applicationOf(m: Manifest): ArgoApplication | undefined {
  const spec = m.doc.spec
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) return undefined
  return {
    name: m.name,
    ...(m.namespace ? {namespace: m.namespace} : {}),
    spec: spec as Record<string, unknown>,
    file: m.file,
    line: m.line,
    lineOf: (p) => m.lineOf(['spec', ...p]),
  }
}
