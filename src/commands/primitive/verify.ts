import {Flags} from '@oclif/core'

import {cacheFlag} from '../../cache/flag.js'
import {AmeideCommand, declareHelp, REPO_ROOT_CODES} from '../../core/base-command.js'
import {loadConfig} from '../../core/config.js'
import {ExitCode} from '../../core/exit-codes.js'
import {reportToActions} from '../../effects/actions.js'
import {MONOREPO_ROOT, resolveRoot} from '../../effects/repo-root.js'
import {PRIMITIVE_SELECTION_FLAGS, SELECTED_NONE_CODES, SELECTION_CODES} from '../../primitives/selection.js'
import {formatVerify} from '../../verify/format.js'
import {actionsReport} from '../../verify/actions-report.js'
import {CHECK_IDS, type VerifyResult} from '../../verify/types.js'
import {missingTool, parseVerifyInput, verifyPrimitives} from '../../verify/verify.js'

export default class PrimitiveVerify extends AmeideCommand<VerifyResult> {
  static {
    declareHelp(this, {
      summary: 'Check primitives against the mechanical guardrails, offline; diagnose, never fix.',
      description:
        'Runs the checks on the primitive containing the current directory, on --kind/--name, or on --all primitives ' +
        '(concurrently, reported in a stable order; --all also runs buf-lint and buf-breaking on the shared proto module ' +
        'packages/ameide_core_proto when present, reported under `shared`). Deterministic and offline; never writes a file and never runs the ' +
        "primitive's tests. Each finding names its file, line, rule, message and hint. Checks: " +
        `${CHECK_IDS.join(', ')}. ` +
        'Exit 0 when nothing fails (warnings allowed), 1 when a check fails, 3 when a tool a check needs (buf) is missing. ' +
        'CI gates with `jq -e \'.summary == "pass"\'` on the --json output. Under GitHub Actions (GITHUB_ACTIONS=true) findings ' +
        'are also annotations, and a table is appended to $GITHUB_STEP_SUMMARY. --sarif FILE also writes the findings as ' +
        'SARIF 2.1.0 for GitHub code scanning, whatever the verdict.',
      errorCodes: {
        ...SELECTION_CODES,
        UNKNOWN_CHECK: '--check names a check that does not exist',
        CONFIG_INVALID: 'ameide.yaml is invalid (read for buf-breaking: publish.baseBranch)',
        UNSUPPORTED_MODE: '--mode cluster|all (legacy cluster-health modes; use --mode repo)',
        ...SELECTED_NONE_CODES,
        ...REPO_ROOT_CODES,
        FILE_NOT_WRITABLE: '--sarif names a file that cannot be written (a directory, a read-only folder)',
      },
      examples: [
        '<%= config.bin %> <%= command.id %>                       # inside primitives/<kind>/<name>/',
        '<%= config.bin %> <%= command.id %> --kind domain --name orders',
        '<%= config.bin %> <%= command.id %> --all --json | jq -e \'.summary == "pass"\'',
        '<%= config.bin %> <%= command.id %> --kind agent --name triage --check imports --check secrets',
        '<%= config.bin %> <%= command.id %> --kind domain --name orders --mode repo --checks Codegen,Imports,Naming',
        '<%= config.bin %> <%= command.id %> --all --sarif verify.sarif  # then github/codeql-action/upload-sarif',
      ],
    })
  }

  static override flags = {
    ...PRIMITIVE_SELECTION_FLAGS,
    all: Flags.boolean({
      description:
        'Every primitives/<kind>/<name>/ in the repository, and the shared proto module packages/ameide_core_proto (buf checks only).',
      default: false,
    }),
    check: Flags.string({
      description: `Run only these checks (repeatable or comma-separated, any case; alias --checks): ${CHECK_IDS.join(', ')}.`,
      multiple: true,
      aliases: ['checks'],
      helpValue: 'ID',
    }),
    mode: Flags.string({
      description: 'repo (the default): the offline repository checks. The legacy cluster modes are not supported.',
      default: 'repo',
      helpValue: 'MODE',
    }),
    cache: cacheFlag(
      "Reuse the results of unchanged primitives' file checks from the repository's git directory (.git/ameide/cache/); --no-cache runs every check and leaves the cache alone.",
    ),
    sarif: Flags.string({
      description:
        'Also write the findings as SARIF 2.1.0 (GitHub code scanning) to this file, atomically, whatever the verdict.',
      helpValue: 'FILE',
    }),
  }

  protected async execute(): Promise<VerifyResult> {
    const {flags} = await this.parse(PrimitiveVerify)
    const input = parseVerifyInput({...flags, cwd: process.cwd()})
    const repoRoot = await resolveRoot(flags['repo-root'], MONOREPO_ROOT)
    // buf-breaking compares with publish's base branch (ameide.yaml publish.baseBranch).
    const baseBranch = input.checks.includes('buf-breaking')
      ? (await loadConfig(repoRoot)).config.publish.baseBranch
      : undefined
    const progress = await this.progress()
    progress.start('Verifying primitives')
    let done = 0
    const result = await verifyPrimitives({
      ...input,
      repoRoot,
      baseBranch,
      cacheVersion: flags.cache ? this.config.version : undefined,
      onPrimitiveDone: (p) => progress.update(`Verified ${++done}: ${p.path}`),
    })
    progress.stop()
    if (flags.sarif !== undefined) {
      const [{writeSarif}, {verifySarifInput}] = await Promise.all([
        import('../../sarif/write.js'),
        import('../../verify/sarif.js'),
      ])
      const sarif = verifySarifInput(result, input.checks, {
        version: this.config.version,
        executionSuccessful: !missingTool(result),
      })
      result.sarif = await writeSarif(flags.sarif, repoRoot, sarif)
    }
    await reportToActions(process.env, actionsReport(result))
    if (!this.jsonEnabled()) this.log(formatVerify(result, this.style))
    if (!this.jsonEnabled() && flags.sarif !== undefined) this.log(`SARIF written to ${flags.sarif}.`)
    if (missingTool(result)) this.setExitCode(ExitCode.Prerequisite)
    else if (result.summary === 'fail') this.setExitCode(ExitCode.Failure)
    return result
  }
}
