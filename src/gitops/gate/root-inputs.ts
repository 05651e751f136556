/**
 * What each kustomize root of the render gate reads (./kustomize.ts builds them): its kustomizations with the options
 * a controller sets over it, its folders' files, links followed, and what the build that prints it reads.
 */
import type {KustomizeUse} from '../model/model.js'
import {imageEntry} from '../argocd/kustomize/kustomize-options.js'
import type {ArgoKustomize, GitArtifact} from '../model/render-inputs.js'
import {artifactToMake, sourceIgnoreFiles} from '../flux/sources/artifact.js'
import type {RenderGateInput} from './types.js'
import {editsNode, reachable} from '../kustomize/kustomizations.js'
import type {RenderPlan, RenderRoot} from '../render/plan-types.js'

/** What each root reads: its kustomizations (with the options over it) and its folders' files, links followed. */
export class RootInputs {
  /** An Application's kustomize options, applied over its root (`dir\0application`). */
  private readonly edits = new Map<string, {fields: Record<string, unknown>; file: string; argo?: ArgoKustomize}>()
  /** What the build that prints a root's Flux Kustomization reads (./flux-kustomizations.ts): it decides the root. */
  private readonly printers = new Map<RenderRoot, readonly string[]>()
  private readonly versions = new Map<string, NonNullable<KustomizeUse['helmVersions']>>()

  constructor(
    private readonly input: Pick<RenderGateInput, 'root' | 'files'>,
    readonly plan: RenderPlan,
    private readonly linked: (paths: readonly string[]) => string[],
  ) {}

  /** The kustomize options of these Applications, for their roots. */
  note(uses: readonly KustomizeUse[]): void {
    for (const k of uses) {
      if (k.edits) this.edits.set(`${k.dir}\0${k.application}`, {fields: k.edits, file: k.editsIn!, argo: k.argo})
      if (k.helmVersions) this.versions.set(`${k.dir}\0${k.application}`, k.helmVersions)
    }
  }

  /** An Application's kube and API versions for the Helm inflation of its root, where its source sets them. */
  helmVersionsOf(r: RenderRoot): KustomizeUse['helmVersions'] {
    return r.via === 'argocd' ? this.versions.get(`${r.dir}\0${r.application ?? ''}`) : undefined
  }

  /** A root planned from a Flux Kustomization a build prints: that build's inputs are the root's too. */
  printedBy(r: RenderRoot, inputs: readonly string[]): void {
    this.printers.set(r, inputs)
  }

  /** The fields set over a root: its Application's kustomize options, or its Flux Kustomization's. */
  editsOf(r: RenderRoot): {fields: Record<string, unknown>; file: string} | undefined {
    if (r.via === 'argocd') return this.edits.get(`${r.dir}\0${r.application ?? ''}`)
    return r.flux && Object.keys(r.flux.edits).length > 0
      ? {fields: r.flux.edits, file: r.declaredIn ?? r.dir}
      : undefined
  }

  /** The images a controller's edits set in the root's own kustomization (Argo CD's `images`, a Kustomization's). */
  controllerImages(r: RenderRoot): ReadonlySet<string> {
    const argo = this.argoOf(r)?.images?.map((i) => imageEntry(i).name) ?? []
    const flux = r.flux?.generate?.images
    const named = (Array.isArray(flux) ? flux : []).map((i: unknown) => (isDoc(i) ? String(i.name ?? '') : ''))
    return new Set([...argo, ...named].filter((n) => n !== ''))
  }

  /** An Application's kustomize options as the render module applies them, for its root. */
  argoOf(r: RenderRoot): ArgoKustomize | undefined {
    return r.via === 'argocd' ? this.edits.get(`${r.dir}\0${r.application ?? ''}`)?.argo : undefined
  }

  /** A root's kustomizations, with what its options add (components, patches). */
  nodesOf(r: RenderRoot) {
    const e = this.editsOf(r)
    return reachable(
      this.plan.kustomizations,
      r.dir,
      e ? editsNode(this.input.root, this.input.files, r.dir, e.file, e.fields) : undefined,
    )
  }

  /** A Flux root's GitRepository artifact, made before its build when it may leave out a file the build reads. */
  artifactOf(r: RenderRoot): GitArtifact | undefined {
    return artifactToMake(r.artifact, this.input.files, () => this.inputsOf(r))
  }

  inputsOf(r: RenderRoot): string[] {
    const nodes = this.nodesOf(r)
    // A kustomization that cannot be read may include any folder: what the root reads is the whole revision.
    if (nodes.some((n) => n.unreadable !== undefined)) return [...this.input.files]
    const dirs = nodes.map((n) => n.dir)
    return [
      ...new Set([
        ...nodes.flatMap((n) => [n.file, ...n.files]),
        // What a GitRepository's artifact leaves out is decided by every `.sourceignore` of the revision.
        ...(r.artifact ? sourceIgnoreFiles(this.input.files) : []),
        ...this.input.files.filter((f) => dirs.some((d) => d === '' || f.startsWith(`${d}/`))),
        ...this.linked(dirs),
        ...(this.printers.get(r) ?? []),
      ]),
    ]
  }
}

const isDoc = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)
