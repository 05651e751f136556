import {Flags} from '@oclif/core'

import {declareHelp} from '../../../core/base-command.js'
import {DISPATCH_FLAGS, DispatchCommand} from '../../../dispatch/command.js'
import {dispatchTarget, DISPATCH_ERROR_CODES, targetRequest} from '../../../dispatch/target.js'
import {imagesBranch, imagesBranchNeedle} from '../../../effects/github/branch.js'
import {dispatchAndFollow} from '../../../dispatch/run.js'
import type {DispatchResult} from '../../../dispatch/types.js'

export default class PrimitiveGitopsUpdateImages extends DispatchCommand {
  static {
    declareHelp(this, {
      summary: "Dispatch the GitOps repository's image write-back workflow with a publish report's refs.",
      description:
        'For GitOps repositories that keep the writer in their own CI: dispatches update-image-refs.yaml (see ' +
        'docs/examples/gitops/update-image-refs.yaml) with inputs env, source_sha and refs (compact JSON, repository → ' +
        "digest-pinned ref), checked against the workflow's declared inputs, and with --wait follows the run to the PR " +
        'it opened — the same dispatch-and-follow as `primitive gitops scaffold`. Every ref is validated as ' +
        '`gitops set-image` would; inputs over GitHub’s 65,535-character limit are refused.',
      errorCodes: {
        INVALID_REPORT: '--report is not a publish report (schemaVersion 1, with its sha)',
        INVALID_IMAGE_REF: 'a ref of the report is not <repository>:<tag>@sha256:<64 hex>',
        CONFLICTING_REFS: 'the report holds two refs for one repository',
        NOTHING_TO_UPDATE: 'the report holds no published image',
        INPUTS_TOO_LARGE: "the inputs exceed GitHub's 65,535-character limit",
        INVALID_ENVIRONMENT: '--env is not an environment name',
        ...DISPATCH_ERROR_CODES,
      },
      examples: [
        '<%= config.bin %> <%= command.id %> --report publish.json --env local --wait',
        '<%= config.bin %> <%= command.id %> --report publish.json --env local --dry-run --json',
      ],
    })
  }

  static override flags = {
    ...DISPATCH_FLAGS,
    report: Flags.string({description: 'A `primitive publish --json` report.', required: true, helpValue: 'FILE'}),
    env: Flags.string({description: 'The environment overlay to write.', required: true, helpValue: 'ENV'}),
    workflow: Flags.string({
      description: 'Workflow file.',
      default: 'update-image-refs.yaml',
      helpValue: 'FILE',
    }),
    wait: Flags.boolean({description: 'Follow the run to its conclusion and to its pull request.', default: false}),
  }

  protected async execute(): Promise<DispatchResult> {
    const {flags} = await this.parse(PrimitiveGitopsUpdateImages)
    const {updateImagesInputs} = await import('../../../dispatch/update-images.js')
    const {inputs, sha} = await updateImagesInputs(flags.report, flags.env)
    const target = await dispatchTarget(flags, flags.workflow)
    return this.dispatchAndShow(flags.wait, (deps) =>
      dispatchAndFollow(
        {
          ...targetRequest(target, flags),
          inputs,
          // The branch the example workflow (and `gitops set-image --open-pr`) uses for these refs.
          prBranch: imagesBranch(flags.env, sha),
          prSearch: imagesBranchNeedle(flags.env),
          afterPr: ['Argo CD rolls the new digests out once the PR is merged.'],
        },
        deps,
      ),
    )
  }
}
