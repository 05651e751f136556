import {Flags} from '@oclif/core'

import {cacheFlag} from '../../cache/flag.js'
import {declareHelp, EVIDENCE_READER_CODES, GitopsCommand} from '../../core/base-command.js'
import {loadConfig} from '../../core/config.js'
import {ExitCode} from '../../core/exit-codes.js'
import {redact} from '../../core/secrets.js'
import {GITOPS_ROOT, resolveRoot} from '../../effects/repo-root.js'
import {GITOPS_ROOT_CODES, RENDER_SOURCE_CODES, renderingFlags, SCM_PROVIDER_NAMES} from '../../gitops/flags/index.js'
import {EVIDENCE_IDENTITY_FLAGS, evidenceFlagged} from '../../gitops/evidence/flags.js'
import type {PreviewResult} from '../../gitops/preview/types.js'

export default class GitopsPreview extends GitopsCommand<PreviewResult> {
  static {
    declareHelp(this, {
      summary: "Will this pull request's preview environment come up? Generated, rendered, asked of the registry.",
      description:
        'For one pull request of the code repository (--pr, --head-sha; under GitHub Actions on a pull_request event ' +
        'from GITHUB_EVENT_PATH): every ApplicationSet of the GitOps checkout with a pull-request generator (alone, or ' +
        'in a matrix or merge) is evaluated with the parameters the ApplicationSet controller gives this PR (number, ' +
        'branch, branch_slug, target_branch, target_branch_slug, head_sha, head_short_sha, head_short_sha_7, labels, ' +
        'title and author — an ApplicationSet reading one this PR lacks is a finding), ' +
        "after the generator's labels and filters — a PR they drop is not previewed, with the filter that dropped it. " +
        "Each generated Application is rendered by the render gate of gitops verify --render from the checkout's " +
        'tracked files (the PR supplies only the parameters); every image it pulls, with the value line that set it, ' +
        'is asked of its registry (a manifest HEAD, credentials as publish reads them); with --evidence its ' +
        "signature, SBOM and provenance are judged as gitops verify --evidence judges them, the provenance's commit " +
        "against the head sha. The destination namespace must be created by a Namespace the preview's Applications " +
        'render; the preview-* rules of gitops verify run on the ApplicationSet. A clusters generator beside the ' +
        'pull-request generator (a matrix) is evaluated over the clusters Argo CD lists with --argocd-server and ' +
        'ARGOCD_AUTH_TOKEN; without it, it is not rendered; an scmProvider generator with ' +
        `${SCM_PROVIDER_NAMES}, with --scm-provider <provider> over that API. Exit 0: ready; 1: not ready or not ` +
        'previewed. --markdown FILE writes a pull-request comment. Everything printed from the revision is escaped.',
      errorCodes: {
        INVALID_PULL_REQUEST: 'no --pr/--head-sha (nor a pull_request event), or one is malformed',
        INVALID_USAGE: 'evidence flags without --evidence, or --key with the keyless flags',
        ...RENDER_SOURCE_CODES,
        ...GITOPS_ROOT_CODES,
        CONFIG_INVALID: "the GitOps repository's ameide.yaml is invalid",
        KEYLESS_IDENTITY_MISSING: '--evidence without --key needs an identity regexp and an OIDC issuer',
        COSIGN_NOT_FOUND: '--evidence and cosign is not installed',
        FILE_NOT_WRITABLE: '--markdown names a file that cannot be written',
        REGISTRY_UNREACHABLE: "an image's registry cannot be reached",
        REGISTRY_UNAVAILABLE: 'a registry kept failing (429/5xx/resets) after retries',
        REGISTRY_UNAUTHORIZED: 'a registry refused the credentials',
        // Raised by the shared evidence, registry and render modules this command loads: the registry's summaries.
        ...EVIDENCE_READER_CODES,
        REVISION_UNREADABLE: true,
        TOOL_NOT_FOUND: true,
      },
      examples: [
        '<%= config.bin %> <%= command.id %> --pr 42 --head-sha 0123456789abcdef0123456789abcdef01234567 --label preview',
        '<%= config.bin %> <%= command.id %> --evidence --key cosign.pub --markdown preview.md   # in a pull_request job',
        '<%= config.bin %> <%= command.id %> --pr 42 --head-sha SHA --json | jq .findings',
      ],
    })
  }

  static override flags = renderingFlags({
    pr: Flags.integer({description: 'The pull request number. Default: the pull_request event.', helpValue: 'N'}),
    'head-sha': Flags.string({description: 'Its head commit (40 hex). Default: the event.', helpValue: 'SHA'}),
    branch: Flags.string({description: 'Its head branch. Default: the event.', helpValue: 'NAME'}),
    'target-branch': Flags.string({description: 'Its base branch. Default: the event.', helpValue: 'NAME'}),
    label: Flags.string({
      description: 'A label it carries (repeatable). Default: the event.',
      multiple: true,
      helpValue: 'L',
    }),
    title: Flags.string({
      description: "Its title (Argo CD's `title` parameter). Default: the event.",
      helpValue: 'TEXT',
    }),
    author: Flags.string({
      description: "Its author's login (Argo CD's `author` parameter). Default: the event.",
      helpValue: 'LOGIN',
    }),
    repository: Flags.string({
      description:
        "The repository it is in, its web URL (https://github.com/OWNER/REPO): a pull-request generator of another repository does not list it. Default: the event's base repository; else the one every pull-request generator lists (inferred, said).",
      helpValue: 'URL',
    }),
    evidence: Flags.boolean({
      description: "Judge each image's signature, SBOM and provenance (cosign; the evidencePolicy of ameide.yaml).",
      default: false,
    }),
    ...EVIDENCE_IDENTITY_FLAGS,
    markdown: Flags.string({
      description: 'Also write the answer as a pull-request comment to this file.',
      helpValue: 'FILE',
    }),
    cache: cacheFlag(
      "Remember renders in the checkout's git directory (.git/ameide/cache/): run again with nothing changed, nothing renders. --no-cache renders everything.",
    ),
  })

  protected async execute(): Promise<PreviewResult> {
    const {flags} = await this.parse(GitopsPreview)
    // The template engine starts first, on its own thread (slug warmed: every PR has a branch_slug), while the
    // modules, the configuration, the renderers and the revision are read; not built, it is reported where it is used.
    const {sharedTemplateEngine, TemplateEngineUnavailable} = await import('../../effects/gotemplate/index.js')
    try {
      sharedTemplateEngine({warmSlug: true})
    } catch (e) {
      if (!(e instanceof TemplateEngineUnavailable)) throw e
    }
    const [{pullRequestOf}, {previewGitops}, {formatPreview}, {clustersOfFlag}, {scmOfFlag}] = await Promise.all([
      import('../../gitops/preview/pull-request.js'),
      import('../../gitops/preview/preview.js'),
      import('../../gitops/preview/format.js'),
      import('../../gitops/argocd/applicationset/clusters-listing.js'),
      import('../../gitops/argocd/applicationset/scm-providers/registry.js'),
    ])
    const pullRequest = pullRequestOf(flags, process.env)
    const evidenceSetUp = evidenceFlagged(flags) ? await import('../../gitops/evidence/verifier.js') : undefined
    evidenceSetUp?.checkEvidenceFlags(flags)
    const root = await resolveRoot(flags.root, GITOPS_ROOT)
    const {config} = await loadConfig(root)
    const clusters = await clustersOfFlag(flags['argocd-server'], process.env)
    const scm = await scmOfFlag(flags['scm-provider'], flags['api-url'], process.env)
    const evidence = await evidenceSetUp?.evidenceFromFlags(flags, {
      insecureRegistries: config.insecureRegistries,
      sigstore: config.signing.sigstore,
      root,
      evidencePolicy: config.evidencePolicy,
    })
    const [{findRenderers}, {RegistryClient}] = await Promise.all([
      import('../../gitops/render/renderers.js'),
      import('../../effects/registry/client.js'),
    ])
    // The revision is the GitOps repository's own (the PR supplies parameters only).
    const cacheVersion = flags.cache ? this.config.version : undefined
    const renderers = await findRenderers()
    const registry = new RegistryClient({insecureHosts: config.insecureRegistries, timeoutMs: 15_000})
    const {parseSourceRepoFlags} = await import('../../gitops/revision/source-repos.js')
    const sourceRepos = parseSourceRepoFlags(flags['source-repo'])
    const progress = await this.progress()
    progress.start('Generating the preview')
    const result = await previewGitops({
      root,
      sourceRepos,
      reviewed: (await import('../../effects/actions.js')).reviewedBranches(process.env),
      policy: config.gitopsPolicy,
      pullRequest,
      kustomize: renderers.kustomize,
      helm: renderers.helm,
      registry,
      evidence,
      ...(cacheVersion !== undefined ? {cacheVersion} : {}),
      ...(clusters ? {clusters} : {}),
      ...(scm ? {scm} : {}),
      onStep: (step) => progress.update(step),
    }).finally(() => progress.stop())
    if (flags.markdown !== undefined) {
      const [{writeFileAtomic}, path, {previewMarkdown}] = await Promise.all([
        import('../../effects/atomic-file.js'),
        import('node:path'),
        import('../../gitops/preview/markdown.js'),
      ])
      const markdown = previewMarkdown(result)
      const file = path.resolve(flags.markdown)
      await writeFileAtomic(file, redact(markdown))
      result.markdown = {file, characters: markdown.length}
    }
    if (!this.jsonEnabled()) this.log(formatPreview(result, this.style))
    if (!result.ready) this.setExitCode(ExitCode.Failure)
    return result
  }
}
