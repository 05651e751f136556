import {Flags} from '@oclif/core'

import {API_URL_ORDER} from '../../../core/api-url-flag.js'
import {declareHelp} from '../../../core/base-command.js'
import {KINDS} from '../../../primitives/kinds.js'
import {DISPATCH_FLAGS, DispatchCommand} from '../../../dispatch/command.js'
import {dispatchTarget, DISPATCH_ERROR_CODES, targetRequest} from '../../../dispatch/target.js'
import {gitopsScaffold, parsePrimitiveInputs} from '../../../dispatch/scaffold.js'
import type {DispatchResult} from '../../../dispatch/types.js'

export default class PrimitiveGitopsScaffold extends DispatchCommand {
  static {
    declareHelp(this, {
      summary: "Trigger the GitOps repository's scaffold workflow and follow it to its pull request.",
      description:
        "GitOps wiring is CI-owned: this command never writes GitOps files. It dispatches the GitOps repository's " +
        'workflow (default ameideio/ameide-gitops, scaffold-primitive-gitops.yaml on main) with inputs kind, name, version, ' +
        "with_smoke and env, after checking them locally and against the workflow's declared workflow_dispatch inputs. " +
        'It reports the run (returned by GitHub, or found by a distinct_id input or by timing) and, with --wait, follows ' +
        'it to completion and to the pull request it opened. Token: GH_TOKEN, else GITHUB_TOKEN, else `gh auth token`. ' +
        `API: ${API_URL_ORDER} (GitHub Enterprise Server works the same way).`,
      errorCodes: {
        INVALID_KIND: '--kind is not one of the six kinds',
        INVALID_NAME: '--name is not kebab-case or longer than 33 characters',
        INVALID_VERSION: '--version does not match ^v[0-9]+$',
        INVALID_ENVIRONMENT: '--env is not a lowercase DNS label',
        ...DISPATCH_ERROR_CODES,
      },
      examples: [
        '<%= config.bin %> <%= command.id %> --kind domain --name orders --dry-run',
        '<%= config.bin %> <%= command.id %> --kind domain --name orders --with-smoke --env dev --wait',
        '<%= config.bin %> <%= command.id %> --kind integration --name transformation-mcp-adapter --version v0 --wait --json',
      ],
    })
  }

  static override flags = {
    ...DISPATCH_FLAGS,
    kind: Flags.string({description: `Primitive kind: ${KINDS.join(', ')}.`, required: true, helpValue: 'KIND'}),
    name: Flags.string({
      description: 'Primitive name, kebab-case, at most 33 characters.',
      required: true,
      helpValue: 'NAME',
    }),
    version: Flags.string({description: 'Primitive version, v0, v1, …', default: 'v0', helpValue: 'VERSION'}),
    'with-smoke': Flags.boolean({description: 'Also wire the smoke test (opt-in).', default: false}),
    env: Flags.string({
      description: 'Also create the env override (enabled: false) for this environment, e.g. dev.',
      helpValue: 'ENV',
    }),
    workflow: Flags.string({
      description: 'Workflow file. Default: gitops.workflow, else scaffold-primitive-gitops.yaml.',
      helpValue: 'FILE',
    }),
    wait: Flags.boolean({
      description: 'Follow the run to its conclusion and to the pull request it opened.',
      default: false,
    }),
  }

  protected async execute(): Promise<DispatchResult> {
    const {flags} = await this.parse(PrimitiveGitopsScaffold)
    // Input first: bad input is exit 2 wherever the command runs.
    const primitive = parsePrimitiveInputs({...flags, withSmoke: flags['with-smoke']})
    const target = await dispatchTarget(flags)

    return this.dispatchAndShow(flags.wait, (deps) =>
      gitopsScaffold({...targetRequest(target, flags), primitive, branchPattern: target.gitops.branchPattern}, deps),
    )
  }
}
