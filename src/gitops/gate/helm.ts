/**
 * A wave's Helm deployables in the render gate: unavailable without the render module, else rendered (./helm.ts) and judged, and
 * each failure a finding by its kind (limit, refusal, unavailable, failed).
 */
import {canonicalJson} from '../../core/canonical-json.js'
import {kubernetesMinorOf} from '../../core/kubernetes-minors.js'
import type {HelmDeployable} from '../model/model.js'
import type {GateContext} from './types.js'
import {
  renderHelm,
  statusOf,
  type HelmRendered,
  type HelmRenderOptions,
  type HelmStatus,
  type PreparedChart,
} from '../helm/render.js'
import {filesWithPrefix} from '../revision/paths.js'
import {MODULE_NOT_BUILT} from '../render/unbuilt.js'

/** One wave's Helm deployables through helm (./helm.ts), their findings and statuses in the report. */
export async function renderHelmWave(ctx: GateContext, list: HelmDeployable[]): Promise<void> {
  const helmTool = ctx.helm
  if (!helmTool) return notRendered(ctx, list)
  const helm = await renderHelm(list, ctx.judge, helmOptions(ctx, helmTool))
  ctx.report.deployables.push(...helm.statuses)
  for (const f of helm.covered) ctx.covered.add(f)
  for (const failure of helm.failures) recordFailure(ctx, failure)
}

/** Without the render module: each deployable an `unavailable` finding, its status unavailable. */
function notRendered(ctx: GateContext, list: HelmDeployable[]): void {
  for (const d of list) {
    const message = `${d.kind} ${d.application}: chart ${d.chart || '.'} is not rendered: ${MODULE_NOT_BUILT}; so its rendered images and schema are not judged.`
    ctx.out.unavailable(
      {file: d.file, line: d.line, message, environment: d.environment, application: d.application},
      {
        id: `helm\0${d.file}\0${d.application}`,
        reads: [...chartFilesOf(ctx, d), ...d.valueFiles, ...d.setFile.map((f) => f.path), ...d.reads],
        extra: canonicalJson({spec: d.spec}),
      },
    )
    ctx.report.deployables.push(unrendered(d, 'unavailable'))
  }
}

/**
 * How the gate renders charts: the checkout, the policy's Kubernetes version and API versions, the cache, charts
 * prepared from repositories, `skip` for gitops diff, and each rendered deployable told and collected.
 */
function helmOptions(ctx: GateContext, helmTool: NonNullable<GateContext['helm']>): HelmRenderOptions {
  const {input, apps, linked, skipUnless, toolVersions} = ctx
  const policy = input.layout.policy.render
  const chartFiles = (d: HelmDeployable) => chartFilesOf(ctx, d)
  return {
    root: input.root,
    files: input.files,
    yaml: input.yaml,
    helm: helmTool,
    kubeVersion: (environment) => `${kubernetesMinorOf(input.layout.policy, environment)}.0`,
    apiVersions: policy.apiVersions,
    cache: input.cache,
    prepare: (d) => prepareChart(ctx, d),
    toolVersions,
    crds: ctx.crds,
    concurrency: input.concurrency,
    extraFloatingTags: input.layout.policy.extraFloatingTags,
    linked,
    ...(skipUnless
      ? {
          skip: (d: HelmDeployable, key: string) =>
            skipUnless(() => chartFiles(d))(
              {kind: d.kind, dir: d.chart, environment: d.environment, application: d.application},
              key,
            ),
        }
      : {}),
    onRendered: (d, objects, text) => {
      input.onRendered?.({
        kind: d.kind,
        dir: d.chart,
        environment: d.environment,
        application: d.application,
        declaredIn: d.file,
        objects: objects(),
      })
      apps.collect(text, objects, {
        dir: d.chart,
        environment: d.environment,
        via: d.kind === 'HelmRelease' ? 'flux' : 'argocd',
        declaredIn: d.file,
        application: d.application,
      })
    },
  }
}

/** The files of a Helm deployable's chart folder in the revision (none: the chart is another tree's). */
function chartFilesOf(ctx: GateContext, d: HelmDeployable): string[] {
  return d.tree ? [] : filesWithPrefix(ctx.input.files, d.chart ? `${d.chart}/` : '')
}

/** A chart that did not render, as the finding of its kind: a limit, a refusal, unavailable, or failed. */
function recordFailure(ctx: GateContext, failure: HelmRendered['failures'][number]): void {
  const {out} = ctx
  const {deployable: d, message, unavailable: isUnavailable, refused: isRefused, limit, key, dependency} = failure
  const text = `helm template of chart ${d.chart || '.'} for ${d.kind} ${d.application}${d.environment ? ` (environment ${d.environment})` : ''} failed: ${message}`
  const site = {
    file: d.file,
    line: d.line,
    environment: d.environment,
    application: d.application,
    ...(dependency ? {dependency} : {}),
  }
  if (limit) out.limited({...site, message: `${d.kind} ${d.application}: chart ${d.chart || '.'}: ${message}`})
  else if (isRefused)
    out.refused({...site, message: `${d.kind} ${d.application}: chart ${d.chart || '.'} is refused: ${message}`})
  else if (isUnavailable) out.unavailable({...site, message: text}, {renderKey: key})
  else if (key !== undefined && ctx.apps.mayHoldApplications(chartFilesOf(ctx, d))) {
    // An app of apps that does not render: the Applications it prints are unknown, over any folder of the revision.
    const unknown = `${text}; the Applications it renders are unknown in this revision, so any change may reach them`
    out.failed({...site, message: unknown}, {id: `app-of-apps\0${key}`, reads: ctx.input.files, extra: key})
  } else out.failed({...site, message: text}, {renderKey: key})
}

/**
 * What a deployable's chart needs from chart repositories (src/gitops/helm/charts): planned now (allowed? which version?),
 * fetched only when it renders. Without a fetcher a remote chart is render-unavailable, as before charts were fetched.
 */
async function prepareChart(ctx: GateContext, d: HelmDeployable): Promise<PreparedChart | undefined> {
  const {charts, root, files} = ctx.input
  if (!charts) {
    if (!d.remote) return undefined
    const message = `chart ${d.remote.name} comes from ${d.remote.source}, outside the checkout: the gate does not fetch charts here, so what it renders is not judged (its values here are still checked as source).`
    return {key: 'not fetched', materialize: () => Promise.resolve({ok: false, unavailable: true, message})}
  }
  const plan = await charts.plan(d, root, files)
  return plan && {key: plan.key, materialize: () => charts.materialize(d, plan, root, files)}
}

/** The report's entry for a Helm deployable that is not rendered. */
export const unrendered = (d: HelmDeployable, status: 'refused' | 'unavailable'): HelmStatus => statusOf(d, status, 0)
