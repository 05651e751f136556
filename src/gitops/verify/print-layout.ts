/** `gitops verify --print-layout`: where each YAML file falls, and the render roots, in the verify result's shape. */
import {walkOrder} from '../argocd/directory/directory.js'
import {listFiles} from '../revision/files.js'
import {describeLayout, makeLayout, type GitopsPolicy} from '../layout/index.js'
import {settleLayout} from '../layout/detect.js'
import type {RegisteredClusters, ScmProviderApi} from '../model/types.js'
import {settled} from '../argocd/applicationset/scm-providers/listing.js'
import type {GitopsVerifyResult} from './io.js'

/** `--print-layout`: where each YAML file falls, in the verify result's shape (pass, no rules, no findings). */
export async function printLayout(
  root: string,
  configured: GitopsPolicy,
  gitopsKeys: readonly string[],
  tools?: {helm: string | null; kustomize: string | null},
  clusters?: RegisteredClusters,
  scm?: ScmProviderApi,
): Promise<GitopsVerifyResult> {
  const files = await listFiles(root)
  const {policy, detection} = settleLayout(root, files, configured, gitopsKeys)
  const layout = describeLayout(policy, files)
  layout.detection = detection
  const [
    {argoRoot, planRender},
    {findDeployables, checkoutOf, repositoryUrls},
    {describeApplicationSets},
    {readRevision},
    yaml,
  ] = await Promise.all([
    import('../gate/roots.js'),
    import('../deployables/index.js'),
    import('../argocd/applicationset/checkout.js'),
    import('../revision/index.js'),
    import('yaml'),
  ])
  const shape = makeLayout(policy)
  // What would render is read from the revision (src/gitops/revision), never from the checkout itself.
  const revision = await readRevision(root, null, 'layout')
  let deployables
  try {
    const checkout = checkoutOf(revision, await repositoryUrls(root, policy.preview.repositories))
    deployables = await settled(scm, () =>
      findDeployables({
        root: revision.dir,
        files: revision.files,
        layout: shape,
        yaml,
        checkout,
        ...(clusters ? {clusters} : {}),
        ...(scm ? {scm} : {}),
      }),
    )
    // The render's roots, as the layout lists them: without the destination namespace the render applies.
    const deployed = deployables.kustomize
      .filter((k) => k.tree === undefined)
      .map((k) => argoRoot({...k, namespace: undefined}))
    layout.renderRoots = planRender(revision.dir, revision.files, shape, yaml, undefined, deployed).roots
  } finally {
    await revision.remove()
  }
  layout.renderDeployables = deployables.helm.map((d) => ({
    application: d.application,
    kind: d.kind,
    chart: d.chart,
    environment: d.environment,
    declaredIn: d.file,
  }))
  layout.renderDirectories = deployables.directory.map((d) => ({
    application: d.application,
    dir: d.dir,
    environment: d.environment,
    declaredIn: d.file,
    files: [...d.manifests, ...(d.jsonnet?.files ?? [])].sort(walkOrder),
  }))
  if (tools) layout.renderTools = tools
  layout.applicationSets = describeApplicationSets(deployables.applicationSets)
  return {
    summary: 'pass',
    environments: layout.environments,
    rules: [],
    findings: [],
    counts: {},
    files: {checked: layout.files.filter((f) => f.zone !== null).length, skipped: []},
    layout,
  }
}
