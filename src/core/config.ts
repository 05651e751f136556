import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {prerequisiteError} from './errors.js'

/** The checked-in, repository-level configuration file, at the repo root. */
export const CONFIG_FILE_NAME = 'ameide.yaml'

export interface AmeideConfig {
  registry: string
  insecureRegistries: string[]
  gitops: {repository: string; workflow: string; ref: string; branchPattern: string}
  publish: {
    baseBranch: string
    sharedInputs: string[]
    builder: 'auto' | 'docker' | 'buildah' | 'podman'
    platforms: string[]
    buildArgs: Record<string, string>
    sbom: 'auto' | 'syft' | 'cdxgen' | 'none'
    provenance: boolean
  }
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
}

export interface LoadedConfig {
  config: AmeideConfig
  /** Repo-relative path of the file read, or null when the defaults apply. */
  source: string | null
}

const CONFIG_HINT = `Fix ${CONFIG_FILE_NAME} at the repository root; its keys are documented in docs/configuration.md.`

/** Reads `<repoRoot>/ameide.yaml` when present, validates it strictly, and merges it over the defaults. */
export async function loadConfig(repoRoot: string): Promise<LoadedConfig> {
  const file = path.join(repoRoot, CONFIG_FILE_NAME)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {config: DEFAULT_CONFIG, source: null}
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
  if (problems.length > 0) {
    throw prerequisiteError('CONFIG_INVALID', `${CONFIG_FILE_NAME} is invalid: ${problems.join('; ')}`, [CONFIG_HINT])
  }

  return {config: mergeConfig(DEFAULT_CONFIG, raw as Partial<AmeideConfig>), source: CONFIG_FILE_NAME}
}

export function mergeConfig(base: AmeideConfig, file: Partial<AmeideConfig>): AmeideConfig {
  return {
    registry: file.registry ?? base.registry,
    insecureRegistries: file.insecureRegistries ?? base.insecureRegistries,
    gitops: {...base.gitops, ...file.gitops},
    publish: {...base.publish, ...file.publish},
  }
}

async function validateConfig(raw: unknown): Promise<string[]> {
  const [{Ajv}, schema] = await Promise.all([import('ajv'), readSchema('config.schema.json')])
  const ajv = new Ajv({allErrors: true, strict: false})
  const validate = ajv.compile(schema)
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
export const SCHEMAS_DIR = fileURLToPath(new URL('../../schemas/', import.meta.url))

export async function readSchema(name: string): Promise<object> {
  return JSON.parse(await readFile(path.join(SCHEMAS_DIR, name), 'utf8')) as object
}
