import {Args, Flags} from '@oclif/core'
import {availableParallelism} from 'node:os'

import {AmeideCommand, declareHelp} from '../../../core/base-command.js'
import type {PublishReport} from '../../../publish/report.js'

export default class PrimitivePublishMerge extends AmeideCommand<PublishReport> {
  static {
    declareHelp(this, {
      summary: 'Merge the shard reports of a matrix publish into one report; move :main once.',
      description:
        'Combines the reports of `primitive publish --shard I/N` (every shard of one plan) into the report a single ' +
        'run writes (schemas/publish.schema.json). All or nothing, before anything else: every REPORT is a shard ' +
        'report; they agree on sha, registry, base, plan and signing; each shard 1..N is there exactly once; each ' +
        'component is reported (image or failure) by the shard that owns it and by no other. A REPORT that is a ' +
        'directory stands for every *.json under it (a downloaded artifact folder). With --update-main, and only when ' +
        'no shard reported a failure, :main moves to the reported digests (the shards never move it). Writes ' +
        '--output, and under GitHub Actions the step outputs and job summary, as publish does. Exit codes as publish: ' +
        '1 when a component failed (the code of the failures when they share one).',
      errorCodes: {
        SHARD_REPORT_INVALID: 'a REPORT is missing, not JSON, not a publish report, or not a shard report',
        SHARD_REPORT_MISMATCH: 'the reports disagree on sha, registry, base, plan, dry run or signing',
        SHARD_MISSING: 'a shard 1..N of the plan has no report',
        SHARD_DUPLICATED: 'two reports for one shard',
        COMPONENT_MISSING: 'a shard owns a component its report holds neither as image nor as failure',
        COMPONENT_DUPLICATED: 'a component is reported by two shards',
        CONFIG_INVALID: '--update-main: ameide.yaml is invalid',
        REPO_ROOT_NOT_FOUND: '--repo-root is not a directory',
        NOT_A_GIT_REPOSITORY:
          '--update-main without --repo-root outside a git repository (ameide.yaml: insecureRegistries)',
        REGISTRY_UNAUTHORIZED: '--update-main: the registry refused the credentials',
        REGISTRY_UNAVAILABLE: '--update-main: the registry kept failing (per component, in failures[])',
        REGISTRY_UNREACHABLE: true,
        REGISTRY_REQUEST_FAILED: true,
        REGISTRY_DIGEST_MISMATCH: true,
        RETAG_DIGEST_MISMATCH: 'the registry stored :main under another digest (per component, in failures[])',
        FILE_NOT_WRITABLE: '--output cannot be written (the merge is done; rerun with a writable --output)',
      },
      examples: [
        '<%= config.bin %> <%= command.id %> shard-1.json shard-2.json shard-3.json --output publish.json',
        '<%= config.bin %> <%= command.id %> reports/ --update-main --json   # every *.json under reports/',
      ],
    })
  }

  static override strict = false

  static override args = {
    reports: Args.string({
      description: 'Shard reports (`publish --shard I/N --json --output FILE`), or directories holding them.',
      required: true,
    }),
  }

  static override flags = {
    'update-main': Flags.boolean({
      description: 'Move :main to the merged digests, once, when every shard succeeded.',
      default: false,
    }),
    output: Flags.string({description: 'Also write the merged report (JSON) to this file.', helpValue: 'FILE'}),
    jobs: Flags.integer({description: 'Registry requests in parallel for --update-main.', min: 1, helpValue: 'N'}),
  }

  protected async execute(): Promise<PublishReport> {
    const {flags, argv} = await this.parse(PrimitivePublishMerge)
    const env = process.env
    const [{mergePublishReports}, {deliverReport}, {formatPublishReport}] = await Promise.all([
      import('../../../publish/merge.js'),
      import('../../../publish/deliver.js'),
      import('../../../publish/format.js'),
    ])

    const {report, mainHeld} = await mergePublishReports(
      {
        reports: argv as string[],
        updateMain: flags['update-main'],
        jobs: flags.jobs ?? Math.max(1, availableParallelism()),
      },
      {
        // The registry settings (insecureRegistries) come from the repository's ameide.yaml, read only when needed.
        client: async () => {
          const [{MONOREPO_ROOT, resolveRoot}, {loadConfig}, {registryClient}] = await Promise.all([
            import('../../../effects/repo-root.js'),
            import('../../../core/config.js'),
            import('../../../publish/retry-policy.js'),
          ])
          const {config} = await loadConfig(await resolveRoot(flags['repo-root'], MONOREPO_ROOT))
          return registryClient(config, env)
        },
      },
    )

    const exitCode = await deliverReport(report, flags.output, env)
    if (exitCode !== 0) this.setExitCode(exitCode)
    if (!this.jsonEnabled()) {
      this.log(formatPublishReport(report, this.style))
      if (mainHeld) this.log(this.style.yellow(`:main not moved: ${report.failures.length} component(s) failed.`))
    }
    return report
  }
}
