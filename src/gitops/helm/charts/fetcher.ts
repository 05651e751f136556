/**
 * Remote charts, planned then fetched. `plan` decides, before anything is requested, what one Helm deployable needs:
 * its chart (a `remote` one) or its chart's dependencies that live in a chart repository (Chart.lock, `charts/` not
 * committed) — each allowed only when the base declares its repository (./policy.ts), each version resolved as Helm
 * resolves it (./versions.ts; an index is read only for a range). `materialize` then acts: every archive by its
 * digest — from the cache (`<git dir>/ameide/cache/charts/`, re-hashed when read) or fetched once a run
 * (src/effects/chart-repository.ts) and checked against the index's digest (HTTP) or the registry's (OCI) before
 * anything reads it — unpacked untrusted (src/effects/chart-archive.ts) into a fresh folder, which is what helm is
 * given. Per-run bounds: charts and bytes fetched; `fetched` lists what each run used. A Chart.lock is checked as
 * `helm dependency build` checks it (./lock.ts); an OCI chart with Flux's `verify` is verified first (./verify.ts).
 */
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import type {GitopsChartsPolicy} from '../../../core/config.js'
import * as memory from '../../../core/memory-fs/index.js'
import {ArchiveRefused, extractChart} from '../../../effects/chart-archive.js'
import {ChartFetchError, ChartRepository, OciArtifactError} from '../../../effects/chart-repository.js'
import {helmBasicAuth} from '../../../effects/helm-repositories.js'
import type {HelmResult} from '../../../effects/helm.js'
import {CredentialChain, AuthFileCredentials, defaultCredentialSources} from '../../../effects/registry/credentials.js'
import type {YamlModule} from '../../../images/yaml/index.js'
import {parseIndex, type IndexEntry} from './repository-index.js'
import type {HelmDeployable, RemoteChart} from '../../model/model.js'
import {chartLimits, type ChartLimits} from './limits.js'
import {dependenciesOf} from './dependencies.js'
import {semverFiltered} from './oci-source.js'
import {hostOf, isAllowed, type ChartAllowList} from './policy.js'
import {ChartSignatureRefused, ChartUnverifiable, verificationProblem, verifyChart} from './verify.js'
import {isExact, pickVersion} from './versions.js'

/** One chart a run used: JSON `charts` of gitops diff and verify --render. */
export interface FetchedChart {
  repository: string
  name: string
  version: string
  /** The archive's sha256 (HTTP), the manifest's digest (OCI). */
  digest: string
  /** Answered from the chart cache: nothing requested. */
  fromCache: boolean
  /** The range the revision wrote, when it was one. */
  requested?: string
}

/** What asks for charts: a deployable (its remote chart, or its folder's dependencies), a kustomization's chart. */
type ChartOf = Pick<HelmDeployable, 'remote' | 'chart'>
/** One archive to fetch: a chart, or a dependency of a chart of the revision (unpacked into its `charts/`). */
interface Fetch {
  ref: RemoteChart
  version: string
}

export interface ChartPlan {
  fetches: Fetch[]
  /** Why nothing is fetched (the deployable is then not rendered): a failure helm's renderer would give. */
  problem?: HelmResult & {ok: false}
  /** What decides the render besides the revision's files: the versions resolved (part of its render-cache key). */
  key: string
}

export interface ChartFetcherOptions {
  /** The base's repositories (./policy.ts allowListOf: every manifest read), read at the first chart asked for. */
  allow: () => ChartAllowList
  policy: GitopsChartsPolicy
  /** `--offline`: nothing is requested. */
  offline: boolean
  /** `--untrusted` (gitops verify on a pull request's checkout): nothing is requested either, and messages say why. */
  untrusted?: boolean
  /** Folder of the chart cache (archives by digest); undefined: this run only. */
  cacheDir?: string
  yaml: YamlModule
  limits?: ChartLimits
}

const HTTPS_HINT =
  'asked over HTTPS, as Helm and Flux ask every host whose source does not say insecure: a repository that serves plain HTTP needs the base to say so — Flux spec.insecure: true, an Argo CD repository Secret with insecure: "true" — or gitopsPolicy.charts.insecure in ameide.yaml to list its host'

const unavailable = (message: string) => ({ok: false as const, unavailable: true as const, message})

/** How a message names a chart asked for: its name, repository and the object (or Chart.yaml line) that asked. */
const chartAsked = (ref: RemoteChart) => `chart ${ref.name} from ${ref.source} (${ref.via})`

/**
 * A failure about one dependency of a chart, said of it (gitops diff and verify --render alike): its message names
 * the chart, the repository and the Chart.yaml line that asked, and it carries them as `dependency`.
 */
function aboutRef(ref: RemoteChart, failure: HelmResult & {ok: false}): HelmResult & {ok: false} {
  const at = ref.declaredAt
  if (!at) return failure // a chart an object declares: the deployable's own message names it
  const what = chartAsked(ref)
  return {
    ...failure,
    message: failure.message.startsWith(what) ? failure.message : `${what}: ${failure.message}`,
    dependency: {chart: ref.name, repository: ref.source, file: at.file, line: at.line},
  }
}

export class ChartFetcher {
  readonly fetched: FetchedChart[] = []
  private readonly limits: ChartLimits
  private network?: ChartRepository
  private readonly indexes = new Map<string, Promise<Map<string, IndexEntry[]>>>()
  private readonly archives = new Map<string, Buffer>()
  private readonly refs: Record<string, {digest: string; manifestDigest?: string}>
  private spent = {charts: 0, bytes: 0}
  private readonly verifications = new Map<string, Promise<void>>()
  private allowList?: ChartAllowList

  constructor(private readonly options: ChartFetcherOptions) {
    this.limits = options.limits ?? chartLimits()
    this.refs = this.readRefs()
  }

  private get allow(): ChartAllowList {
    return (this.allowList ??= this.options.allow())
  }

  /** HTTP requests sent so far. */
  get requests(): number {
    return this.network?.requests ?? 0
  }

  /** What `d` needs fetched, or undefined when nothing (a chart of the revision with its dependencies committed). */
  async plan(d: ChartOf, root: string, files: readonly string[]): Promise<ChartPlan | undefined> {
    const wanted = d.remote ? [d.remote] : dependenciesOf(this.options.yaml, d, root, files)
    if (wanted === undefined) return undefined
    if ('problem' in wanted)
      return {
        fetches: [],
        problem: wanted.failed ? {ok: false, message: wanted.problem} : unavailable(wanted.problem),
        key: '',
      }
    const fetches: Fetch[] = []
    for (const ref of wanted) {
      const problem = this.refusal(ref)
      if (problem) return {fetches: [], problem: aboutRef(ref, unavailable(problem)), key: ''}
      const version = await this.resolve(ref)
      if (typeof version !== 'string') return {fetches: [], problem: aboutRef(ref, version), key: ''}
      fetches.push({ref, version})
    }
    // A verified chart's key names what it was verified with: a render cached under it was verified so.
    const verifiedWith = (ref: RemoteChart) =>
      ref.verify ? [ref.verify, this.allow.keys.get(`${ref.verify.namespace}/${ref.verify.secretRef}`)] : []
    return {
      fetches,
      key: JSON.stringify(
        fetches.map((f) => [
          f.ref.source,
          f.ref.name,
          f.version,
          f.ref.digest ?? '',
          ...verifiedWith(f.ref),
          ...(f.ref.artifact ? [f.ref.artifact] : []),
        ]),
      ),
    }
  }

  /** The chart folder helm renders: the fetched chart, or a copy of the revision's chart with its dependencies. */
  async materialize(
    d: ChartOf,
    plan: ChartPlan,
    root: string,
    files: readonly string[],
  ): Promise<{dir: string; remove: () => void} | (HelmResult & {ok: false})> {
    if (plan.problem) return plan.problem
    const unpacked: Array<{dir: string; remove: () => void}> = []
    const removeAll = () => unpacked.forEach((u) => u.remove())
    let current: RemoteChart | undefined
    try {
      for (const f of plan.fetches) {
        current = f.ref
        unpacked.push(await this.unpack(f))
      }
      current = undefined
      if (d.remote) return unpacked[0]
      const copy = memory.scratchFolder('chart-copy')
      const chart = path.join(copy, path.posix.basename(d.chart) || 'chart')
      const prefix = d.chart ? `${d.chart}/` : ''
      for (const f of files.filter((f) => f.startsWith(prefix))) {
        const to = path.join(chart, f.slice(prefix.length))
        memory.mkdirSync(path.dirname(to), {recursive: true})
        memory.copyFileSync(path.join(root, f), to)
      }
      plan.fetches.forEach((f, i) => memory.cpSync(unpacked[i].dir, path.join(chart, 'charts', f.ref.name)))
      removeAll()
      return {dir: chart, remove: () => memory.unmount(copy)}
    } catch (error) {
      removeAll()
      return current ? aboutRef(current, this.failure(error)) : this.failure(error)
    }
  }

  /** Writes what the run learned (which digest an exact version is) beside the archives. */
  save(): void {
    if (!this.options.cacheDir) return
    mkdirSync(this.options.cacheDir, {recursive: true})
    writeFileSync(path.join(this.options.cacheDir, 'refs.json'), JSON.stringify(this.refs))
  }

  private refusal(ref: RemoteChart): string | undefined {
    const what = chartAsked(ref)
    if (this.options.untrusted)
      return `${what} is not fetched (--untrusted: the checkout is someone else's, a pull request's, and nothing it names is fetched): what it renders is not judged.`
    if (this.options.offline || !this.options.policy.fetch)
      return `${what} is not fetched (${this.options.offline ? '--offline' : 'gitopsPolicy.charts.fetch is false'}): what it renders is not judged.`
    if (!isAllowed(this.allow, ref.source))
      return `${what}: the base revision does not declare this repository (nor does its ameide.yaml list it in gitopsPolicy.charts.repositories), so nothing is requested from it and the chart is not rendered.`
    return verificationProblem(ref, this.allow)
  }

  /** The version to fetch: as written when exact (nothing requested), else the index's pick. */
  private async resolve(ref: RemoteChart): Promise<string | (HelmResult & {ok: false})> {
    if (ref.type === 'oci') {
      if (ref.digest) return ref.version
      if (isExact(ref.version)) return semverFiltered(ref) ?? ref.version
      return unavailable(
        `chart oci://${ref.repository} asks for the range ${ref.version}: the gate does not list an OCI repository's tags, so it is not rendered (name a version).`,
      )
    }
    if (isExact(ref.version)) return ref.version
    try {
      const entries = (await this.index(ref.repository)).get(ref.name) ?? []
      const picked = pickVersion(
        ref.version,
        entries.map((e) => e.version),
      )
      return picked ?? unavailable(`chart ${ref.name} ${ref.version}: no version in ${ref.source} satisfies it.`)
    } catch (error) {
      return this.failure(error)
    }
  }

  private index(repository: string): Promise<Map<string, IndexEntry[]>> {
    let found = this.indexes.get(repository)
    if (!found) {
      found = this.client()
        .index(repository)
        .then((bytes) => parseIndex(this.options.yaml, bytes, repository))
      this.indexes.set(repository, found)
    }
    return found
  }

  /** One archive, checked and unpacked into a fresh folder; recorded in `fetched`. */
  private async unpack(f: Fetch): Promise<{dir: string; remove: () => void}> {
    const {archive, digest, fromCache} = await this.archive(f)
    if (f.ref.verify && f.ref.type === 'oci') await this.verified(f.ref, digest)
    this.fetched.push({
      repository: f.ref.source,
      name: f.ref.name,
      version: f.version || f.ref.digest || '',
      digest,
      fromCache,
      ...(isExact(f.ref.version) || f.ref.version === '' ? {} : {requested: f.ref.version}),
    })
    return extractChart(archive, this.limits)
  }

  private async archive(f: Fetch): Promise<{archive: Buffer; digest: string; fromCache: boolean}> {
    const layer = f.ref.artifact ? [f.ref.artifact.mediaType ?? '(first)'] : []
    const refKey = [f.ref.type, f.ref.repository, f.ref.name, f.ref.digest ?? f.version, ...layer].join('\0')
    const known = this.refs[refKey]
    const cached = known && this.cached(known.digest)
    if (cached) return {archive: cached, digest: known.manifestDigest ?? known.digest, fromCache: true}
    if (++this.spent.charts > this.limits.chartsPerRun)
      throw new ChartFetchError(`more than ${this.limits.chartsPerRun} charts would be fetched in one run`, 'size')
    const got = f.ref.type === 'oci' ? await this.pullOci(f) : await this.pullHttp(f)
    this.spent.bytes += got.archive.length
    if (this.spent.bytes > this.limits.bytesPerRun)
      throw new ChartFetchError(
        `more than ${this.limits.bytesPerRun} bytes of charts would be fetched in one run`,
        'size',
      )
    const digest = sha256(got.archive)
    this.store(digest, got.archive)
    this.refs[refKey] = {digest, ...(got.manifestDigest ? {manifestDigest: got.manifestDigest} : {})}
    return {archive: got.archive, digest: got.manifestDigest ?? digest, fromCache: false}
  }

  /** Flux's `verify`, once a run for each chart digest and Secret: throws when it does not verify (./verify.ts). */
  private verified(ref: RemoteChart, manifestDigest: string): Promise<void> {
    const key = [
      ref.repository,
      manifestDigest,
      ref.verify?.namespace,
      ref.verify?.secretRef ?? '',
      JSON.stringify(ref.verify?.matchOIDCIdentity),
    ].join('\0')
    let done = this.verifications.get(key)
    if (!done) {
      const host = hostOf(ref.repository)
      const insecure = this.insecureHosts().some((h) => h === host || h === host.replace(/:\d+$/, ''))
      done = verifyChart(ref, manifestDigest, {allow: this.allow, insecure})
      this.verifications.set(key, done)
    }
    return done
  }

  private async pullHttp(f: Fetch): Promise<{archive: Buffer; manifestDigest?: string}> {
    const entry = (await this.index(f.ref.repository)).get(f.ref.name)?.find((e) => e.version === f.version)
    if (!entry) throw new ChartFetchError(`chart ${f.ref.name} ${f.version} is not in ${f.ref.source}/index.yaml`)
    if (!entry.digest)
      throw new ChartFetchError(
        `${f.ref.source}/index.yaml gives chart ${f.ref.name} ${f.version} no digest: it cannot be checked, so it is not fetched`,
      )
    const archive = await this.client().archive(entry.url)
    const got = sha256(archive)
    if (got !== `sha256:${entry.digest.replace(/^sha256:/, '')}`)
      throw new ArchiveRefused(
        `chart ${f.ref.name} ${f.version} from ${entry.url} hashes to ${got}, not the digest ${entry.digest} its repository's index gives: the archive is not read`,
      )
    return {archive}
  }

  private async pullOci(f: Fetch): Promise<{archive: Buffer; manifestDigest: string}> {
    // Helm pushes a version's `+` as `_` (OCI tags have no `+`).
    const reference = f.ref.digest ?? f.version.replaceAll('+', '_')
    const artifact = f.ref.artifact
    return this.client().oci(f.ref.repository, reference, artifact && {mediaType: artifact.mediaType})
  }

  private client(): ChartRepository {
    if (!this.network) {
      const allowed = this.allow.hosts
      const env = process.env
      const helmRegistry =
        env.HELM_REGISTRY_CONFIG ??
        path.join(env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), 'helm', 'registry', 'config.json')
      const chain = new CredentialChain([
        ...defaultCredentialSources(),
        new AuthFileCredentials({REGISTRY_AUTH_FILE: helmRegistry}),
      ])
      this.network = new ChartRepository({
        limits: this.limits,
        insecureHosts: this.insecureHosts(),
        // Credentials only for a host the base declared (or ameide.yaml lists).
        credentials: {get: (host) => (allowed.has(host) ? chain.get(host) : Promise.resolve(undefined))},
        basicAuth: helmBasicAuth(this.options.yaml, env, allowed),
      })
    }
    return this.network
  }

  /** Reached over plain HTTP: what the base's sources call insecure, and ameide.yaml's list. Else HTTPS. */
  private insecureHosts(): string[] {
    return [...this.options.policy.insecure, ...this.allow.insecure]
  }

  private failure(error: unknown): HelmResult & {ok: false} {
    if (error instanceof ChartSignatureRefused) return {ok: false, refused: true, message: error.message}
    if (error instanceof OciArtifactError) return {ok: false, message: `source-controller fails: ${error.message}`}
    if (error instanceof ChartUnverifiable) return unavailable(error.message)
    if (error instanceof ArchiveRefused)
      return error.limit
        ? {ok: false, limit: 'output', message: `a chart archive is over a limit: ${error.message}`}
        : {ok: false, refused: true, message: `a chart archive is refused: ${error.message}`}
    if (error instanceof ChartFetchError && error.limit)
      return {
        ok: false,
        limit: error.limit === 'time' ? 'time' : 'output',
        message: `a chart fetch stopped at a limit: ${error.message}`,
      }
    const message = (error as Error).message
    // A plain-HTTP server asked over TLS: say how a host is reached over plain HTTP.
    const tls = /\bhttps:\/\/.*(EPROTO|wrong version number|SSL|TLS|certificate)/is.test(message)
    return unavailable(`a chart could not be fetched: ${message}${tls ? ` (${HTTPS_HINT})` : ''}`)
  }

  private cached(digest: string): Buffer | undefined {
    const held = this.archives.get(digest)
    if (held) return held
    const file = this.options.cacheDir && path.join(this.options.cacheDir, `${digest.replace(':', '-')}.tgz`)
    if (!file || !existsSync(file)) return undefined
    const bytes = readFileSync(file)
    // A cache file that does not hash to its name is not used (nor trusted): fetched again.
    return sha256(bytes) === digest ? bytes : undefined
  }

  private store(digest: string, archive: Buffer): void {
    this.archives.set(digest, archive)
    if (!this.options.cacheDir) return
    mkdirSync(this.options.cacheDir, {recursive: true})
    writeFileSync(path.join(this.options.cacheDir, `${digest.replace(':', '-')}.tgz`), archive)
  }

  private readRefs(): Record<string, {digest: string; manifestDigest?: string}> {
    try {
      const file = this.options.cacheDir && path.join(this.options.cacheDir, 'refs.json')
      return file && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ChartFetcher['refs']) : {}
    } catch {
      return {}
    }
  }
}

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`
