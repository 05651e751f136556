/**
 * What the Applications of an ApplicationSet's unevaluated part (a generator not rendered: clusters without Argo CD,
 * scmProvider, plugin…) could read of this revision: a `gitops diff` keys its not-rendered finding by these files,
 * and a change to any of them makes the diff incomplete — never "unchanged" over Applications nobody rendered.
 */
import type {DeployablesContext} from '../context.js'

/**
 * Nothing but the ApplicationSet's own file when every repository it names (`repoURL`, anywhere in it) is literal
 * and another repository; else every file of the revision: a template's path and repository are the generator's
 * to fill, a `templatePatch` can set any, and a repository not told apart may be this one.
 */
export function generatedReads(file: string, doc: unknown, ctx: DeployablesContext): string[] {
  const urls: string[] = []
  let patched = false
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk)
    if (node === null || typeof node !== 'object') return
    for (const [key, value] of Object.entries(node)) {
      if (key === 'repoURL') urls.push(typeof value === 'string' ? value : '{{}}')
      if (key === 'templatePatch') patched = true
      walk(value)
    }
  }
  walk(doc)
  const elsewhere = (url: string) => !/\{\{|\$/.test(url) && ctx.named && !ctx.isThisRepository(url)
  return urls.length > 0 && !patched && urls.every(elsewhere) ? [file] : [file, ...[...ctx.files].sort()]
}
