/**
 * An Argo CD directory source in the render gate: refused when it could read outside the revision, unavailable
 * when it holds a submodule, else read as Argo CD reads it (./directory.ts) and judged.
 */
import {canonicalJson} from '../../core/canonical-json.js'
import type {DirectoryDeployable} from '../deployables/index.js'
import {renderDirectory} from './directory.js'
import type {DirectoryStatus, GateContext} from './gate-types.js'
import {gitlinksUnder, gitlinkText} from './refusals.js'
import type {RenderRoot} from './roots.js'

/** One Argo CD directory source, read as the repo-server reads it (no tool runs), judged like a render. */
export async function renderOneDirectory(ctx: GateContext, d: DirectoryDeployable): Promise<void> {
  const {input, out, report, refusals, judge, apps, covered, linked, skipUnless} = ctx
  const inputs = [...new Set([...d.manifests, ...d.reads])]
  const root: RenderRoot = {
    dir: d.dir,
    environment: d.environment,
    via: 'argocd',
    declaredIn: d.file,
    application: d.application,
  }
  const status: DirectoryStatus = {
    application: d.application,
    dir: d.dir,
    environment: d.environment,
    declaredIn: d.file,
    status: 'rendered',
    objects: 0,
  }
  report.directories.push(status)
  const site = {file: d.file, line: d.line, environment: d.environment, application: d.application}
  if (refusals.check(`Application ${d.application}: folder ${d.dir || '.'}`, [d.dir, ...inputs], site)) {
    status.status = 'refused'
    return
  }
  const source = (d.spec as {source?: {directory?: {recurse?: unknown}}} | null)?.source
  const submodules = gitlinksUnder(input.checkout.gitlinks, [d.dir], source?.directory?.recurse !== true)
  if (submodules.length > 0) {
    status.status = 'unavailable'
    out.unavailable(
      d.file,
      d.line,
      `Application ${d.application}: directory source ${d.dir || '.'}: ${gitlinkText(submodules)}`,
      d.environment,
      d.application,
      input.cache?.key(`gitlink\0${d.file}\0${d.application}`, inputs, JSON.stringify({d: d.spec, submodules})),
    )
    return
  }
  const key = input.cache?.key(
    `directory\0${d.file}\0${d.application}\0${d.dir}`,
    [...inputs, ...linked([d.dir, ...inputs])].filter((f) => f !== d.file || d.manifests.includes(f)),
    canonicalJson({spec: d.spec}),
  )
  const unit = {kind: 'directory' as const, dir: d.dir, environment: d.environment, application: d.application}
  if (key !== undefined && skipUnless?.(() => d.manifests)(unit, key)) {
    status.status = 'skipped'
    return
  }
  const result = renderDirectory(d, input.root, input.yaml)
  if (!result.ok) {
    status.status = 'failed'
    out.failed(
      {
        file: d.file,
        line: d.line,
        message: `Application ${d.application}: directory source ${d.dir || '.'} does not render: ${result.message}`,
        environment: d.environment,
        application: d.application,
      },
      key,
    )
    return
  }
  for (const f of inputs) covered.add(f)
  status.objects = result.objects.length
  input.onRendered?.({...unit, declaredIn: d.file, objects: result.objects})
  apps.collect(undefined, () => result.objects, root)
  await judge.judge(result.objects, root, d.file)
}
