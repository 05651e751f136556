import {Flags} from '@oclif/core'

import {API_URL_FLAG} from '../../core/api-url-flag.js'
import {AmeideCommand, declareHelp, REPO_ROOT_CODES} from '../../core/base-command.js'
import {testTimings} from '../../core/test-timings.js'
import {resolveApiUrl} from '../../effects/github/target.js'
import {MONOREPO_ROOT, resolveRoot} from '../../effects/repo-root.js'
import {PRIMITIVE_SELECTION_FLAGS, SELECTED_NONE_CODES, SELECTION_CODES} from '../../primitives/selection.js'
import {formatStatus} from '../../status/format.js'
import {parseStatusInput} from '../../status/input.js'
import type {StatusResult} from '../../status/types.js'
import {EVIDENCE_FLAG_CODES, EVIDENCE_IDENTITY_FLAGS, evidenceFlagged} from '../../gitops/evidence/flags.js'

export default class PrimitiveStatus extends AmeideCommand<StatusResult> {
  static {
    declareHelp(this, {
      summary: "Where is my primitive? backlog/671's Definition of Done, link by link, and the next command.",
      description:
        'Read-only. For each primitive (--kind/--name, --all, or the one containing the current directory) the chain: ' +
        'verify (the checks of `primitive verify`; --skip-verify), image (`<registry>/primitive-<kind>-<name>:<sha>` of HEAD ' +
        "or --sha, its digest and :main's; --evidence: signature, SBOM and provenance as `gitops verify --evidence`), " +
        "wiring (the scaffold workflow's files on `gitops.ref` of the GitOps repository, or its open PR), enablement per " +
        '--env (the overlay enables the component and pins the digest: current, older, unpinned, absent, or an images PR ' +
        'is open) and, with --argocd-server and ARGOCD_AUTH_TOKEN, deployed per --env (the Argo CD Application ' +
        '`<env>-<kind>-<name>-<version>`: Synced/Healthy and running the digest). Each link is done, pending, behind, ' +
        'absent, failed or unknown (with the reason: no token, a remote kept failing — never a guess); nextSteps are exact ' +
        'commands. GitHub token: GH_TOKEN, GITHUB_TOKEN or `gh auth token`. Exit 0 when every link is done, 1 when one is ' +
        'not (unknown included), 4 when a remote kept failing after retries (the result is still printed).',
      errorCodes: {
        ...SELECTION_CODES,
        INVALID_VERSION: '--version does not match ^v[0-9]+$',
        INVALID_ENVIRONMENT: '--env is not an environment name (a lowercase DNS label)',
        INVALID_SHA: '--sha is not 40 lowercase hex characters',
        INVALID_API_URL: '--api-url / GITHUB_API_URL is not an http(s) URL',
        INVALID_ARGOCD_SERVER: '--argocd-server is not an http(s) URL or host[:port]',
        INVALID_USAGE: 'evidence flags without --evidence, or --key with the keyless flags',
        ...SELECTED_NONE_CODES,
        ...REPO_ROOT_CODES,
        NO_COMMIT: 'the repository has no commit and no --sha',
        CONFIG_INVALID: 'ameide.yaml is invalid',
        ...EVIDENCE_FLAG_CODES,
        KEYLESS_IDENTITY_MISSING: '--evidence without --key needs an identity regexp and an OIDC issuer',
      },
      examples: [
        '<%= config.bin %> <%= command.id %> --kind domain --name orders',
        '<%= config.bin %> <%= command.id %> --all --env dev --env staging --json | jq -r ".nextSteps[]"',
        '<%= config.bin %> <%= command.id %> --kind domain --name orders --skip-verify --evidence --key cosign.pub',
        'ARGOCD_AUTH_TOKEN=… <%= config.bin %> <%= command.id %> --kind domain --name orders --argocd-server https://argocd.example.com',
      ],
    })
  }

  static override flags = {
    ...PRIMITIVE_SELECTION_FLAGS,
    all: Flags.boolean({description: 'Every primitives/<kind>/<name>/ of the repository.', default: false}),
    version: Flags.string({
      description: 'The GitOps component version (<kind>-<name>-<version>).',
      default: 'v0',
      helpValue: 'VERSION',
    }),
    env: Flags.string({
      description: 'Environments for enablement and deployed (repeatable). Default: dev.',
      multiple: true,
      helpValue: 'ENV',
    }),
    sha: Flags.string({description: 'The commit whose image to look for. Default: HEAD.', helpValue: 'SHA'}),
    'skip-verify': Flags.boolean({description: 'Do not run the verify checks (the link is left out).', default: false}),
    evidence: Flags.boolean({
      description: 'Also verify, with cosign, the signature, SBOM and provenance of the image.',
      default: false,
    }),
    ...EVIDENCE_IDENTITY_FLAGS,
    'argocd-server': Flags.string({
      description: 'Argo CD API server for the deployed link; the token comes from ARGOCD_AUTH_TOKEN.',
      helpValue: 'URL',
    }),
    'api-url': API_URL_FLAG,
  }

  protected async execute(): Promise<StatusResult> {
    const {flags} = await this.parse(PrimitiveStatus)
    const input = parseStatusInput({...flags, argocdServer: flags['argocd-server'], cwd: process.cwd()})
    const apiUrl = resolveApiUrl(flags['api-url'], process.env)
    // The evidence module (cosign) loads only when an evidence flag is given; checked at the door (exit 2).
    const flagged = evidenceFlagged(flags)
    if (flagged) (await import('../../gitops/evidence/verifier.js')).checkEvidenceFlags(flags)
    const repoRoot = await resolveRoot(flags['repo-root'], MONOREPO_ROOT)
    const progress = await this.progress()
    progress.start('Asking where the primitives are')
    let done = 0
    const {runStatus} = await import('../../status/run.js')
    const {result, exitCode} = await runStatus({
      ...input,
      repoRoot,
      skipVerify: flags['skip-verify'],
      evidence: flags,
      apiUrl,
      env: process.env,
      timings: testTimings(process.env),
      onPrimitiveDone: (p) => progress.update(`Asked ${++done}: ${p.kind}/${p.name}`),
    }).finally(() => progress.stop())
    if (!this.jsonEnabled()) this.log(formatStatus(result, this.style))
    this.setExitCode(exitCode)
    return result
  }
}
