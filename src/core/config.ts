import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {pathToFileURL} from 'node:url'

import * as files from './memory-fs/index.js'

import type {BuilderChoice, SbomChoice} from './choices.js'
import type {SigstoreSettings} from './sigstore.js'
import {diffIgnoreProblems, type DiffIgnoreRule} from './diff-policy.js'
import {evidencePolicyProblems, type EvidencePolicyEntry} from './evidence-policy.js'
import {prerequisiteError} from './errors.js'
import {RENDER_KUBERNETES_VERSION} from './kubernetes-minors.js'
import {FROM_SOURCES, packagePath} from './package-root.js'
import type {ErrorObject} from 'ajv'

/** The checked-in, repository-level configuration file, at the repo root. */
export const CONFIG_FILE_NAME = 'ameide.yaml'

/**
 * The GitOps repository's layout and image policy: where environment overlays, shared values, cluster values,
 * components, Argo CD objects and cluster config live (backlog/603's repository), and the policy knobs. Defaults
 * follow the seed; a GitOps repository overrides them in its own `ameide.yaml` (`gitopsPolicy:`).
 */
export interface GitopsPolicy {
  /** The layout the other layout keys start from (docs/configuration.md); keys set next to it override it. */
  preset: GitopsPreset
  /** Environment overlay globs; `{env}` stands for the environment name. */
  overlays: string[]
  environments: string[]
  shared: string[]
  cluster: string[]
  components: string[]
  argocd: string[]
  clusterConfig: string[]
  /** `ref`: one `image.ref` per image (WP-3). `split`: `repository`/`tag`/`digest` maps with overrides (the image-override precedence design). */
  imageContract: 'ref' | 'split'
  /** Tags that move besides dev, main and latest. */
  extraFloatingTags: string[]
  /**
   * How set-image/promote pin an image map that has neither a `digest` field nor a tag carrying the digest: `field`
   * adds a `digest` key (the default; a local chart whose templates read no digest still gets `tag@sha256:`), `tag`
   * writes `tag: <tag>@sha256:…` (for remote charts that render `repository:tag`).
   */
  mapDigest: 'field' | 'tag'
  /** Override blocks that fall back field by field to the root `image` (split contract). */
  overrides: string[]
  /** Environments where the effective image of an override must carry a digest. */
  requireDigestEnvironments: string[]
  /** Environments whose control plane and controllers must carry the same git-sha tag. */
  lockstepEnvironments: string[]
  /** Preview ApplicationSets (pull-request generators): what the preview-* rules allow (backlog/520 A–F). */
  preview: GitopsPreviewPolicy
  /**
   * `gitops verify` parses a YAML file up to this size (bytes); a larger file in a zone is an `unreadable-file`
   * finding, never read (docs/reliability.md: parsing costs about 100 bytes of memory per byte of YAML).
   */
  maxFileBytes: number
  /** Applications one ApplicationSet may generate offline; past it, not evaluated (an error). A diff: the base's. */
  maxApplications: number
  /** `gitops verify --render`: render the roots with kustomize (and helm) and judge the rendered objects. */
  render: GitopsRenderPolicy
  /**
   * `gitops diff`: kinds whose data is masked like a Secret's (the value shown changed, never shown); ignore rules
   * (an object whose every change they cover is counted as ignored, not shown); whether objects whose only change is
   * chart-bump metadata are folded into one line per deployable (default true).
   */
  diff: {maskKinds: string[]; ignore?: DiffIgnoreRule[]; foldChartMetadata?: boolean}
  /** Charts of chart repositories (src/gitops/helm/charts): fetched only from what the base revision declares. */
  charts: GitopsChartsPolicy
  /** Other repositories' URLs → local checkouts (src/gitops/revision/source-repos.ts); `--source-repo` wins. */
  sourceRepositories?: Record<string, string>
}

export interface GitopsChartsPolicy {
  /** Fetch remote charts at all (false: as `--offline`, each is render-unavailable). */
  fetch: boolean
  /** Chart repositories allowed besides those the base declares (a URL, or a prefix ending in `/`). */
  repositories: string[]
  /** Hosts (`host` or `host:port`) whose chart repositories are reached over plain HTTP. */
  insecure: string[]
}

export interface GitopsRenderPolicy {
  /** Render by default (`gitopsPolicy.render: true`); `--render` / `--no-render` override. */
  enabled: boolean
  /** Render roots (folders with a kustomization, repo-relative); null: discovered per environment. */
  roots: string[] | null
  /**
   * The Kubernetes minor the rendered objects are validated against (`1.34`); also helm's `--kube-version`
   * (`1.34.0`), as Argo CD passes the destination cluster's.
   */
  kubernetesVersion: string
  /**
   * The minor of an environment's cluster where it is not `kubernetesVersion` (`{production: "1.32"}`): what its
   * rendered objects are validated for and the --kube-version its charts render with.
   */
  kubernetesVersions: Record<string, string>
  /** A kind with no schema anywhere (`schema-unknown`): a warning (`warn`, the default) or an error (`fail`). */
  unknownKinds: 'warn' | 'fail'
  /**
   * helm's `--api-versions`, one each, as Argo CD passes the cluster's discovery list (`group/version` and
   * `group/version/Kind`): what chart `Capabilities.APIVersions.Has` checks see. Empty: Helm's built-in list.
   */
  apiVersions: string[]
  /** Argo CD's argocd-cm `kustomize.buildOptions` where the repository holds no argocd-cm (`--enable-helm`). */
  kustomizeBuildOptions?: string
}

export interface GitopsPreviewPolicy {
  /** Argo CD projects a preview Application may use; empty: any fixed project but `default`. */
  projects: string[]
  /** Repositories preview manifests may come from; empty: the GitOps repository's own `origin` remote. */
  repositories: string[]
  /** The ApplicationSet controller receives the SCM provider's webhook, so no short polling interval is needed. */
  webhook: boolean
}

export const GITOPS_PRESETS = ['seed', 'kustomize', 'flux', 'plain'] as const
export type GitopsPreset = (typeof GITOPS_PRESETS)[number]

/** The layout keys a preset sets. */
export type GitopsLayoutKeys = Pick<
  GitopsPolicy,
  'overlays' | 'environments' | 'shared' | 'cluster' | 'components' | 'argocd' | 'clusterConfig'
>

export const DEFAULT_GITOPS_POLICY: GitopsPolicy = {
  preset: 'seed',
  overlays: ['sources/values/env/{env}/**'],
  environments: ['local', 'staging', 'production'],
  shared: ['sources/values/_shared/**', 'sources/values/base/**'],
  cluster: ['sources/values/cluster/**', 'sources/values/_shared/cluster/**'],
  components: ['environments/**'],
  argocd: ['argocd/**'],
  clusterConfig: ['config/clusters/*.yaml', 'config/clusters/*.yml'],
  imageContract: 'ref',
  extraFloatingTags: [],
  mapDigest: 'field',
  overrides: ['controlPlane.image', 'controllers.image'],
  requireDigestEnvironments: ['staging', 'production'],
  lockstepEnvironments: ['production'],
  preview: {projects: [], repositories: [], webhook: false},
  maxFileBytes: 4 * 1024 * 1024,
  maxApplications: 20_000,
  render: {
    enabled: false,
    roots: null,
    kubernetesVersion: RENDER_KUBERNETES_VERSION,
    kubernetesVersions: {},
    unknownKinds: 'warn',
    apiVersions: [],
  },
  diff: {maskKinds: []},
  charts: {fetch: true, repositories: [], insecure: []},
}

/**
 * The common layouts. `seed`: backlog/603's repository (the default). `kustomize`: `overlays/<env>/` at the root or
 * under any folder (`<app>/overlays/<env>/`), `base`/`bases` folders shared. `flux`: `clusters/<env>/` and
 * `apps/<env>/`; `apps/base`, `infrastructure/**` shared. `plain`: a folder of manifests applied as they are, every
 * YAML file cluster values (pinned). Their environments are the overlay folders found (a folder named `base` or
 * `bases` is never one); none is listed up front.
 */
export const GITOPS_PRESET_LAYOUTS: Record<GitopsPreset, GitopsLayoutKeys> = {
  seed: {
    overlays: DEFAULT_GITOPS_POLICY.overlays,
    environments: DEFAULT_GITOPS_POLICY.environments,
    shared: DEFAULT_GITOPS_POLICY.shared,
    cluster: DEFAULT_GITOPS_POLICY.cluster,
    components: DEFAULT_GITOPS_POLICY.components,
    argocd: DEFAULT_GITOPS_POLICY.argocd,
    clusterConfig: DEFAULT_GITOPS_POLICY.clusterConfig,
  },
  kustomize: {
    overlays: ['**/overlays/{env}/**'],
    environments: [],
    shared: ['**/base/**', '**/bases/**'],
    cluster: [],
    components: ['**/components/**'],
    argocd: [],
    clusterConfig: [],
  },
  flux: {
    overlays: ['clusters/{env}/**', 'apps/{env}/**'],
    environments: [],
    shared: ['**/base/**', '**/bases/**', 'infrastructure/**'],
    cluster: [],
    components: ['**/components/**'],
    argocd: [],
    clusterConfig: [],
  },
  plain: {overlays: [], environments: [], shared: [], cluster: ['**'], components: [], argocd: [], clusterConfig: []},
}

/** The keys of `gitopsPolicy` that say where files are: set in ameide.yaml, they turn layout detection off. */
export const GITOPS_LAYOUT_SETTINGS = [
  'preset',
  'overlays',
  'shared',
  'cluster',
  'components',
  'argocd',
  'clusterConfig',
] as const

export interface AmeideConfig {
  registry: string
  insecureRegistries: string[]
  gitops: {repository: string; workflow: string; ref: string; branchPattern: string}
  publish: {
    baseBranch: string
    sharedInputs: string[]
    builder: BuilderChoice
    platforms: string[]
    buildArgs: Record<string, string>
    sbom: SbomChoice
    provenance: boolean
  }
  /** Read by `gitops verify` / `set-image` / `promote` in the GitOps repository's own ameide.yaml. */
  gitopsPolicy: GitopsPolicy
  /** `primitive scaffold`: base images that replace entries of the shipped table (templates/base-images.json). */
  scaffold: {baseImages: Record<string, string>}
  /** A private Sigstore for publish and --evidence (flags with cosign's names override each key). */
  signing: {sigstore: SigstoreSettings}
  /** GitOps repository: what `gitops verify --evidence` requires per image (null: the flags are the policy). */
  evidencePolicy: EvidencePolicyEntry[] | null
}

export const DEFAULT_CONFIG: AmeideConfig = {
  registry: 'ghcr.io/ameideio',
  insecureRegistries: [],
  gitops: {
    repository: 'ameideio/ameide-gitops',
    workflow: 'scaffold-primitive-gitops.yaml',
    ref: 'main',
    branchPattern: 'scaffold/{kind}-{name}-{version}',
  },
  publish: {
    baseBranch: 'main',
    sharedInputs: [
      'packages/ameide_sdk_go/**',
      'packages/ameide_sdk_ts/**',
      'packages/ameide_sdk_python/**',
      'packages/ameide_core_proto/**',
      'go.work',
      'go.work.sum',
      'package-lock.json',
      'pnpm-lock.yaml',
      'uv.lock',
    ],
    builder: 'auto',
    platforms: [],
    buildArgs: {},
    sbom: 'auto',
    provenance: true,
  },
  gitopsPolicy: DEFAULT_GITOPS_POLICY,
  scaffold: {baseImages: {}},
  signing: {sigstore: {}},
  evidencePolicy: null,
}

export interface LoadedConfig {
  config: AmeideConfig
  /** Repo-relative path of the file read, or null when the defaults apply. */
  source: string | null
  /** The `gitopsPolicy` keys the file sets itself (layout detection leaves those alone). */
  gitopsKeys: string[]
}

const CONFIG_HINT = `Fix ${CONFIG_FILE_NAME} at the repository root; its keys are documented in docs/configuration.md.`

/** A configuration file is a few KiB; a larger one is refused unread. */
const MAX_CONFIG_BYTES = 1024 * 1024

/** Reads `<repoRoot>/ameide.yaml` when present, validates it strictly, and merges it over the defaults. */
export async function loadConfig(repoRoot: string): Promise<LoadedConfig> {
  const file = path.join(repoRoot, CONFIG_FILE_NAME)
  let text: string
  try {
    // A FIFO or a device would block the read (or never end): only a regular file of a sane size is read.
    const info = files.statSync(file)
    // A pull request may commit ameide.yaml as a link to /proc/self/environ or a file outside the repository: what it
    // resolves to must lie inside the repository, or it is refused unread (a YAML error would quote what it read).
    const [real, realRoot] = [files.realpathSync(file), files.realpathSync(repoRoot)]
    const inside = path.relative(realRoot, real)
    if (inside.startsWith('..') || path.isAbsolute(inside)) {
      throw prerequisiteError(
        'CONFIG_INVALID',
        `${CONFIG_FILE_NAME} is a symbolic link to a path outside the repository: it is not read.`,
        [CONFIG_HINT],
      )
    }
    if (!info.isFile() || info.size > MAX_CONFIG_BYTES) {
      const what = info.isFile() ? `is ${info.size} bytes (at most ${MAX_CONFIG_BYTES})` : 'is not a regular file'
      throw prerequisiteError('CONFIG_INVALID', `${CONFIG_FILE_NAME} ${what}.`, [CONFIG_HINT])
    }
    text = await files.readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return {config: DEFAULT_CONFIG, source: null, gitopsKeys: []}
    throw error
  }

  const {parse} = await import('yaml')
  let raw: unknown
  try {
    raw = parse(text, {maxAliasCount: 50, uniqueKeys: true}) ?? {}
  } catch (error) {
    throw prerequisiteError('CONFIG_INVALID', `${CONFIG_FILE_NAME} is not valid YAML: ${(error as Error).message}`, [
      CONFIG_HINT,
    ])
  }

  const problems = await validateConfig(raw)
  const policy = (raw as {evidencePolicy?: EvidencePolicyEntry[]}).evidencePolicy
  if (problems.length === 0 && policy) problems.push(...evidencePolicyProblems(policy))
  if (problems.length === 0) problems.push(...diffIgnoreProblems(raw as Partial<AmeideConfig>))
  if (problems.length > 0) {
    throw prerequisiteError('CONFIG_INVALID', `${CONFIG_FILE_NAME} is invalid: ${problems.join('; ')}`, [CONFIG_HINT])
  }

  const written = raw as Partial<AmeideConfig>
  return {
    config: mergeConfig(DEFAULT_CONFIG, written),
    source: CONFIG_FILE_NAME,
    gitopsKeys: Object.keys(written.gitopsPolicy ?? {}),
  }
}

export function mergeConfig(base: AmeideConfig, file: Partial<AmeideConfig>): AmeideConfig {
  return {
    registry: file.registry ?? base.registry,
    insecureRegistries: file.insecureRegistries ?? base.insecureRegistries,
    gitops: {...base.gitops, ...file.gitops},
    publish: {...base.publish, ...file.publish},
    gitopsPolicy: {
      ...base.gitopsPolicy,
      // The preset's layout first, then every key the file sets itself.
      ...(file.gitopsPolicy?.preset ? GITOPS_PRESET_LAYOUTS[file.gitopsPolicy.preset] : {}),
      ...file.gitopsPolicy,
      preview: {...base.gitopsPolicy.preview, ...file.gitopsPolicy?.preview},
      render: mergeRender(base.gitopsPolicy.render, file.gitopsPolicy?.render as RenderSetting | undefined),
      diff: {...base.gitopsPolicy.diff, ...file.gitopsPolicy?.diff},
      charts: {...base.gitopsPolicy.charts, ...file.gitopsPolicy?.charts},
    },
    scaffold: {baseImages: {...base.scaffold.baseImages, ...file.scaffold?.baseImages}},
    signing: {sigstore: {...base.signing.sigstore, ...file.signing?.sigstore}},
    evidencePolicy: file.evidencePolicy ?? base.evidencePolicy,
  }
}

/** `gitopsPolicy.render` as written: `true`/`false`, or an object whose `enabled` defaults to true. */
type RenderSetting = boolean | Partial<GitopsRenderPolicy>

function mergeRender(base: GitopsRenderPolicy, file: RenderSetting | undefined): GitopsRenderPolicy {
  if (file === undefined) return base
  if (typeof file === 'boolean') return {...base, enabled: file}
  return {...base, enabled: true, ...file}
}

type Validate = ((data: unknown) => boolean) & {errors?: ErrorObject[] | null}

/**
 * The validator of config.schema.json: the one the build compiled (scripts/compile-schemas.mjs →
 * dist/core/config-validate.js), else compiled now with ajv (the same options; sources under a TypeScript loader).
 */
async function configValidator(): Promise<Validate> {
  try {
    if (FROM_SOURCES) throw new Error('sources: compile the schema')
    const built = (await import(pathToFileURL(packagePath('dist/core/config-validate.js')).href)) as {
      default: Validate
    }
    return built.default
  } catch {
    const [{Ajv}, schema] = await Promise.all([import('ajv'), readSchema('config.schema.json')])
    return new Ajv({allErrors: true, strict: false}).compile(schema)
  }
}

async function validateConfig(raw: unknown): Promise<string[]> {
  const validate = await configValidator()
  if (validate(raw)) return []
  return (validate.errors ?? []).map((e) => {
    const where = e.instancePath === '' ? '(top level)' : e.instancePath.slice(1).replaceAll('/', '.')
    if (e.keyword === 'additionalProperties') {
      return `${where}: unknown key "${(e.params as {additionalProperty: string}).additionalProperty}"`
    }
    return `${where}: ${e.message}`
  })
}

/** Directory holding the checked-in JSON Schemas (`schemas/` at the package root). */
export const SCHEMAS_DIR = packagePath('schemas')

export async function readSchema(name: string): Promise<object> {
  return JSON.parse(await readFile(path.join(SCHEMAS_DIR, name), 'utf8')) as object
}
