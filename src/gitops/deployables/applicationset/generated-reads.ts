/**
 * What the Applications of an ApplicationSet's unevaluated part (a generator not rendered: clusters without Argo CD,
 * scmProvider, plugin…) could read of this revision: a `gitops diff` keys its not-rendered finding by these files,
 * and a change to any of them makes the diff incomplete — never "unchanged" over Applications nobody rendered.
 */
import type {DeployablesContext} from '../context.js'

/**
 * Nothing but the ApplicationSet's own file when it names a repository (`repoURL`, anywhere in it) and every one it
 * names is literal and another; else every file of the revision: a template's path and repository are the
 * generator's to fill (none named: a parameter may be), a `templatePatch` can set any, and a repository not told
 * apart may be this one.
 */
export function generatedReads(
  file: string,
  doc: unknown,
  ctx: Pick<DeployablesContext, 'files' | 'isThisRepository' | 'named'>,
): string[] {
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
  if (urls.length > 0 && !patched && urls.every(elsewhere)) return [file]
  return [file, ...[...ctx.files].filter((f) => f !== file).sort()]
}
