import {Flags} from '@oclif/core'

import {AmeideCommand, describeCommand} from '../../../core/base-command.js'
import {DEFAULT_CONFIG, loadConfig} from '../../../core/config.js'
import {usageError} from '../../../core/errors.js'
import {resolveRepoRoot} from '../../../core/repo-root.js'
import {gitTopLevel} from '../../../effects/git.js'
import {KINDS} from '../../../primitives/kinds.js'
import {parseDuration} from '../../../gitops/duration.js'
import {describeEvent, formatGitopsScaffold} from '../../../gitops/format.js'
import {gitopsScaffold, runFailed, type GitopsScaffoldResult} from '../../../gitops/gitops-scaffold.js'
import {REPOSITORY_PATTERN, WORKFLOW_PATTERN, parseApiUrl} from '../../../gitops/github-target.js'
import {parsePrimitiveInputs} from '../../../gitops/scaffold-input.js'

export default class PrimitiveGitopsScaffold extends AmeideCommand<GitopsScaffoldResult> {
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
      INVALID_ENV: '--env is not a lowercase DNS label',
      INVALID_REPOSITORY: '--repo is not OWNER/NAME',
      INVALID_WORKFLOW: '--workflow is not a .yml/.yaml file name',
      INVALID_DURATION: '--timeout is not a positive duration',
      REPO_ROOT_NOT_FOUND: '--repo-root is not a directory',
      INVALID_API_URL: '--api-url / GITHUB_API_URL is not an http(s) URL',
      INPUT_NOT_DECLARED: 'the workflow does not declare an input ameide sends',
      INPUT_NOT_ALLOWED: "a value is outside a choice/boolean/number input's options",
      REQUIRED_INPUT_MISSING: 'the workflow requires an input ameide does not send',
      INPUTS_NOT_ACCEPTED: 'several of the above at once',
      GITHUB_INPUTS_REJECTED: 'GitHub rejected the inputs (422)',
      GITHUB_BAD_REQUEST: 'GitHub rejected the request (400)',
      GITHUB_TOKEN_MISSING: 'no GH_TOKEN, GITHUB_TOKEN or `gh auth token`',
      GITHUB_BAD_TOKEN: 'GitHub rejected the token (401)',
      GITHUB_PERMISSION_DENIED: 'the token lacks actions:write (or contents:read) (403)',
      GITHUB_NOT_FOUND: 'repository or workflow not found (404)',
      WORKFLOW_NOT_DISPATCHABLE: 'the workflow file has no workflow_dispatch trigger',
      WORKFLOW_FILE_INVALID: 'the workflow file is not valid YAML',
      CONFIG_INVALID: 'ameide.yaml is invalid',
      GITHUB_RATE_LIMITED: 'rate limited for longer than ameide waits',
      GITHUB_UNAVAILABLE: 'GitHub kept failing (5xx, network) after retries',
      GITHUB_ERROR: 'another unexpected GitHub answer',
      RUN_NOT_FOUND: 'dispatched, but the run could not be found',
      WAIT_TIMEOUT: '--wait reached --timeout before the run completed',
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

  protected async execute(): Promise<GitopsScaffoldResult> {
    const {flags} = await this.parse(PrimitiveGitopsScaffold)
    // Input first: bad input is exit 2 wherever the command runs.
    const primitive = parsePrimitiveInputs({
      kind: flags.kind,
      name: flags.name,
      version: flags.version,
      withSmoke: flags['with-smoke'],
      env: flags.env,
    })
    if (flags.repo !== undefined && !REPOSITORY_PATTERN.test(flags.repo)) {
      throw usageError('INVALID_REPOSITORY', `--repo ${JSON.stringify(flags.repo)} is not OWNER/NAME.`, [
        'e.g. --repo ameideio/ameide-gitops',
      ])
    }
    if (flags.workflow !== undefined && !WORKFLOW_PATTERN.test(flags.workflow)) {
      throw usageError(
        'INVALID_WORKFLOW',
        `--workflow ${JSON.stringify(flags.workflow)} is not a workflow file name.`,
        ['Pass the file name under .github/workflows/, e.g. scaffold-primitive-gitops.yaml.'],
      )
    }
    const timeoutMs = parseDuration(flags.timeout)
    const apiUrl = parseApiUrl(
      flags['api-url'] ?? process.env.GITHUB_API_URL ?? 'https://api.github.com',
      flags['api-url'] ? '--api-url' : 'GITHUB_API_URL',
    )

    // The config file is optional here: outside a repository the defaults apply.
    const root =
      flags['repo-root'] === undefined ? await gitTopLevel(process.cwd()) : await resolveRepoRoot(flags['repo-root'])
    const gitops = root ? (await loadConfig(root)).config.gitops : DEFAULT_CONFIG.gitops

    const progress = await this.progress()
    try {
      const outcome = await gitopsScaffold(
        {
          primitive,
          repository: flags.repo ?? gitops.repository,
          workflow: flags.workflow ?? gitops.workflow,
          ref: flags.ref ?? gitops.ref,
          branchPattern: gitops.branchPattern,
          apiUrl,
          wait: flags.wait,
          timeoutMs,
          dryRun: flags['dry-run'],
          env: process.env,
        },
        {
          onEvent: (event) => {
            const line = describeEvent(event)
            if (line.kind === 'start') progress.start(line.text)
            else if (line.kind === 'done') progress.succeed(line.text)
            else progress.info(line.text)
            if (
              flags.wait &&
              (event.type === 'dispatched' || (event.type === 'status' && event.status !== 'completed'))
            ) {
              progress.start(
                `Waiting for the run (${event.type === 'status' ? event.status : (event.run?.status ?? 'queued')})`,
              )
            }
          },
        },
      )
      progress.stop()
      const {result} = outcome
      if (runFailed(result)) this.setExitCode(1)
      if (!this.jsonEnabled()) this.log(formatGitopsScaffold(result, outcome.request, this.style))
      return result
    } catch (error) {
      progress.stop()
      throw error
    }
  }
}
