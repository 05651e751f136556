import {Flags} from '@oclif/core'

import {API_URL_FLAG} from '../core/api-url-flag.js'
import {AmeideCommand, declareHelp} from '../core/base-command.js'
import {exitsOf} from '../core/error-codes.js'
import {resolveApiUrl} from '../effects/github/target.js'
import {MONOREPO_ROOT, resolveRootMaybe} from '../effects/repo-root.js'
import {CHECK_IDS, type DoctorResult} from '../doctor/types.js'

export default class Doctor extends AmeideCommand<DoctorResult> {
  static {
    declareHelp(this, {
      summary: 'What this machine has and lacks for each command, and the command that fixes each gap.',
      description:
        "Read-only. Checks, one line each: Node.js, git, the repository's ameide.yaml (valid or the error), an image " +
        'builder (docker buildx with a daemon, buildah or podman), cosign, an SBOM generator (syft, or cdxgen with ' +
        'skopeo), buf, the chart repositories, the render module (Helm, kustomize, jsonnet), the ApplicationSet engine, credentials ' +
        'for the configured registry (present or not; never printed) and a GitHub token with whether it may dispatch the ' +
        'GitOps repository\'s workflows (one API call, skipped with --offline, "unknown" after 5 s). Each line is marked ' +
        '✓ ready, ! optional or degraded (the line says why), or ✗ a command this repository ' +
        'is configured for (a monorepo holds primitives/; a GitOps checkout sets gitopsPolicy or has its overlay ' +
        "folders) cannot run without it (with the fix); --json carries it as each check's state (ok, warn, fail) beside " +
        'what was found (status: ok, missing, unusable, unknown). Exit 0 when no line is ✗, 3 otherwise ' +
        '(PREREQUISITES_MISSING; the report is still printed, --json included). Outside a repository only Node.js and ' +
        'git are required.',
      errorCodes: {
        PREREQUISITES_MISSING: true,
        INVALID_API_URL: '--api-url / GITHUB_API_URL is not an http(s) URL',
        REPO_ROOT_NOT_FOUND: '--repo-root is not a directory',
      },
      examples: [
        '<%= config.bin %> <%= command.id %>',
        '<%= config.bin %> <%= command.id %> --offline --json | jq -r \'.checks[] | select(.status != "ok") | .fix\'',
      ],
    })
  }

  static override flags = {
    offline: Flags.boolean({
      description: 'Ask no remote service (the GitHub token is reported, not tried).',
      default: false,
    }),
    'api-url': API_URL_FLAG,
  }

  protected async execute(): Promise<DoctorResult> {
    const {flags} = await this.parse(Doctor)
    const apiUrl = resolveApiUrl(flags['api-url'], process.env)
    const root = await resolveRootMaybe(flags['repo-root'], MONOREPO_ROOT)
    const [{runDoctor}, {formatDoctor}] = await Promise.all([
      import('../doctor/doctor.js'),
      import('../doctor/format.js'),
    ])
    const progress = await this.progress()
    progress.start('Checking this machine')
    let known = 0
    const result = await runDoctor({
      root,
      offline: flags.offline,
      apiUrl,
      env: process.env,
      onCheck: (c) => progress.update(`Checked ${++known} of ${CHECK_IDS.length}: ${c.title}`),
    }).finally(() => progress.stop())
    if (!this.jsonEnabled()) this.log(formatDoctor(result, this.style))
    if (!result.ready) this.setExitCode(exitsOf('PREREQUISITES_MISSING')[0])
    return result
  }
}
