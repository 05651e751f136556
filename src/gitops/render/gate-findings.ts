/**
 * The findings of one render-gate run about what was not rendered — `render-unavailable` (an error with
 * `--require-render`), `render-failed`, `render-refused` and `render-limit` — each at its site, with the key of its
 * inputs where known (`gitops diff` leaves out of what is incomplete one whose inputs are the same in both revisions).
 */
import {canonicalJson} from '../../core/canonical-json.js'
import type {DependencySite} from '../../effects/helm.js'
import type {Unrenderable} from '../model/model.js'
import {finding, RULES, type GitopsFinding} from '../rules/index.js'
import type {RenderCache} from './cache.js'
import {NotRendered, type BuildInputs} from './not-rendered.js'

/** Where a finding is, and what it says. */
export type Site = Pick<Unrenderable, 'file' | 'line' | 'message' | 'environment' | 'application'> & {
  /** A chart dependency it is about (the Chart.yaml line that asked, the repository asked). */
  dependency?: DependencySite
}

/**
 * What a not-rendered finding is about, which every producer must say (`gitops diff` leaves out of what is incomplete
 * one whose inputs are the same in both revisions): the inputs themselves — `id` what it is, `reads` the repo-relative
 * files it would read, `extra` the rest (its spec, the message, the tools) —, the key its render was cached under, or
 * `unknown` (what it would read cannot be said: it always makes a diff incomplete).
 */
export type About = {id: string; reads: readonly string[]; extra: string} | {renderKey: string | undefined} | 'unknown'

export class RenderFindings {
  readonly findings: GitopsFinding[] = []
  /** Each not-rendered finding with the inputs of what it is about (the only way one is kept). */
  readonly notRendered: NotRendered[] = []

  constructor(
    /** render-unavailable is an error (asked as each is found: whether anything renders is known after a render). */
    private readonly requireRender: () => boolean,
    private readonly cache?: RenderCache,
    /** The files an in-bounds link among some paths resolves to (inputs of whatever reads through the link). */
    private readonly linked: (paths: readonly string[]) => string[] = () => [],
  ) {}

  /** render-unavailable: outside what the gate reads (an error with `--require-render`). */
  unavailable(site: Site, about: About): void {
    const f = finding(RULES['render-unavailable'], site.file, {line: site.line, column: 1}, site.message)
    if (this.requireRender()) f.severity = 'error'
    this.keep(this.placed(f, site), about)
  }

  failed(site: Site, about: About): void {
    this.record('render-failed', site, about)
  }

  /** Always an error, and always makes a diff incomplete: no inputs make it untouched. */
  refused(site: Site): void {
    this.record('render-refused', site, undefined)
  }

  /** A limit reached: an error that always makes a diff incomplete, since what the deployable renders is not known. */
  limited(site: Site): void {
    this.record('render-limit', site, undefined)
  }

  /** A root ameide.yaml names that holds no kustomization (the base's policy in both revisions: about its folder). */
  missingRoot(folder: string, message: string): void {
    const f = finding(RULES['render-failed'], folder, {line: 0, column: 0}, message)
    this.keep(f, {id: `missing-root\0${folder}`, reads: [], extra: message})
  }

  /** What the deployables could not render, each by its status, about its spec and the files it would read. */
  unrenderable(list: readonly Unrenderable[]): void {
    for (const u of list) {
      // The declaring file's part is its spec (in the key): not its other bytes (an ApplicationSet's metadata, the key
      // order of a template, an apiVersion). A link among its files is read through: its target is an input too.
      const reads = u.inputs === 'unknown' ? [] : u.inputs.reads.filter((f) => f !== u.file)
      const about: About =
        u.inputs === 'unknown'
          ? 'unknown'
          : {
              id: `unrenderable\0${u.file}\0${u.application ?? ''}`,
              reads: [...reads, ...this.linked(reads)],
              extra: canonicalJson({spec: u.inputs.spec, message: u.message}),
            }
      if (u.status === 'failed') this.failed(u, about)
      else if (u.status === 'refused') this.refused(u)
      else if (u.status === 'invalid') this.record('application-invalid', u, about)
      else this.unavailable(u, about)
    }
  }

  private record(
    rule: 'render-failed' | 'render-refused' | 'render-limit' | 'application-invalid',
    site: Site,
    about: About | undefined,
  ): void {
    this.keep(this.placed(finding(RULES[rule], site.file, {line: site.line, column: 1}, site.message), site), about)
  }

  private placed(f: GitopsFinding, site: Site): GitopsFinding {
    return {
      ...f,
      ...(site.environment ? {environment: site.environment} : {}),
      ...(site.application ? {application: site.application} : {}),
      ...(site.dependency ? {dependency: site.dependency} : {}),
    }
  }

  /** The one place a finding's inputs are decided: without `about`, a refusal or a limit (unknowable). */
  private keep(f: GitopsFinding, about: About | undefined): void {
    this.findings.push(f)
    this.notRendered.push(new NotRendered(f, this.inputsOf(f, about)))
  }

  private inputsOf(f: GitopsFinding, about: About | undefined): BuildInputs {
    if (about === undefined) return {unknowable: f.rule === 'render-limit' ? 'limit' : 'refused'}
    const key = about === 'unknown' ? undefined : 'renderKey' in about ? about.renderKey : this.keyOf(about)
    return key === undefined ? {unknowable: 'inputs-unknown'} : {key}
  }

  private keyOf(about: {id: string; reads: readonly string[]; extra: string}): string | undefined {
    return this.cache?.key(about.id, about.reads, about.extra)
  }
}
