/**
 * The flag every command on a GitOps checkout shares: `--root`, its one name for the checkout (the monorepo's
 * global `--repo-root` is accepted as an alias of it, so scripts that passed it keep working).
 */
import {Flags} from '@oclif/core'

export const GITOPS_ROOT_FLAG = {
  root: Flags.string({
    description: 'The GitOps checkout. Default: the git top-level of the current directory.',
    helpValue: 'DIR',
    aliases: ['repo-root'],
  }),
}

/**
 * `--argocd-server`: the Argo CD whose registered clusters the ApplicationSet `clusters` generators list
 * (src/gitops/argocd-clusters.ts), the token from ARGOCD_AUTH_TOKEN as `primitive status` takes it.
 */
export const ARGOCD_SERVER_FLAG = {
  'argocd-server': Flags.string({
    description:
      'Argo CD API server whose registered clusters the ApplicationSet clusters generators list (GET /api/v1/clusters; the token from ARGOCD_AUTH_TOKEN). Default: those generators are not rendered.',
    helpValue: 'URL',
  }),
}
