import {Flags} from '@oclif/core'

import {cacheFlag} from '../../cache/flag.js'
import {declareHelp, GitopsCommand} from '../../core/base-command.js'
import {loadConfig, type GitopsPolicy} from '../../core/config.js'
import {ExitCode} from '../../core/exit-codes.js'
import {reportToActions} from '../../effects/actions.js'
import {gitRemoteUrl} from '../../effects/git.js'
import {GITOPS_ROOT, resolveRoot} from '../../effects/repo-root.js'
import {GITOPS_ROOT_CODES, RENDER_SOURCE_CODES, renderingFlags, SCM_PROVIDER_NAMES} from '../../gitops/flags/index.js'
import {VERIFY_RULE_IDS} from '../../gitops/rules/index.js'
import type {GitopsVerifyResult} from '../../gitops/verify/verify.js'
import {EVIDENCE_FLAG_CODES, EVIDENCE_IDENTITY_FLAGS, evidenceFlagged} from '../../gitops/evidence/flags.js'

export default class GitopsVerify extends GitopsCommand<GitopsVerifyResult> {
  static {
    declareHelp(this, {
      summary: "The GitOps repository's image-policy gate: digests pinned, no floating tags, evidence signed.",
      description:
        'Reads a GitOps checkout (never writes) laid out as backlog/603 describes — overlays sources/values/env/<env>/**, ' +
        'shared and cluster values, environments/**, argocd/**, config/clusters/*.yaml; overridable in its ameide.yaml ' +
        '(gitopsPolicy); without a preset or zone globs there the layout and the image contract are detected from the ' +
        'checkout (Flux, kustomize overlays, Argo CD apps-of-apps, plain manifests) and the output says what and why — ' +
        'and checks every image reference: image.ref values, container images of any pod spec, ' +
        'primitive spec.image, split image maps, also inside YAML embedded in block strings (manifests: |-), reported at ' +
        'the line of the outer file. Files that are not YAML (Helm templates) are listed as skipped. ' +
        `Rules: ${VERIFY_RULE_IDS.join(', ')} (docs/commands/gitops-verify.md). ` +
        '--evidence asks the registry, with cosign, for a valid signature, an SBOM and a SLSA provenance attestation of ' +
        'every distinct digest, once each, and judges what the attestations say: with an evidencePolicy in ameide.yaml, ' +
        'per image glob, who may sign (keys, keyless identities) and which source repository, builder, build type and ' +
        'commit the provenance must name. Exit 0 pass, 1 findings, 3 NOTHING_CHECKED when no file fell in a checked zone. Under GitHub Actions findings are also annotations ' +
        '(stderr) and a table in $GITHUB_STEP_SUMMARY. --sarif FILE also writes the findings as SARIF 2.1.0 for GitHub code ' +
        'scanning, whatever the verdict. --print-layout runs no rule: it lists every YAML file with its zone ' +
        '(overlay <env>, cluster, shared, components, argocd, cluster-config, or not read) and whether it is checked ' +
        'for pinning, and the render roots, and exits 0 (gitopsPolicy.preset: seed, kustomize, flux). --render (or ' +
        "gitopsPolicy.render: true) judges the rendered output instead of the source YAML: each environment's render " +
        'roots built and charts templated by the render module (kustomize and Helm as WebAssembly; without it nothing ' +
        'renders and --render fails), the image rules run on every ' +
        'container of every pod-bearing object at the source line that decided its image, every object validated ' +
        'as the API server will take it — built-in kinds against the Kubernetes schema, custom resources against their ' +
        "CRDs (the revision's, else a built-in catalog) by the API server's own validation, apiVersions against what " +
        "the cluster's minor serves (render-failed, render-unavailable, schema-invalid, schema-unknown, api-removed, " +
        'api-deprecated); a source of this repository ' +
        'pinned to another branch, tag or commit (targetRevision, a GitRepository ref) is rendered from the clone at that ' +
        'commit, as gitops diff renders it (the branch checked out, the default branch and, under GitHub Actions, the ' +
        "job's GITHUB_BASE_REF and GITHUB_HEAD_REF are the checkout; a ref the clone lacks is render-unavailable). ApplicationSet clusters " +
        'generators (--render, --print-layout) are evaluated over the clusters Argo CD lists with --argocd-server and ' +
        'ARGOCD_AUTH_TOKEN (a list that cannot be read fails them: render-failed); without it they are not rendered. ' +
        `ApplicationSet scmProvider generators with ${SCM_PROVIDER_NAMES} are evaluated over that API with ` +
        '--scm-provider <provider> ' +
        '(--api-url; an API failure fails them: render-failed); without it they are not rendered.',
      errorCodes: {
        UNKNOWN_RULE: '--rule names a rule that does not exist',
        ...RENDER_SOURCE_CODES,
        INVALID_USAGE:
          'evidence flags without --evidence, --key with the keyless flags, or a signer flag when ameide.yaml has an evidencePolicy',
        ...GITOPS_ROOT_CODES,
        CONFIG_INVALID: "the GitOps repository's ameide.yaml is invalid (an evidencePolicy key file missing, too)",
        KEYLESS_IDENTITY_MISSING: '--evidence without --key needs an identity regexp and an OIDC issuer',
        ...EVIDENCE_FLAG_CODES,
        VERIFY_REMOTE_FAILED: 'the registry kept failing while cosign verified',
        FILE_NOT_WRITABLE: '--sarif names a file that cannot be written (a directory, a read-only folder)',
        // Raised by the chart fetch's registry client (OCI charts): the registry's summaries.
        REGISTRY_DIGEST_MISMATCH: true,
        REGISTRY_REQUEST_FAILED: true,
        REGISTRY_UNAUTHORIZED: true,
        REGISTRY_UNAVAILABLE: true,
        REGISTRY_UNREACHABLE: true,
        NOTHING_CHECKED:
          'no file fell in a checked zone of the layout used (configured or detected; --print-layout shows why), or --render --require-render found no root and no Helm deployable',
      },
      examples: [
        '<%= config.bin %> <%= command.id %>                            # in the GitOps checkout',
        '<%= config.bin %> <%= command.id %> --env production --evidence --key cosign.pub',
        '<%= config.bin %> <%= command.id %> --rule floating-tag --rule image-not-pinned --json | jq .counts',
        '<%= config.bin %> <%= command.id %> --sarif gitops.sarif      # then github/codeql-action/upload-sarif',
        '<%= config.bin %> <%= command.id %> --render --env staging    # judge what kustomize renders',
      ],
    })
  }

  static override flags = renderingFlags({
    env: Flags.string({
      description: 'Check only these environment overlays (repeatable). Default: all.',
      multiple: true,
      helpValue: 'NAME',
    }),
    rule: Flags.string({
      description: `Report only these rules (repeatable or comma-separated): ${VERIFY_RULE_IDS.join(', ')}.`,
      multiple: true,
      helpValue: 'ID',
    }),
    evidence: Flags.boolean({
      description: 'Also verify, with cosign, the signature, SBOM and provenance of every digest-pinned image.',
      default: false,
    }),
    ...EVIDENCE_IDENTITY_FLAGS,
    cache: cacheFlag(
      "Reuse unchanged files' results from the checkout's git directory (.git/ameide/cache/; never with evidence); --no-cache parses every kept file.",
    ),
    'print-layout': Flags.boolean({
      description: 'Run no rule: list every YAML file with its zone and whether it is checked for pinning (exit 0).',
      default: false,
      exclusive: ['evidence', 'sarif', 'rule', 'env'],
    }),
    sarif: Flags.string({
      description:
        'Also write the findings as SARIF 2.1.0 (GitHub code scanning) to this file, atomically, whatever the verdict.',
      helpValue: 'FILE',
    }),
    render: Flags.boolean({
      description:
        "Render each environment's roots (kustomize; charts with helm) and judge the rendered objects: images and Kubernetes schema. Default: gitopsPolicy.render.",
      allowNo: true,
    }),
    offline: Flags.boolean({
      description:
        'With --render: request nothing from chart repositories; each chart of one (a HelmRepository, an OCIRepository, an Argo CD remote chart, a dependency not committed) is render-unavailable. Default: charts are fetched from the repositories the checkout declares.',
      default: false,
    }),
    'require-render': Flags.boolean({
      description:
        'With --render: a root or chart that cannot be rendered here (the render module not built, a remote base) is an error.',
      default: false,
    }),
    untrusted: Flags.boolean({
      description:
        "With --render: the checkout is someone else's (a pull request): nothing it names is fetched (each chart of a chart repository is render-unavailable, as with --offline). Default: on in a pull request's GitHub Actions job (or AMEIDE_UNTRUSTED=1).",
      default: false,
    }),
  })

  protected async execute(): Promise<GitopsVerifyResult> {
    const {flags} = await this.parse(GitopsVerify)
    if (flags['print-layout']) {
      const [{printLayout}, {formatLayout}] = await Promise.all([
        import('../../gitops/verify/verify.js'),
        import('../../gitops/verify/format.js'),
      ])
      const root = await resolveRoot(flags.root, GITOPS_ROOT)
      const origin = originRemote(root)
      const {config, gitopsKeys} = await loadConfig(root)
      const policy = withPreviewRepositories(config.gitopsPolicy, await origin)
      const clusters = await clustersOf(flags['argocd-server'])
      const scm = await scmOf(flags)
      const result = await printLayout(root, policy, gitopsKeys, await renderToolVersions(), clusters, scm)
      if (!this.jsonEnabled()) this.log(formatLayout(result.layout!, this.style))
      return result
    }
    const [{parseRules, verifyGitops}, {formatGitopsVerify, gitopsActionsReport}] = await Promise.all([
      import('../../gitops/verify/verify.js'),
      import('../../gitops/verify/format.js'),
    ])
    const rules = parseRules(flags.rule)
    // The evidence module (cosign, registry) loads only when an evidence flag is given.
    const flagged = evidenceFlagged(flags)
    const evidenceSetUp = flagged ? await import('../../gitops/evidence/verifier.js') : undefined
    evidenceSetUp?.checkEvidenceFlags(flags)
    const root = await resolveRoot(flags.root, GITOPS_ROOT)
    const origin = originRemote(root)
    const {config, gitopsKeys} = await loadConfig(root)
    const evidence = await evidenceSetUp?.evidenceFromFlags(flags, {
      insecureRegistries: config.insecureRegistries,
      sigstore: config.signing.sigstore,
      root,
      evidencePolicy: config.evidencePolicy,
    })
    const {parseSourceRepoFlags} = await import('../../gitops/revision/source-repos.js')
    const sourceRepos = parseSourceRepoFlags(flags['source-repo'])
    const progress = await this.progress()
    progress.start(flags.evidence ? 'Checking the GitOps tree and its evidence' : 'Checking the GitOps tree')
    const render =
      (flags.render ?? config.gitopsPolicy.render.enabled)
        ? await renderTools(flags['require-render'], flags.untrusted)
        : undefined
    const clusters = render ? await clustersOf(flags['argocd-server']) : undefined
    const scm = render ? await scmOf(flags) : undefined
    const result = await verifyGitops({
      root,
      policy: withPreviewRepositories(config.gitopsPolicy, await origin),
      gitopsKeys,
      environments: flags.env,
      rules,
      evidence,
      cacheVersion: flags.cache ? this.config.version : undefined,
      render: render && {
        ...render,
        offline: flags.offline,
        sourceRepos,
        reviewed: (await import('../../effects/actions.js')).reviewedBranches(process.env),
        ...(clusters ? {clusters} : {}),
        ...(scm ? {scm} : {}),
      },
    }).finally(() => progress.stop())
    if (flags.sarif !== undefined) {
      const [{writeSarif}, {gitopsSarifInput}] = await Promise.all([
        import('../../sarif/write.js'),
        import('../../gitops/verify/sarif.js'),
      ])
      result.sarif = await writeSarif(flags.sarif, root, gitopsSarifInput(result, this.config.version))
    }
    await reportToActions(process.env, gitopsActionsReport(result))
    if (!this.jsonEnabled()) this.log(formatGitopsVerify(result, this.style))
    if (!this.jsonEnabled() && flags.sarif !== undefined) this.log(`SARIF written to ${flags.sarif}.`)
    if (result.summary === 'fail') this.setExitCode(ExitCode.Failure)
    return result
  }
}

/**
 * The renderers of --render (src/gitops/render/renderers.ts). Where nothing renders (the render module not built, or
 * no engine of it installed here) what would be rendered is required (render-unavailable an error, asked when each is
 * found, after the first render decided the engine), so --render fails closed, never a pass.
 */
async function renderTools(requireRender: boolean, untrusted = false) {
  const {findRenderers} = await import('../../gitops/render/renderers.js')
  const renderers = await findRenderers({untrusted})
  return {...renderers, requireRender: () => requireRender || !renderers.rendersHere()}
}

/** The clusters of --argocd-server (undefined without it): src/gitops/argocd/applicationset/clusters-listing.ts. */
async function clustersOf(flag: string | undefined) {
  const {clustersOfFlag} = await import('../../gitops/argocd/applicationset/clusters-listing.js')
  return clustersOfFlag(flag, process.env)
}

/** GitHub's API for the scmProvider generators (`--scm-provider github`; undefined without it): src/gitops/argocd/applicationset/scm-providers/registry.ts. */
async function scmOf(flags: {'scm-provider'?: string; 'api-url'?: string}) {
  const {scmOfFlag} = await import('../../gitops/argocd/applicationset/scm-providers/registry.js')
  return scmOfFlag(flags['scm-provider'], flags['api-url'], process.env)
}

/** The versions of the render module's Helm and kustomize (null, 'not built': no module), for --print-layout. */
async function renderToolVersions(): Promise<{helm: string | null; kustomize: string | null}> {
  const {kustomize, helm} = await renderTools(false)
  const k = await kustomize.version!().catch(() => null)
  return {helm: (await helm)?.version ?? null, kustomize: k}
}

/**
 * The checkout's origin remote, as git answers it (null: none), asked as soon as the checkout is known: git runs while
 * the configuration and the verify modules load (docs/performance.md, the fixed cost).
 */
function originRemote(root: string): Promise<string | null> {
  return gitRemoteUrl(root).catch(() => null)
}

/** gitopsPolicy.preview.repositories defaults to the GitOps checkout's own origin remote (backlog/520 E). */
function withPreviewRepositories(policy: GitopsPolicy, origin: string | null): GitopsPolicy {
  if (policy.preview.repositories.length > 0 || !origin) return policy
  // A remote URL may carry credentials (https://user:token@host/…); only the repository is compared or printed.
  const repository = origin.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1')
  return {...policy, preview: {...policy.preview, repositories: [repository]}}
}
