/** Helpers the readers of an Argo CD Application's sources share: field access, paths, the repo-server's variables. */
import path from 'node:path'

import type {ArgoApplication} from './types.js'

export const isMap = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v)
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)
export const clean = (p: string) => path.posix.normalize(p.replace(/^\.\//, '')).replace(/\/$/, '').replace(/^\.$/, '')
export const GLOB = /[*?[]/

/** `$ARGOCD_APP_NAME` and friends, as the repo-server substitutes them in parameters and value-file paths. */
export function substitute(text: string, app: ArgoApplication): string {
  const env: Record<string, string> = {ARGOCD_APP_NAME: app.name, ARGOCD_APP_NAMESPACE: destinationNamespace(app) ?? ''}
  return text.replace(/\$\{?(ARGOCD_APP_NAME|ARGOCD_APP_NAMESPACE)\}?/g, (_, k: string) => env[k])
}

/** `environments/<env>/…`: the design documents' folder per environment (seed 000), as the ApplicationSets read it. */
export const environmentFolder = (file: string): string | null =>
  /(?:^|\/)environments\/([^/]+)\//.exec(file)?.[1] ?? null

export const destinationNamespace = (app: ArgoApplication) =>
  str(isMap(app.spec.destination) ? app.spec.destination.namespace : undefined)
