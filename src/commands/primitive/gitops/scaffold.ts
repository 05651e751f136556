import {Flags} from '@oclif/core'

import {AmeideCommand, describeCommand} from '../../../core/base-command.js'
import {KINDS} from '../../../primitives/kinds.js'
import {dispatchProgress, dispatchTarget, DISPATCH_ERROR_CODES} from '../../../dispatch/target.js'
import {formatDispatch} from '../../../dispatch/format.js'
import {gitopsScaffold, parsePrimitiveInputs} from '../../../dispatch/scaffold.js'
import {runFailed, type DispatchResult} from '../../../dispatch/types.js'

export default class PrimitiveGitopsScaffold extends AmeideCommand<DispatchResult> {
  static override summary = "Trigger the GitOps repository's scaffold workflow and follow it to its pull request."

  static override description = describeCommand(
    "GitOps wiring is CI-owned: this command never writes GitOps files. It dispatches the GitOps repository's " +
      'workflow (default ameideio/ameide-gitops, scaffold-primitive-gitops.yaml on main) with inputs kind, name, version, ' +
      "with_smoke and env, after checking them locally and against the workflow's declared workflow_dispatch inputs. " +
      'It reports the run (returned by GitHub, or found by a distinct_id input or by timing) and, with --wait, follows ' +
      'it to completion and to the pull request it opened. Token: GH_TOKEN, else GITHUB_TOKEN, else `gh auth token`. ' +
      'API: --api-url, else GITHUB_API_URL, else https://api.github.com (GitHub Enterprise Server works the same way).',
    {
      INVALID_KIND: '--kind is not one of the six kinds',
      INVALID_NAME: '--name is not kebab-case or longer than 33 characters',
      INVALID_VERSION: '--version does not match ^v[0-9]+$',
      INVALID_ENVIRONMENT: '--env is not a lowercase DNS label',
      ...DISPATCH_ERROR_CODES,
    },
  )

  static override examples = [
    '<%= config.bin %> <%= command.id %> --kind domain --name orders --dry-run',
    '<%= config.bin %> <%= command.id %> --kind domain --name orders --with-smoke --env dev --wait',
    '<%= config.bin %> <%= command.id %> --kind integration --name transformation-mcp-adapter --version v0 --wait --json',
  ]

  static override flags = {
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
    repo: Flags.string({
      description: 'GitOps repository. Default: gitops.repository in ameide.yaml, else ameideio/ameide-gitops.',
      helpValue: 'OWNER/NAME',
    }),
    workflow: Flags.string({
      description: 'Workflow file. Default: gitops.workflow, else scaffold-primitive-gitops.yaml.',
      helpValue: 'FILE',
    }),
    ref: Flags.string({
      description: 'Branch the workflow runs on. Default: gitops.ref, else main.',
      helpValue: 'BRANCH',
    }),
    wait: Flags.boolean({
      description: 'Follow the run to its conclusion and to the pull request it opened.',
      default: false,
    }),
    timeout: Flags.string({description: 'Longest --wait, e.g. 90s, 15m, 1h.', default: '30m', helpValue: 'DURATION'}),
    'api-url': Flags.string({
      description: 'GitHub API base URL. Default: GITHUB_API_URL, else https://api.github.com.',
      helpValue: 'URL',
    }),
    'dry-run': Flags.boolean({description: 'Validate and print the exact request; send nothing.', default: false}),
  }

  protected async execute(): Promise<DispatchResult> {
    const {flags} = await this.parse(PrimitiveGitopsScaffold)
    // Input first: bad input is exit 2 wherever the command runs.
    const primitive = parsePrimitiveInputs({
      kind: flags.kind,
      name: flags.name,
      version: flags.version,
      withSmoke: flags['with-smoke'],
      env: flags.env,
    })
    const target = await dispatchTarget(flags)

    const progress = await this.progress()
    try {
      const outcome = await gitopsScaffold(
        {
          primitive,
          repository: target.repository,
          workflow: target.workflow,
          ref: target.ref,
          branchPattern: target.gitops.branchPattern,
          apiUrl: target.apiUrl,
          wait: flags.wait,
          timeoutMs: target.timeoutMs,
          dryRun: flags['dry-run'],
          env: process.env,
        },
        {onEvent: dispatchProgress(progress, flags.wait)},
      )
      progress.stop()
      const {result} = outcome
      if (runFailed(result)) this.setExitCode(1)
      if (!this.jsonEnabled()) this.log(formatDispatch(result, outcome.request, this.style))
      return result
    } catch (error) {
      progress.stop()
      throw error
    }
  }
}
