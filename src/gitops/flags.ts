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
