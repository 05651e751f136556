import {Flags} from '@oclif/core'

import {declareHelp, GitopsCommand} from '../../core/base-command.js'
import {parseEnvironment} from '../../core/environment.js'
import {usageError} from '../../core/errors.js'
import {PR_ERROR_CODES, PR_FLAGS, prRequestFrom, writeWithPullRequest} from '../../gitops/pr/flags.js'
import {WRITE_ERROR_CODES} from '../../gitops/write/codes.js'
import {writeFlags} from '../../gitops/write/flags.js'
import type {WriteResult} from '../../gitops/write/write.js'

export default class GitopsSetImage extends GitopsCommand<WriteResult> {
  static {
    declareHelp(this, {
      summary: 'Write digest-pinned refs from a publish report into one environment overlay, byte-exact.',
      description:
        'Rewrites every image reference in sources/values/env/<ENV>/** (the image references gitops verify checks, also ' +
        'inside embedded manifests) whose repository equals a report image: it takes that exact ref, whatever its ' +
        "current tag or digest (so a :dev reference is migrated too). Only the scalar's bytes change: comments, key " +
        'order, quoting, indentation, line endings and a missing final newline stay. Every file is parsed and every edit ' +
        'planned before the first write; then the files are replaced by atomic renames from a journal: a run killed ' +
        'midway leaves each file old or new, and the next set-image or promote finishes (or undoes) it first and ' +
        'reports it as `recovered`. One writer per checkout: a second waits for the first. Rerunning changes nothing ' +
        '(exit 0). --dry-run prints the unified diff. Images with no reference are listed (wiring them is ' +
        '`primitive gitops scaffold`), failed components of the report are skipped and listed.',
      errorCodes: {
        ...WRITE_ERROR_CODES,
        ...PR_ERROR_CODES,
        INVALID_REPORT: '--report is not a publish report (schemaVersion 1)',
        INVALID_USAGE: 'neither --report nor --ref',
      },
      examples: [
        '<%= config.bin %> <%= command.id %> --env local --report publish.json',
        '<%= config.bin %> <%= command.id %> --env local --ref ghcr.io/ameideio/primitive-domain-orders:3f9c…@sha256:… --dry-run',
      ],
    })
  }

  static override flags = {
    env: Flags.string({description: 'The environment overlay to write.', required: true, helpValue: 'ENV'}),
    report: Flags.string({description: 'A `primitive publish --json` report.', helpValue: 'FILE', exclusive: ['ref']}),
    ref: Flags.string({description: 'A digest-pinned ref to write (repeatable).', multiple: true, helpValue: 'REF'}),
    ...writeFlags('the environment'),
    ...PR_FLAGS,
  }

  protected async execute(): Promise<WriteResult> {
    const {flags} = await this.parse(GitopsSetImage)
    const [{desiredFromRefs}, {readPublishReport}, {setImage}, {formatWrite}] = await Promise.all([
      import('../../gitops/write/input.js'),
      import('../../publish/read-report.js'),
      import('../../gitops/write/write.js'),
      import('../../gitops/write/format.js'),
    ])
    if (!flags.report && !flags.ref) throw usageError('INVALID_USAGE', 'Pass --report FILE or --ref REF.')
    parseEnvironment(flags.env)
    const pr = prRequestFrom(flags)
    const {sha, ...input} = flags.report
      ? await readPublishReport(flags.report)
      : {images: desiredFromRefs(flags.ref ?? []), skipped: [], sha: undefined}
    const result = await writeWithPullRequest(flags, pr, sha, (options) =>
      setImage({...options, env: flags.env, ...input}),
    )
    if (!this.jsonEnabled()) this.log(formatWrite(result, this.style))
    return result
  }
}
