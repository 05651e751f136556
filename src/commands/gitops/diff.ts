import {Flags} from '@oclif/core'

import {cacheFlag} from '../../cache/flag.js'
import {declareHelp, EVIDENCE_READER_CODES, GitopsCommand} from '../../core/base-command.js'
import {loadConfig} from '../../core/config.js'
import {parseEnvironment} from '../../core/environment.js'
import {ExitCode} from '../../core/exit-codes.js'
import {redact} from '../../core/secrets.js'
import {GITOPS_ROOT, resolveRoot} from '../../effects/repo-root.js'
import {GITOPS_ROOT_CODES, RENDER_SOURCE_CODES, renderingFlags, SCM_PROVIDER_NAMES} from '../../gitops/flags/index.js'
import type {GitopsDiffResult} from '../../gitops/diff/types.js'

export default class GitopsDiff extends GitopsCommand<GitopsDiffResult> {
  static {
    declareHelp(this, {
      summary:
        'What a change does to what Argo CD and Flux deploy: Applications, objects, images and verdicts, offline.',
      description:
        'Renders two revisions of a GitOps checkout with the render gate of gitops verify --render (kustomize roots, ' +
        'Argo CD Applications — those ApplicationSets generate included — and Flux HelmReleases, charts with helm) and ' +
        'compares them per environment: Applications added and removed, deployables and objects added, removed and ' +
        'changed; directory sources (plain manifests), .argocd-source overrides, Applications other Applications ' +
        'render (app of apps) and Flux Kustomizations over plain folders render too, ApplicationSet clusters ' +
        'generators over the clusters Argo CD lists with --argocd-server (and ARGOCD_AUTH_TOKEN; read once, for both ' +
        'revisions; a list that cannot be read fails those generators), ApplicationSet scmProvider generators with ' +
        `${SCM_PROVIDER_NAMES} over the repositories that API lists with --scm-provider <provider> ` +
        "(--api-url and the provider's token; an API failure fails them), in the layout gitops verify uses " +
        '(configured or detected), jsonnet with the render module, charts of the chart repositories the base declares; ' +
        'plugins (and charts from repositories the base does not declare) do not, and make the diff incomplete only ' +
        'when the change touches them. Per deployable: objects added, removed and ' +
        'changed (a unified diff of each object, keys in a stable order), every image that moves (from → to, pinned or ' +
        'not, the line that decided it), and the findings the change fixes and introduces. --base defaults to the ' +
        'merge-base of HEAD with the default branch (under GitHub Actions the pull request base, GITHUB_BASE_REF; else ' +
        'origin/HEAD, origin/main, origin/master, main, master); ' +
        "--head to the working tree's tracked files. Each revision's tracked files are written into a temporary folder " +
        '(a commit from git objects, never checked out): the checkout, its index and HEAD are never touched. Only what ' +
        'the change can affect renders: a ' +
        'deployable whose inputs (blob ids, spec, renderers) are the same in both revisions renders in neither; one ' +
        "render cache under the checkout's git directory holds both revisions, so a second run renders nothing. The data " +
        'of Secrets (and of the kinds gitopsPolicy.diff.maskKinds names) is masked: a changed value shows as changed, ' +
        'never printed. Objects whose only change is chart-bump metadata (helm.sh/chart, app.kubernetes.io/version, ' +
        "checksum/*) or lies where the base's ignore rules point (gitopsPolicy.diff.ignore, the base Applications' " +
        'ignoreDifferences) are folded: counted and listed in every output, out of --exit-code; any other change shows ' +
        'the object in full. The policy (masking, zones, rules, the layout keys) is the ameide.yaml of the BASE revision: a ' +
        'head that changes ameide.yaml is reported in every output with the change shown, never applied to its own ' +
        "review. A change to a field the API server refuses to update (a workload's selector, a Job's template, a " +
        "PVC's spec but storage growth, an immutable ConfigMap's data…) is update-refused, shown first, unless " +
        "Argo CD's Replace=true or Flux's force replaces the object; a removed object says whether its controller " +
        'prunes it. Exit 0: compared (changed or not); 1: something could not be rendered in either revision (the ' +
        'diff is incomplete, listed first, never an empty diff), or with --exit-code the deployed objects differ (as ' +
        'git diff --exit-code). --markdown FILE writes a pull-request comment (at most 65,536 characters: the summary ' +
        'first, long diffs folded, cut with a note); --markdown-parts DIR the same as several comments, none cut; under ' +
        'GitHub Actions the Markdown goes to $GITHUB_STEP_SUMMARY.' +
        '\n\n' +
        "Safe on a pull request's revision: rendering a revision reads only that revision's tracked files, reaches no " +
        'network, runs none of its code, and prints no secret; what it refuses is a named finding that fails the run, ' +
        'never a silent pass or "no change". Its strings cannot forge the output: they form no GitHub Actions workflow ' +
        "command (a text that would is printed between the runner's stop-commands markers with a random token; --json " +
        'escapes the command characters in strings), terminal controls are shown escaped, and the Markdown is escaped ' +
        '(no mention, HTML or link; code fences it cannot close). Run it on pull_request with a read-only token and comment from a separate workflow: docs/security.md.',
      errorCodes: {
        INVALID_ENVIRONMENT: '--env is not an environment name',
        ...RENDER_SOURCE_CODES,
        BASE_NOT_FOUND: '--base names no commit (exit 2), or no default branch / merge-base to compare with (exit 3)',
        REVISION_NOT_FOUND: '--head names no commit',
        REVISION_UNREADABLE: 'a revision could not be read from git objects (a shallow or partial clone)',
        ...GITOPS_ROOT_CODES,
        CONFIG_INVALID: "the base revision's ameide.yaml is invalid (the head's is reported, not fatal)",
        FILE_NOT_WRITABLE: '--markdown names a file (or --markdown-parts a folder) that cannot be written',
        TOOL_NOT_FOUND: true,
        // Raised by the chart fetch (registry client, cosign for Flux's spec.verify) this command loads: their summaries.
        ...EVIDENCE_READER_CODES,
        COSIGN_NOT_FOUND: true,
        KEYLESS_IDENTITY_MISSING: true,
        REGISTRY_UNAUTHORIZED: true,
        REGISTRY_UNAVAILABLE: true,
        REGISTRY_UNREACHABLE: true,
      },
      examples: [
        '<%= config.bin %> <%= command.id %>                               # the working tree against its merge-base',
        '<%= config.bin %> <%= command.id %> --base origin/main --head HEAD --markdown diff.md',
        '<%= config.bin %> <%= command.id %> --env production --json | jq .images',
      ],
    })
  }

  static override flags = renderingFlags({
    base: Flags.string({
      description: 'The revision to compare from. Default: the merge-base of HEAD with the default branch.',
      helpValue: 'REV',
    }),
    head: Flags.string({
      description: 'The revision to compare to. Default: the working tree.',
      helpValue: 'REV',
    }),
    env: Flags.string({
      description: 'Compare only these environments (repeatable). Default: all.',
      multiple: true,
      helpValue: 'NAME',
    }),
    markdown: Flags.string({
      description: 'Also write the diff as a pull-request comment (Markdown, at most 65,536 characters) to this file.',
      helpValue: 'FILE',
    }),
    'markdown-parts': Flags.string({
      description:
        'Also write the diff as pull-request comments, none cut: DIR/comment-1.md, comment-2.md, … each within 65,536 characters with room for a marker (scripts/action/comment.mjs posts them as one marked comment per part, updated in place).',
      helpValue: 'DIR',
    }),
    'exit-code': Flags.boolean({
      description: 'Exit 1 when the deployed objects differ, as git diff --exit-code does.',
      default: false,
    }),
    offline: Flags.boolean({
      description:
        'Request nothing from chart repositories: each chart of one (a HelmRepository, an OCIRepository, an Argo CD remote chart, a dependency not committed) is render-unavailable. Default: charts are fetched, only from the repositories the base revision declares.',
      default: false,
    }),
    cache: cacheFlag(
      "Reuse renders from the checkout's git directory (.git/ameide/cache/); --no-cache neither reads nor writes it (what did not change is still not rendered).",
    ),
  })

  protected async execute(): Promise<GitopsDiffResult> {
    const {flags} = await this.parse(GitopsDiff)
    const environments = flags.env?.map((e) => parseEnvironment(e))
    const root = await resolveRoot(flags.root, GITOPS_ROOT)
    const {clustersOfFlag} = await import('../../gitops/argocd/applicationset/clusters-listing.js')
    const clusters = await clustersOfFlag(flags['argocd-server'], process.env)
    const {scmOfFlag} = await import('../../gitops/argocd/applicationset/scm-providers/registry.js')
    const scm = await scmOfFlag(flags['scm-provider'], flags['api-url'], process.env)
    const {parseSourceRepoFlags} = await import('../../gitops/revision/source-repos.js')
    const sourceRepos = parseSourceRepoFlags(flags['source-repo'])
    // The policy is the base revision's ameide.yaml (read by diffGitops), never the checkout's: a pull request
    // cannot loosen the policy that reviews it.
    const [{diffGitops}, {findRenderers}, {renderMarkdown}, {formatGitopsDiff}, {inActions, reviewedBranches}] =
      await Promise.all([
        import('../../gitops/diff/diff.js'),
        import('../../gitops/render/renderers.js'),
        import('../../gitops/diff/markdown.js'),
        import('../../gitops/diff/format.js'),
        import('../../effects/actions.js'),
      ])
    // The base is a commit, the head often someone else's: both are untrusted, neither names what is fetched.
    const renderers = await findRenderers({untrusted: true})
    const progress = await this.progress()
    progress.start('Rendering both revisions')
    const result = await diffGitops({
      root,
      readConfig: loadConfig,
      base: flags.base,
      head: flags.head,
      ...(inActions(process.env) && process.env.GITHUB_BASE_REF ? {baseRef: process.env.GITHUB_BASE_REF} : {}),
      reviewed: reviewedBranches(process.env),
      environments,
      kustomize: renderers.kustomize,
      helm: renderers.helm,
      cacheVersion: this.config.version,
      useCache: flags.cache,
      offline: flags.offline,
      ...(clusters ? {clusters} : {}),
      ...(scm ? {scm} : {}),
      sourceRepos,
      concurrency: 4,
      onStep: (step) => progress.update(step),
    }).finally(() => progress.stop())
    const {markdown, truncated} = renderMarkdown(result)
    if (flags.markdown !== undefined) {
      const [{writeFileAtomic}, path] = await Promise.all([import('../../effects/atomic-file.js'), import('node:path')])
      const file = path.resolve(flags.markdown)
      await writeFileAtomic(file, redact(markdown))
      result.markdown = {file, characters: markdown.length, truncated}
    }
    if (flags['markdown-parts'] !== undefined) {
      const [{renderMarkdownParts}, {writeCommentParts}] = await Promise.all([
        import('../../gitops/diff/markdown-parts.js'),
        import('../../effects/comment-parts.js'),
      ])
      result.markdownParts = await writeCommentParts(flags['markdown-parts'], renderMarkdownParts(result))
    }
    const {appendStepSummary} = await import('../../effects/actions.js')
    await appendStepSummary(process.env, redact(`${markdown}\n`))
    if (!this.jsonEnabled()) {
      this.log(formatGitopsDiff(result, this.style))
      if (result.markdown)
        this.log(`\nMarkdown written to ${flags.markdown} (${result.markdown.characters} characters).`)
    }
    if (result.summary === 'incomplete' || (flags['exit-code'] && result.summary === 'changed')) {
      this.setExitCode(ExitCode.Failure)
    }
    return result
  }
}
