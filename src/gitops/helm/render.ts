/**
 * The Helm deployables of the render plan (src/gitops/deployables): each rendered with `helm template` as its
 * controller would (effects/helm.ts), answered from the cache when its inputs are unchanged, split on Helm's
 * `# Source:` lines, and judged with the line that decided every container's image — the highest-precedence values
 * layer whose key yields it, confirmed by a differential render (once per deployable: the deciding keys set to
 * sentinels together, each container checked for the change); where none is confirmed, the template line.
 */
import path from 'node:path'

import {mapConcurrent} from '../../core/concurrency.js'
import type {DependencySite, Helm, HelmResult, HelmTemplateRequest} from '../../effects/helm.js'
import {rememberable, type BuildResult} from '../../effects/kustomize.js'
import type {YamlModule} from '../../images/yaml/index.js'
import {filesWithPrefix, repoRelative} from '../revision/paths.js'
import {setName, type HelmDeployable} from '../model/model.js'
import type {CrdScopes} from '../kubernetes/crd-scopes.js'
import type {RenderCache} from '../render/cache.js'
import type {Judge, Verdicts} from '../render/judge.js'
import {
  containersOf,
  parseRendered,
  renderedChunks,
  UnreadableOutput,
  type RenderedObject,
  type RenderedText,
} from '../kubernetes/objects.js'
import {withPlainPaths} from './plain-paths.js'
import {deployableInputs, helmRenderKey, keyGiven, type KeyReads} from './render-key.js'
import type {RenderRoot} from '../render/plan-types.js'
import {candidates, containerKey, drawsFinding, helmObjects, locate} from './objects.js'
import {chartHome, request} from './template-request.js'

export interface HelmStatus {
  application: string
  kind: HelmDeployable['kind']
  chart: string
  environment: string | null
  declaredIn: string
  /** `skipped`: only with `skip` (gitops diff). */
  status: 'rendered' | 'cached' | 'failed' | 'unavailable' | 'refused' | 'skipped'
  objects: number
  /** Differential renders run for it (0 when every image was confirmed from the cache or none drew a finding). */
  differential: number
}

export interface HelmRenderOptions {
  root: string
  files: readonly string[]
  yaml: YamlModule
  helm: Helm
  /** helm's --kube-version for a deployable of an environment: its cluster's (gitopsPolicy.render.kubernetesVersions). */
  kubeVersion: (environment: string | null) => string
  apiVersions: readonly string[]
  cache?: RenderCache
  /** The renderers' versions, part of every cache key (and the revision's CRDs' digest). */
  toolVersions: string
  /** The scopes the revision's CustomResourceDefinitions declare (./crd-scopes.ts). */
  crds?: CrdScopes
  concurrency: number
  extraFloatingTags: string[]
  /** The files in-bounds links under these paths resolve to (src/gitops/revision linkedInputs): cache-key inputs. */
  linked?: (paths: readonly string[]) => string[]
  /** Told each deployable's cache key: true leaves it unrendered (status `skipped`). */
  skip?: (d: HelmDeployable, key: string) => boolean
  /**
   * A chart that is not only the revision's folder (src/gitops/helm/charts: a remote chart, or dependencies fetched into
   * a copy): `key` (the versions resolved) joins its render-cache key; `materialize` gives the folder helm renders,
   * called only when it is rendered. Undefined: the revision's folder as it is.
   */
  prepare?: (d: HelmDeployable) => Promise<PreparedChart | undefined>
  /** Each rendered deployable's objects (parsed when asked: a cached verdict parses nothing otherwise) and helm's text. */
  onRendered?: (d: HelmDeployable, objects: () => RenderedObject[], text: string) => void
}

export interface PreparedChart {
  key: string
  materialize(): Promise<{dir: string; remove: () => void} | (HelmResult & {ok: false})>
}

export interface HelmRendered {
  statuses: HelmStatus[]
  /** Deployables whose render failed, was unavailable or refused, with helm's message and the key of its inputs. */
  failures: Array<{
    deployable: HelmDeployable
    message: string
    unavailable: boolean
    refused?: boolean
    /** Stopped at a limit (effects/limits.ts): a `render-limit` finding. */
    limit?: string
    key?: string
    /** A dependency of the chart it is about: the Chart.yaml line that asked, the repository asked. */
    dependency?: DependencySite
  }>
  /** Files a rendered deployable read (chart files, value files, the declaring file). */
  covered: Set<string>
}

const SENTINEL = 'ameide-sentinel'

/** What the cache remembers of one deployable: helm's answer and the differential verdicts. */
interface Answer {
  result: HelmResult
  /** `object/container/list` → the deciding key (set name) confirmed, or null when none was. */
  confirmed?: Record<string, string | null>
  /** The judged verdicts (findings, images, counts) and what they were judged under. */
  judged?: {key: string; verdicts: Verdicts}
}

export async function renderHelm(
  deployables: readonly HelmDeployable[],
  judge: Judge,
  options: HelmRenderOptions,
): Promise<HelmRendered> {
  const out: HelmRendered = {statuses: [], failures: [], covered: new Set()}
  const settled = await mapConcurrent([...deployables], options.concurrency, (d) => renderOne(d, options))
  for (const [i, s] of settled.entries()) {
    if (!s.ok) throw s.error
    const d = deployables[i]
    if (s.value === 'skipped') {
      out.statuses.push(statusOf(d, 'skipped', 0))
      continue
    }
    const rendered = s.value
    const status = statusOf(d, rendered.cached ? 'cached' : 'rendered', rendered.differential)
    out.statuses.push(status)
    const result = rendered.answer.result
    if (!result.ok) {
      status.status = 'refused' in result ? 'refused' : 'unavailable' in result ? 'unavailable' : 'failed'
      out.failures.push(failureOf(d, result, rendered.key))
      continue
    }
    for (const f of inputsOf(d, options)) out.covered.add(f)
    await judgeRendered(d, rendered, result, status, judge, options)
  }
  return out
}

/** One deployable's render, as renderOne answers it when it is not skipped. */
type RenderedOne = Exclude<Awaited<ReturnType<typeof renderOne>>, 'skipped'>

/** The report's entry for a deployable (its objects counted once judged). */
export function statusOf(d: HelmDeployable, status: HelmStatus['status'], differential: number): HelmStatus {
  return {
    application: d.application,
    kind: d.kind,
    chart: d.chart,
    environment: d.environment,
    declaredIn: d.file,
    status,
    objects: 0,
    differential,
  }
}

/** A render that failed, was unavailable or refused (or stopped at a limit), with helm's message and the key. */
function failureOf(
  d: HelmDeployable,
  result: HelmResult & {ok: false},
  key: string | undefined,
): HelmRendered['failures'][number] {
  const refused = 'refused' in result
  return {
    deployable: d,
    message: result.message,
    unavailable: 'unavailable' in result,
    ...(refused ? {refused} : {}),
    ...('limit' in result ? {limit: result.limit} : {}),
    ...(key ? {key} : {}),
    ...(result.dependency ? {dependency: result.dependency} : {}),
  }
}

/**
 * A rendered deployable told to `onRendered`, then judged: its last verdicts replayed when neither its inputs nor
 * the policy changed, else its objects judged with the deciding lines and the verdicts stored with the answer.
 */
async function judgeRendered(
  d: HelmDeployable,
  rendered: RenderedOne,
  result: HelmResult & {ok: true},
  status: HelmStatus,
  judge: Judge,
  options: HelmRenderOptions,
): Promise<void> {
  const {answer, store} = rendered
  let objects: RenderedObject[] | undefined = rendered.objects
  const objectsOf = () => (objects ??= objectsOfRender(d, result, options))
  options.onRendered?.(d, objectsOf, result.yaml)
  const verdictKey = judgedKey(d, options)
  if (answer.judged?.key === verdictKey) {
    // Unchanged inputs, unchanged policy: the verdicts of the last run stand (nothing parsed or validated).
    judge.replay(answer.judged.verdicts)
    status.objects = answer.judged.verdicts.objects
    return
  }
  status.objects = objectsOf().length
  const root: RenderRoot = {
    dir: d.chart,
    environment: d.environment,
    via: d.kind === 'HelmRelease' ? 'flux' : 'argocd',
    declaredIn: d.file,
    application: d.application,
  }
  const verdicts = await judge.record(() =>
    judge.judge(objectsOf(), root, d.file, (obj, c) => locate(d, obj, c, answer.confirmed ?? {}, options.files)),
  )
  answer.judged = {key: verdictKey, verdicts}
  store(answer)
}

/** What the judged verdicts of a deployable depend on beyond its render: the policy and where it is declared. */
function judgedKey(d: HelmDeployable, options: HelmRenderOptions): string {
  return JSON.stringify({
    floating: options.extraFloatingTags,
    environment: d.environment,
    line: d.line,
    namespace: d.namespace,
    layers: d.layers.map((l) => [l.file, l.what]),
  })
}

/** Every input of a deployable (./render-key.ts deployableInputs), read of the revision directly. */
const inputsOf = (d: HelmDeployable, options: Pick<HelmRenderOptions, 'files' | 'linked'>): string[] =>
  deployableInputs({...d, otherTree: d.tree !== undefined}, directReads(options))

/** The revision's files and links as the options give them (and blob ids, by the cache's view of the revision). */
function directReads(options: Pick<HelmRenderOptions, 'files' | 'linked' | 'cache'>): KeyReads {
  return {
    filesUnder: (prefix) => filesWithPrefix(options.files, prefix),
    linked: (paths) => options.linked?.(paths) ?? [],
    blobId: (f) => options.cache?.blobIdOf(f) ?? 'missing',
  }
}

/** The render-cache key of `d` (none without a cache), kept by what it read when the options keep keys. */
function renderKeyOf(
  d: HelmDeployable,
  id: string,
  prepared: PreparedChart | undefined,
  options: HelmRenderOptions,
): string | undefined {
  const cache = options.cache
  if (!cache) return undefined
  const context = {
    tools: options.toolVersions,
    kube: options.kubeVersion(d.environment),
    api: options.apiVersions,
    ...(prepared ? {preparedKey: prepared.key} : {}),
  }
  // The same deployable of the same revision, asked again in this run (gitops diff renders the head twice): its key.
  const asked = JSON.stringify([id, context])
  const known = keysOf.get(d)
  if (known && known.asked === asked && known.files === options.files && known.cache.sameRevision(cache))
    return known.key
  const key = helmRenderKey(keyGiven(d, id, context), directReads(options))
  keysOf.set(d, {asked, files: options.files, cache, key})
  return key
}

/** Each deployable's key, with what it was asked under: its revision's files and cache view, the renderers, the id. */
const keysOf = new WeakMap<HelmDeployable, {asked: string; files: readonly string[]; cache: RenderCache; key: string}>()

/**
 * A render's objects; a chart of another tree has no template among this revision's files, so its findings point at
 * the declaring Application.
 */
const objectsOfRender = (d: HelmDeployable, output: RenderedText, options: HelmRenderOptions) =>
  helmObjects(options.yaml, output, d, d.tree ? [] : options.files, chartHome(d, options), options.crds)

async function renderOne(
  d: HelmDeployable,
  options: HelmRenderOptions,
): Promise<
  | 'skipped'
  | {
      answer: Answer
      cached: boolean
      differential: number
      /** The rendered objects, when this run parsed them. */
      objects?: RenderedObject[]
      /** Remembers the answer (with its verdicts) in the cache. */
      store: (answer: Answer) => void
      /** The render-cache key of its inputs. */
      key?: string
    }
> {
  const id = `helm\0${d.file}\0${d.application}\0${d.chart}`
  const prepared = await options.prepare?.(d)
  const key = renderKeyOf(d, id, prepared, options)
  if (key !== undefined && options.skip?.(d, key)) return 'skipped'
  const store = (answer: Answer) => {
    if (key !== undefined) options.cache?.set(id, key, answer as unknown as BuildResult)
  }
  const hit = key === undefined ? undefined : (options.cache?.get(id, key) as unknown as Answer | undefined)
  if (hit && 'result' in hit) return {answer: hit, cached: true, differential: 0, store, key}
  // helm's messages name the chart by its path in the revision's folder: made repo-relative before they are cached.
  const template = async (r: HelmTemplateRequest): Promise<HelmResult> => {
    const result = await withPlainPaths(r, options.root, (plain) => options.helm.template(plain))
    if (result.ok) return result
    const message = repoRelative(result.message, options.root)
    return {...result, message: d.tree ? repoRelative(message, d.tree.dir) : message}
  }
  const chart = prepared
    ? await prepared.materialize()
    : {dir: path.join(chartHome(d, options), d.chart), remove: () => {}}
  if ('ok' in chart) return {answer: {result: chart}, cached: false, differential: 0, store, key}
  try {
    return await renderIn(d, options, chart.dir, template, store, key)
  } finally {
    chart.remove()
  }
}

/** helm on the chart folder `chartDir`, then the differential render; the answer stored when it may be. */
async function renderIn(
  d: HelmDeployable,
  options: HelmRenderOptions,
  chartDir: string,
  template: (r: HelmTemplateRequest) => Promise<HelmResult>,
  store: (answer: Answer) => void,
  key: string | undefined,
) {
  let result = await template(request(d, options, chartDir))
  let objects: RenderedObject[] | undefined
  if (result.ok) {
    try {
      objects = objectsOfRender(d, result, options)
    } catch (error) {
      if (!(error instanceof UnreadableOutput)) throw error
      result = {ok: false, message: error.message}
    }
  }
  const answer: Answer = {result}
  let differential = 0
  if (result.ok && objects) {
    // The differential render: the candidate key of every container whose image draws a finding, set to sentinels.
    const probes = new Map<string, string>() // container → set name
    for (const obj of objects) {
      for (const c of containersOf(obj.body)) {
        const image = typeof c.image === 'string' ? c.image.trim() : ''
        if (!drawsFinding(image, options.extraFloatingTags)) continue
        const candidate = candidates(d, image)[0]
        if (candidate) probes.set(containerKey(obj, c), setName(candidate.entry.path))
      }
    }
    answer.confirmed = {}
    if (probes.size > 0) {
      const names = [...new Set(probes.values())]
      const sentinelOf = new Map(names.map((n, i) => [n, `${SENTINEL}-${i}`]))
      differential = 1
      const again = await template(
        request(
          d,
          options,
          chartDir,
          names.map((n) => ({name: n, value: sentinelOf.get(n)!})),
        ),
      )
      // A container is confirmed only when its image carries its key's sentinel: only the documents that carry a
      // sentinel at all can hold one, so only those are parsed.
      // An output it cannot read confirms nothing.
      const readable = (chunk: {text: string; documents?: unknown[]}) => {
        try {
          return parseRendered(options.yaml, chunk.text, undefined, chunk.documents)
        } catch {
          return []
        }
      }
      const after = again.ok
        ? renderedChunks(again)
            .filter((chunk) => chunk.text.includes(SENTINEL))
            .flatMap(readable)
        : []
      for (const [k, name] of probes) {
        const [kind, objName, list, cname] = k.split('/')
        const obj = after.find((o) => o.kind === kind && o.name === objName)
        const c = obj ? containersOf(obj.body).find((x) => x.list === list && x.name === cname) : undefined
        const changed = typeof c?.image === 'string' && c.image.includes(sentinelOf.get(name)!)
        answer.confirmed[k] = changed ? name : null
      }
    }
  }
  // Not run (no render module, a chart not fetched) or stopped at a limit: nothing of the inputs is known, so nothing is remembered.
  if (rememberable(result)) store(answer)
  return {answer, cached: false, differential, objects, store, key}
}
