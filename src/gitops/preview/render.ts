/**
 * What the preview will run: each generated Application rendered by the render gate (src/gitops/render) from the
 * GitOps revision's manifests, with this PR's parameters only; every image each one pulls with the value line that
 * set it, the namespaces its objects create, and what could not be rendered.
 */
import type {Helm} from '../../effects/helm.js'
import type {Kustomize} from '../../effects/kustomize.js'
import type {ArgoApplication} from '../model/types.js'
import type {RenderCache} from '../render/cache.js'
import {renderGate} from '../gate/gate.js'
import type {PreviewFinding, PreviewSource} from './types.js'

export interface Rendered {
  /** Per Application: each image it pulls (once), with the line that set it. */
  images: Map<string, Array<{ref: string; file: string; line: number}>>
  /** Namespaces a rendered `Namespace` object creates. */
  namespaces: Set<string>
  findings: PreviewFinding[]
}

export async function renderPreview(
  input: PreviewSource & {
    applications: readonly ArgoApplication[]
    kustomize: Kustomize
    helm?: Helm | Promise<Helm | undefined>
    cache?: RenderCache
  },
): Promise<Rendered> {
  const names = new Set(input.applications.map((a) => a.name))
  const out: Rendered = {images: new Map([...names].map((n) => [n, []])), namespaces: new Set(), findings: []}
  if (names.size === 0) return out
  const result = await renderGate({
    root: input.root,
    files: input.files,
    layout: input.layout,
    yaml: input.yaml,
    kustomize: input.kustomize,
    helm: input.helm,
    checkout: input.checkout,
    ...(input.cache ? {cache: input.cache} : {}),
    requireRender: () => true,
    concurrency: 4,
    pullRequest: input.pullRequest,
    ...(input.clusters ? {clusters: input.clusters} : {}),
    ...(input.scm ? {scm: input.scm} : {}),
    onlyApplications: (app) => app.generatedBy?.pullRequest === true && names.has(app.name),
    onRendered: (unit) => {
      for (const o of unit.objects) if (o.kind === 'Namespace' && o.apiVersion === 'v1') out.namespaces.add(o.name)
    },
  })
  for (const image of result.report.images) {
    const list = image.application === undefined ? undefined : out.images.get(image.application)
    if (!list || list.some((i) => i.ref === image.image)) continue
    list.push({ref: image.image, file: image.file, line: image.line})
  }
  for (const f of result.findings) {
    if (f.rule !== 'render-failed' && f.rule !== 'render-unavailable' && f.rule !== 'render-refused') continue
    out.findings.push({
      rule: f.rule === 'render-unavailable' ? 'render-unavailable' : 'render-failed',
      severity: 'error',
      message: f.message,
      ...(f.application ? {application: f.application} : {}),
      file: f.file,
      line: f.line,
    })
  }
  return out
}
