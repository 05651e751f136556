/** `gitops verify --render`: the render gate run on the checkout, its findings and report. */
import type {KeptSteps} from '../memo/store.js'
import {makeLayout} from '../layout/index.js'
import type {RenderGateResult} from '../gate/gate.js'
import {repoRelative} from '../revision/paths.js'
import type {GitopsVerifyInput} from './io.js'
import type {SourceRepositories} from '../revision/source-repos.js'

export async function renderFindings(
  input: GitopsVerifyInput,
  layout: ReturnType<typeof makeLayout>,
): Promise<RenderGateResult> {
  const [
    {renderGate},
    {RenderCache},
    yaml,
    {requireRenderKubernetesVersion},
    {checkoutOf, repositoryUrls},
    {readRevision},
    {pinnedRevisions},
  ] = await Promise.all([
    import('../gate/gate.js'),
    import('../render/cache.js'),
    import('yaml'),
    import('../../core/kubernetes-minors.js'),
    import('../model/context.js'),
    import('../revision/index.js'),
    import('../revision/pinned.js'),
  ])
  requireRenderKubernetesVersion(input.policy)
  const render = input.render!
  // Rendered from a tree of the tracked files (src/gitops/revision), never from the checkout itself; the clone's refs
  // read meanwhile (a source pinned to another ref is read from its commit).
  const [pinned, revision] = await Promise.all([
    pinnedRevisions(input.root, render.reviewed ?? []),
    readRevision(input.root, null, 'render'),
  ])
  let kept: KeptSteps | undefined
  let sources: SourceRepositories | undefined
  try {
    const {SourceRepositories, sourceRepoEntries} = await import('../revision/source-repos.js')
    // An untrusted checkout is its own base: its ameide.yaml names no clone to read (the flag's mappings stand).
    const configured = render.untrusted === true ? undefined : input.policy.sourceRepositories
    // The clone too: a source pinned to another revision of this repository is read from it at that commit.
    sources = new SourceRepositories(sourceRepoEntries(render.sourceRepos ?? [], configured, input.root), input.root)
    const opened =
      input.cacheVersion === undefined ? undefined : (RenderCache.open(input.root, input.cacheVersion) ?? undefined)
    const cache = opened?.at(revision.dir)
    // The template engine's answers and the ApplicationSet expansions kept from earlier runs (with the render cache).
    if (opened && input.cacheVersion !== undefined)
      kept = (await import('../memo/store.js')).openKept(input.root, input.cacheVersion)
    const charts = await chartFetcherFor(input, revision, yaml, opened !== undefined)
    const result = await renderGate({
      root: revision.dir,
      files: revision.files,
      layout,
      yaml,
      environments: input.environments,
      kustomize: render.kustomize,
      helm: render.helm,
      checkout: checkoutOf(
        revision,
        await repositoryUrls(input.root, input.policy.preview.repositories),
        pinned,
        sources,
      ),
      cache,
      charts,
      ...(render.clusters ? {clusters: render.clusters} : {}),
      ...(render.scm ? {scm: render.scm} : {}),
      requireRender: render.requireRender,
      concurrency: render.concurrency ?? 4,
    })
    cache?.save()
    charts.save()
    kept?.save()
    // Renderers' messages name the revision where it is mounted: every path is made repo-relative.
    for (const f of result.findings) f.message = repoRelative(f.message, revision.dir)
    return result
  } finally {
    kept?.close()
    await Promise.all([revision.remove(), sources?.remove()])
  }
}

/** One revision: the checkout declares the chart repositories it may fetch from (it is its own base). */
async function chartFetcherFor(
  input: GitopsVerifyInput,
  revision: {dir: string; files: readonly string[]},
  yaml: typeof import('yaml'),
  cached: boolean,
) {
  const [{ChartFetcher}, {allowListOf}, {chartCacheDir}] = await Promise.all([
    import('../helm/charts/fetcher.js'),
    import('../helm/charts/policy.js'),
    import('../helm/charts/cache.js'),
  ])
  const render = input.render!
  const chartsPolicy = input.policy.charts ?? {fetch: true, repositories: [], insecure: []}
  return new ChartFetcher({
    allow: () => allowListOf(revision.dir, revision.files, yaml, chartsPolicy, input.policy.maxFileBytes),
    policy: chartsPolicy,
    // An untrusted checkout (--untrusted, a pull request's job) has no base: nothing it names is fetched.
    offline: render.offline === true || render.untrusted === true,
    untrusted: render.untrusted === true,
    ...(cached ? {cacheDir: chartCacheDir(input.root)} : {}),
    yaml,
  })
}
