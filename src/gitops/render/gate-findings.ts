/**
 * The findings of one render-gate run about what was not rendered — `render-unavailable` (an error with
 * `--require-render`), `render-failed`, `render-refused` and `render-limit` — each at its site, with the key of its
 * inputs where known (`gitops diff` leaves out of what is incomplete one whose inputs are the same in both revisions).
 */
import {canonicalJson} from '../../core/canonical-json.js'
import type {DependencySite} from '../../effects/helm.js'
import type {Unrenderable} from '../deployables/index.js'
import {finding, RULES, type GitopsFinding} from '../rules/index.js'
import type {RenderCache} from './cache.js'

/** Where a finding is, and what it says. */
export type Site = Pick<Unrenderable, 'file' | 'line' | 'message' | 'environment' | 'application'> & {
  /** A chart dependency it is about (the Chart.yaml line that asked, the repository asked). */
  dependency?: DependencySite
}

export class RenderFindings {
  readonly findings: GitopsFinding[] = []
  readonly inputKeys = new Map<GitopsFinding, string>()

  constructor(
    private readonly requireRender: boolean,
    private readonly cache?: RenderCache,
  ) {}

  unavailable(
    file: string,
    line: number,
    message: string,
    environment: string | null,
    application?: string,
    key?: string,
    dependency?: DependencySite,
  ): void {
    const f = finding(RULES['render-unavailable'], file, {line, column: 1}, message)
    if (this.requireRender) f.severity = 'error'
    this.keep(
      {
        ...f,
        ...(environment ? {environment} : {}),
        ...(application ? {application} : {}),
        ...(dependency ? {dependency} : {}),
      },
      key,
    )
  }

  failed(site: Site, key?: string): void {
    this.record('render-failed', site, key)
  }

  /** Always an error, and always makes a diff incomplete: it carries no input key. */
  refused(site: Site): void {
    this.record('render-refused', site)
  }

  /** A limit reached: an error that makes a diff incomplete, since what the deployable renders is not known. */
  limited(site: Site): void {
    this.record('render-limit', site)
  }

  /** What the deployables could not render, each by its status. */
  unrenderable(list: readonly Unrenderable[]): void {
    for (const u of list) {
      const key =
        u.inputs && this.cache
          ? this.cache.key(
              `unrenderable\0${u.file}\0${u.application ?? ''}`,
              // The declaring file's part is its spec (in the key): not its other bytes (an ApplicationSet's
              // metadata, the key order of a template, an apiVersion).
              u.inputs.reads.filter((f) => f !== u.file),
              canonicalJson({spec: u.inputs.spec, message: u.message}),
            )
          : undefined
      if (u.status === 'failed') this.failed(u, key)
      else if (u.status === 'refused') this.refused(u)
      else if (u.status === 'invalid') this.record('application-invalid', u, key)
      else this.unavailable(u.file, u.line, u.message, u.environment, u.application, key)
    }
  }

  private record(
    rule: 'render-failed' | 'render-refused' | 'render-limit' | 'application-invalid',
    u: Site,
    key?: string,
  ): void {
    const f = finding(RULES[rule], u.file, {line: u.line, column: 1}, u.message)
    this.keep(
      {
        ...f,
        ...(u.environment ? {environment: u.environment} : {}),
        ...(u.application ? {application: u.application} : {}),
        ...(u.dependency ? {dependency: u.dependency} : {}),
      },
      key,
    )
  }

  private keep(f: GitopsFinding, key: string | undefined): void {
    this.findings.push(f)
    if (key !== undefined) this.inputKeys.set(f, key)
  }
}
