import {Flags} from '@oclif/core'

import {AmeideCommand, describeCommand} from '../../../core/base-command.js'
import {DEFAULT_CONFIG, loadConfig} from '../../../core/config.js'
import {usageError} from '../../../core/errors.js'
import {resolveRepoRoot} from '../../../core/repo-root.js'
import {gitTopLevel} from '../../../effects/git.js'
import {parseDuration} from '../../../gitops/duration.js'
import {describeEvent, formatGitopsScaffold} from '../../../gitops/format.js'
import {dispatchAndFollow, runFailed, type GitopsScaffoldResult} from '../../../gitops/gitops-scaffold.js'
import {parseApiUrl, REPOSITORY_PATTERN, WORKFLOW_PATTERN} from '../../../gitops/github-target.js'

export default class PrimitiveGitopsUpdateImages extends AmeideCommand<GitopsScaffoldResult> {
  static override summary = "Dispatch the GitOps repository's image write-back workflow with a publish report's refs."

  static override description = describeCommand(
    'For GitOps repositories that keep the writer in their own CI: dispatches update-image-refs.yaml (see ' +
      'docs/examples/gitops/update-image-refs.yaml) with inputs env, source_sha and refs (compact JSON, repository → ' +
      "digest-pinned ref), checked against the workflow's declared inputs, and with --wait follows the run to the PR " +
      'it opened — the same dispatch-and-follow as `primitive gitops scaffold`. Every ref is validated as ' +
      '`gitops set-image` would; inputs over GitHub’s 65,535-character limit are refused.',
    {
      INVALID_REPORT: '--report is not a publish report (schemaVersion 1, with its sha)',
      INVALID_IMAGE_REF: 'a ref of the report is not <repository>:<tag>@sha256:<64 hex>',
      CONFLICTING_REFS: 'the report holds two refs for one repository',
      NOTHING_TO_UPDATE: 'the report holds no published image',
      INPUTS_TOO_LARGE: "the inputs exceed GitHub's 65,535-character limit",
      INVALID_ENVIRONMENT: '--env is not an environment name',
      INVALID_REPOSITORY: '--repo is not OWNER/NAME',
      INVALID_WORKFLOW: '--workflow is not a .yml/.yaml file name',
      INVALID_DURATION: '--timeout is not a positive duration',
      REPO_ROOT_NOT_FOUND: '--repo-root is not a directory',
      INVALID_API_URL: '--api-url / GITHUB_API_URL is not an http(s) URL',
      INPUT_NOT_DECLARED: 'the workflow does not declare an input ameide sends',
      INPUT_NOT_ALLOWED: "a value is outside a choice input's options",
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
    '<%= config.bin %> <%= command.id %> --report publish.json --env local --wait',
    '<%= config.bin %> <%= command.id %> --report publish.json --env local --dry-run --json',
  ]

  static override flags = {
    report: Flags.string({description: 'A `primitive publish --json` report.', required: true, helpValue: 'FILE'}),
    env: Flags.string({description: 'The environment overlay to write.', required: true, helpValue: 'ENV'}),
    repo: Flags.string({
      description: 'GitOps repository. Default: gitops.repository in ameide.yaml, else ameideio/ameide-gitops.',
      helpValue: 'OWNER/NAME',
    }),
    workflow: Flags.string({
      description: 'Workflow file.',
      default: 'update-image-refs.yaml',
      helpValue: 'FILE',
    }),
    ref: Flags.string({
      description: 'Branch the workflow runs on. Default: gitops.ref, else main.',
      helpValue: 'BRANCH',
    }),
    wait: Flags.boolean({description: 'Follow the run to its conclusion and to its pull request.', default: false}),
    timeout: Flags.string({description: 'Longest --wait, e.g. 90s, 15m, 1h.', default: '30m', helpValue: 'DURATION'}),
    'api-url': Flags.string({
      description: 'GitHub API base URL. Default: GITHUB_API_URL, else https://api.github.com.',
      helpValue: 'URL',
    }),
    'dry-run': Flags.boolean({description: 'Validate and print the exact request; send nothing.', default: false}),
  }

  protected async execute(): Promise<GitopsScaffoldResult> {
    const {flags} = await this.parse(PrimitiveGitopsUpdateImages)
    const {updateImagesInputs} = await import('../../../gitops/update-images.js')
    const {inputs, sha} = await updateImagesInputs(flags.report, flags.env)
    if (flags.repo !== undefined && !REPOSITORY_PATTERN.test(flags.repo)) {
      throw usageError('INVALID_REPOSITORY', `--repo ${JSON.stringify(flags.repo)} is not OWNER/NAME.`)
    }
    if (!WORKFLOW_PATTERN.test(flags.workflow)) {
      throw usageError('INVALID_WORKFLOW', `--workflow ${JSON.stringify(flags.workflow)} is not a workflow file name.`)
    }
    const timeoutMs = parseDuration(flags.timeout)
    const apiUrl = parseApiUrl(
      flags['api-url'] ?? process.env.GITHUB_API_URL ?? 'https://api.github.com',
      flags['api-url'] ? '--api-url' : 'GITHUB_API_URL',
    )
    const root =
      flags['repo-root'] === undefined ? await gitTopLevel(process.cwd()) : await resolveRepoRoot(flags['repo-root'])
    const gitops = root ? (await loadConfig(root)).config.gitops : DEFAULT_CONFIG.gitops
    const progress = await this.progress()
    try {
      const outcome = await dispatchAndFollow(
        {
          repository: flags.repo ?? gitops.repository,
          workflow: flags.workflow,
          ref: flags.ref ?? gitops.ref,
          inputs,
          // The branch the example workflow (and `gitops set-image --open-pr`) uses for these refs.
          prBranch: `ameide/images-${flags.env}-${sha.slice(0, 12)}`,
          prSearch: `images-${flags.env}`,
          afterPr: ['Argo CD rolls the new digests out once the PR is merged.'],
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
