/** Helpers the readers of an Argo CD Application's sources share: field access, paths, the repo-server's variables. */
import path from 'node:path'

import type {ArgoApplication} from './types.js'

export const isMap = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v)
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)
export const clean = (p: string) => path.posix.normalize(p.replace(/^\.\//, '')).replace(/\/$/, '').replace(/^\.$/, '')
export const GLOB = /[*?[]/

/**
 * The repo-server's build environment as far as the Application says it (reposerver/repository newEnv; an unset one
 * is empty, as there). The revision it resolves (`ARGOCD_APP_REVISION`, `…_SHORT`, `…_SHORT_8`) is not known here.
 */
export function argoEnv(app: ArgoApplication, source: Record<string, unknown>): Record<string, string> {
  return {
    ARGOCD_APP_NAME: app.name,
    ARGOCD_APP_NAMESPACE: destinationNamespace(app) ?? '',
    ARGOCD_APP_PROJECT_NAME: str(app.spec.project) ?? '',
    ARGOCD_APP_SOURCE_REPO_URL: str(source.repoURL) ?? '',
    ARGOCD_APP_SOURCE_PATH: str(source.path) ?? '',
    ARGOCD_APP_SOURCE_TARGET_REVISION: str(source.targetRevision) ?? '',
  }
}

/** The repo-server's variables ameide cannot know: the commit it resolves the target revision to. */
export const UNKNOWN_VARIABLES = ['ARGOCD_APP_REVISION', 'ARGOCD_APP_REVISION_SHORT', 'ARGOCD_APP_REVISION_SHORT_8']

const SHELL_SPECIAL = /[*#$@!?\-0-9]/
const NAME_CHARS = /^[A-Za-z0-9_]*/

/**
 * Go's `os.Expand(text, mapping)`, which Argo CD's `Env.Envsubst` is (`$$` gives `$`, an unknown name gives ''):
 * `$NAME` takes the longest run of letters, digits and `_`, `${…}` anything to the brace, `$` before anything else
 * stays. Held to Go's own by test/gitops/argocd/argo-envsubst.test.ts.
 */
export function goExpand(text: string, mapping: (name: string) => string): string {
  let out = ''
  let i = 0
  for (let j = 0; j < text.length; j++) {
    if (text[j] !== '$' || j + 1 >= text.length) continue
    out += text.slice(i, j)
    const [name, width] = shellName(text.slice(j + 1))
    if (name === '' && width > 0) {
      // invalid syntax (`${}`, an unclosed `${`): eaten
    } else if (name === '') out += '$'
    else out += mapping(name)
    j += width
    i = j + 1
  }
  return i === 0 ? text : out + text.slice(i)
}

/** Go's `os.getShellName`: the name after a `$` and how many bytes it took. */
function shellName(s: string): [string, number] {
  if (s[0] === '{') {
    if (s.length > 2 && SHELL_SPECIAL.test(s[1]) && s[2] === '}') return [s[1], 3]
    const close = s.indexOf('}', 1)
    if (close === 1) return ['', 2]
    return close < 0 ? ['', 1] : [s.slice(1, close), close + 1]
  }
  if (SHELL_SPECIAL.test(s[0])) return [s[0], 1]
  const name = NAME_CHARS.exec(s)![0]
  return [name, name.length]
}

/** Argo CD's `Env.Envsubst` over `env`. */
export const envsubst = (text: string, env: Record<string, string>): string =>
  goExpand(text, (name) => (name === '$' ? '$' : Object.hasOwn(env, name) ? env[name] : ''))

/** The revision variables `text` names (Envsubst would read them), if any. */
export function unknownVariables(text: string): string[] {
  const named: string[] = []
  goExpand(text, (name) => (UNKNOWN_VARIABLES.includes(name) && named.push(name), ''))
  return named
}

/** `environments/<env>/…`: the design documents' folder per environment (backlog/603), as the ApplicationSets read it. */
export const environmentFolder = (file: string): string | null =>
  /(?:^|\/)environments\/([^/]+)\//.exec(file)?.[1] ?? null

export const destinationNamespace = (app: ArgoApplication) =>
  str(isMap(app.spec.destination) ? app.spec.destination.namespace : undefined)
