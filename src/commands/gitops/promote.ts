import {Flags} from '@oclif/core'

import {declareHelp, GitopsCommand} from '../../core/base-command.js'
import {parseEnvironment} from '../../core/environment.js'
import {usageError} from '../../core/errors.js'
import type {WriteResult} from '../../gitops/write/write.js'
import {PR_ERROR_CODES, PR_FLAGS, prRequestFrom, writeWithPullRequest} from '../../gitops/pr/flags.js'
import {WRITE_ERROR_CODES} from '../../gitops/write/codes.js'
import {writeFlags} from '../../gitops/write/flags.js'

export default class GitopsPromote extends GitopsCommand<WriteResult> {
  static {
    declareHelp(this, {
      summary: 'Copy the exact refs of one environment overlay into another (promotion), byte-exact.',
      description:
        'Promotion is copying refs (backlog/603 WP-4): each digest-pinned image reference of --from (repository, tag and ' +
        'digest) is written into the references of the same repository in --to, with the surgical, all-or-nothing and ' +
        'idempotent rules of gitops set-image. Sources that are not digest-pinned are listed, not promoted. --component ' +
        'narrows the images (domain-orders for ghcr.io/…/primitive-domain-orders).',
      errorCodes: {...WRITE_ERROR_CODES, ...PR_ERROR_CODES, INVALID_USAGE: 'exit 2: --from and --to are the same'},
      examples: [
        '<%= config.bin %> <%= command.id %> --from local --to staging',
        '<%= config.bin %> <%= command.id %> --from staging --to production --component domain-orders --dry-run',
      ],
    })
  }

  static override flags = {
    from: Flags.string({description: 'The environment to promote from.', required: true, helpValue: 'ENV'}),
    to: Flags.string({description: 'The environment to write.', required: true, helpValue: 'ENV'}),
    component: Flags.string({description: 'Only these components (repeatable).', multiple: true, helpValue: 'NAME'}),
    ...writeFlags('--to'),
    ...PR_FLAGS,
  }

  protected async execute(): Promise<WriteResult> {
    const {flags} = await this.parse(GitopsPromote)
    parseEnvironment(flags.from, '--from')
    parseEnvironment(flags.to, '--to')
    if (flags.from === flags.to) throw usageError('INVALID_USAGE', '--from and --to name the same environment.')
    const pr = prRequestFrom(flags)
    const [{promote}, {formatWrite}] = await Promise.all([
      import('../../gitops/write/write.js'),
      import('../../gitops/write/format.js'),
    ])
    const result = await writeWithPullRequest(flags, pr, undefined, (options) =>
      promote({...options, from: flags.from, to: flags.to, components: flags.component}),
    )
    if (!this.jsonEnabled()) this.log(formatWrite(result, this.style))
    return result
  }
}
