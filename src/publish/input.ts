import {usageError} from '../core/errors.js'
import {tryParseImageReference} from '../images/reference.js'
import {parseShaFlag} from '../changes/detect.js'
import {parseComponentSelectors} from './components.js'
import {parseMaxShards, parseShard, type ShardSpec} from './shards.js'

/** The user's publish input, validated before anything else happens (bad input is exit 2 everywhere). */
export interface PublishInput {
  sha: string | undefined
  selectors: ReturnType<typeof parseComponentSelectors>
  platforms: string[]
  buildArgs: Record<string, string>
  registry: string | undefined
  /** `--shard I/N` */
  shard?: ShardSpec
  /** `--max-shards N` (default 1) */
  maxShards: number
}

const PLATFORM_PATTERN = /^[a-z0-9]+\/[a-z0-9]+(\/[a-z0-9]+)?$/

export function parsePublishInput(flags: {
  sha?: string
  component?: string[]
  platform?: string[]
  'build-arg'?: string[]
  registry?: string
  key?: string
  keyless: boolean
  shard?: string
  'max-shards'?: number
  'update-main'?: boolean
}): PublishInput {
  const sha = parseShaFlag(flags.sha)
  const selectors = parseComponentSelectors(flags.component ?? [])
  const platforms = (flags.platform ?? [])
    .flatMap((p) => p.split(','))
    .map((p) => p.trim())
    .filter(Boolean)
  for (const p of platforms) {
    if (!PLATFORM_PATTERN.test(p)) {
      throw usageError('INVALID_PLATFORM', `--platform ${JSON.stringify(p)} is not os/arch[/variant].`, [
        'e.g. --platform linux/amd64,linux/arm64',
      ])
    }
  }
  if (flags.registry !== undefined && !isRegistryPrefix(flags.registry)) {
    throw usageError(
      'INVALID_REGISTRY',
      `--registry ${JSON.stringify(flags.registry)} is not host[:port]/namespace in lowercase.`,
      ['e.g. --registry ghcr.io/ameideio or 127.0.0.1:5000/demo'],
    )
  }
  const buildArgs = parseBuildArgs(flags['build-arg'] ?? [])
  if (flags.key && flags.keyless) throw usageError('INVALID_USAGE', '--key and --keyless exclude each other.')
  const shard = flags.shard === undefined ? undefined : parseShard(flags.shard)
  if (shard && flags['update-main']) {
    throw usageError('UPDATE_MAIN_IN_SHARD', '--update-main with --shard: a shard never moves :main.', [
      'Publish every shard without --update-main, then `ameide primitive publish merge REPORT... --update-main` moves :main once, after all shards succeeded.',
    ])
  }
  return {
    ...(shard ? {shard} : {}),
    maxShards: parseMaxShards(flags['max-shards']),
    sha,
    selectors,
    platforms,
    buildArgs,
    registry: flags.registry,
  }
}

function parseBuildArgs(values: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const value of values) {
    const eq = value.indexOf('=')
    if (eq <= 0) throw usageError('INVALID_BUILD_ARG', `--build-arg ${JSON.stringify(value)} is not KEY=VALUE.`)
    out[value.slice(0, eq)] = value.slice(eq + 1)
  }
  return out
}

/** `host[:port][/namespace…]` in lowercase: a prefix that `<prefix>/<component>` makes a repository name of. */
function isRegistryPrefix(registry: string): boolean {
  const ref = tryParseImageReference(`${registry}/x`)
  return ref !== undefined && ref.tag === undefined && ref.digest === undefined && registry === registry.toLowerCase()
}
