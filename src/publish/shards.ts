import {createHash} from 'node:crypto'

import {usageError} from '../core/errors.js'
import type {ChangeSet} from '../changes/detect.js'
import {decideChange} from './changes.js'
import type {Component} from './components.js'

/**
 * Publish across a runner matrix, the pure part: which shard owns which component, the plan fingerprint every
 * shard report carries (merge checks that all shards published the same plan), and the `strategy.matrix` object
 * the dry run prints.
 *
 * Ownership depends only on the plan inputs: the commit, the base, the change set and the component list (and
 * the shard count N, itself part of the plan). It never depends on the registry, so shards that run concurrently
 * and in any order agree on it without talking to each other. Components the change set says are changed (the
 * builds) are spread first, round-robin in id order; unchanged ones (re-tags and reused `:<sha>`, cheap registry
 * copies) then fill the least-loaded shards. They need no shard of their own: N comes from the builds alone.
 */

/** GitHub Actions runs at most 256 jobs per matrix. */
export const MAX_SHARDS = 256
/** A build costs about this many re-tags (build + push + SBOM vs. one manifest copy), for the balance only. */
export const BUILD_WEIGHT = 20

export interface ShardSpec {
  /** 1-based. */
  index: number
  count: number
}

/** Validates `--shard I/N` (exit 2): 1 ≤ I ≤ N ≤ 256, decimal integers. */
export function parseShard(value: string): ShardSpec {
  const match = /^([1-9]\d{0,2})\/([1-9]\d{0,2})$/.exec(value)
  const index = match ? Number(match[1]) : NaN
  const count = match ? Number(match[2]) : NaN
  if (!match || index > count || count > MAX_SHARDS) {
    throw usageError('INVALID_SHARD', `--shard ${JSON.stringify(value)} is not I/N with 1 ≤ I ≤ N ≤ ${MAX_SHARDS}.`, [
      "Pass the `shard` value of the plan's matrix, e.g. --shard 2/3 (from `publish --dry-run --json` .matrix).",
    ])
  }
  return {index, count}
}

/** Validates `--max-shards N` (exit 2). */
export function parseMaxShards(value: number | undefined): number {
  if (value === undefined) return 1
  if (!Number.isInteger(value) || value < 1 || value > MAX_SHARDS) {
    throw usageError('INVALID_SHARD', `--max-shards ${value} is not between 1 and ${MAX_SHARDS}.`)
  }
  return value
}

export interface ShardItem {
  id: string
  /** Changed per the change set: built (weight BUILD_WEIGHT); otherwise a re-tag or reuse (weight 1). */
  build: boolean
}

/** Code-point order: the same on every machine and locale. */
const byId = (a: {id: string}, b: {id: string}) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/**
 * Spreads items over `count` shards, balanced and deterministic: builds first, then the rest, each in id order,
 * every item to the least-loaded shard (ties: the lowest index). Builds end up round-robin (counts differ by at
 * most one). The input order does not matter. Returns each shard's ids, in id order.
 */
export function assignShards(items: readonly ShardItem[], count: number): string[][] {
  if (!Number.isInteger(count) || count < 1) throw new Error(`shard count ${count} is not a positive integer`)
  const ordered = [...items.filter((i) => i.build).sort(byId), ...items.filter((i) => !i.build).sort(byId)]
  const shards: string[][] = Array.from({length: count}, () => [])
  const load = new Array<number>(count).fill(0)
  for (const item of ordered) {
    let target = 0
    for (let s = 1; s < count; s++) if (load[s] < load[target]) target = s
    shards[target].push(item.id)
    load[target] += item.build ? BUILD_WEIGHT : 1
  }
  return shards.map((ids) => ids.sort())
}

/** How many shards a plan needs: one per build, at most `maxShards`, at least one (re-tags ride along). */
export function shardCount(builds: number, maxShards: number): number {
  return Math.max(1, Math.min(maxShards, builds))
}

export interface ShardPlanInput {
  sha: string
  /** The change set's base (null with --all or on a root commit). */
  base: string | null
  registry: string
  components: readonly Component[]
  changes: ChangeSet
  sharedInputs: string[]
  count: number
}

export interface ShardPlan {
  count: number
  /** `sha256:<hex>` over the plan inputs: equal for every shard of one plan. */
  plan: string
  /** Per shard (index - 1): the component ids it owns, and which of them it builds. */
  shards: {components: string[]; builds: string[]}[]
}

/** Ownership and fingerprint of one plan (pure: git facts only, no registry). */
export function planShards(input: ShardPlanInput): ShardPlan {
  const items = input.components.map((c) => ({
    id: c.id,
    build: decideChange(c, input.changes, input.sharedInputs).changed,
  }))
  const building = new Set(items.filter((i) => i.build).map((i) => i.id))
  const assigned = assignShards(items, input.count)
  const fingerprint = {
    sha: input.sha,
    base: input.base,
    registry: input.registry,
    components: items.map((i) => i.id).sort(),
    changed: [...building].sort(),
    count: input.count,
  }
  return {
    count: input.count,
    plan: `sha256:${createHash('sha256').update(JSON.stringify(fingerprint)).digest('hex')}`,
    shards: assigned.map((ids) => ({components: ids, builds: ids.filter((id) => building.has(id))})),
  }
}

/** The `shard` field of a shard report. */
export interface ShardRecord {
  /** `I/N`, as given to --shard. */
  id: string
  index: number
  count: number
  plan: string
  /** The component ids this shard owns (its images and failures cover exactly these). */
  components: string[]
}

export function shardRecord(plan: ShardPlan, spec: ShardSpec): ShardRecord {
  if (spec.count !== plan.count) throw new Error(`shard ${spec.index}/${spec.count} of a ${plan.count}-shard plan`)
  return {
    id: `${spec.index}/${spec.count}`,
    index: spec.index,
    count: spec.count,
    plan: plan.plan,
    components: plan.shards[spec.index - 1].components,
  }
}

/** One job of the matrix: `publish ${args}` (plus the plan's other flags: --registry, --component) publishes it. */
export interface MatrixEntry {
  shard: string
  /** `--shard I/N --sha SHA` and `--base BASE` (or `--all`): the plan's resolved inputs, for the action's `args`. */
  args: string
  index: number
  count: number
  sha: string
  /** Absent when the plan has no base (--all, root commit). */
  base?: string
  plan: string
  components: string[]
  builds: string[]
}

/** `strategy.matrix: ${{ fromJSON(needs.plan.outputs.matrix) }}`. */
export interface PublishMatrix {
  include: MatrixEntry[]
}

export function matrixOf(plan: ShardPlan, sha: string, base: string | null, all = false): PublishMatrix {
  return {
    include: plan.shards.map((shard, i) => ({
      shard: `${i + 1}/${plan.count}`,
      args: `--shard ${i + 1}/${plan.count} --sha ${sha}${base ? ` --base ${base}` : all ? ' --all' : ''}`,
      index: i + 1,
      count: plan.count,
      sha,
      ...(base ? {base} : {}),
      plan: plan.plan,
      components: shard.components,
      builds: shard.builds,
    })),
  }
}

/** The plan inputs ownership depends on (all but N). */
export type ShardContext = Omit<ShardPlanInput, 'count'>

/** `--shard I/N`: the components this shard owns and its report record; without a shard, every component. */
export function selectShard(
  context: ShardContext,
  spec: ShardSpec | undefined,
): {components: Component[]; shard?: ShardRecord} {
  if (!spec) return {components: [...context.components]}
  const shard = shardRecord(planShards({...context, count: spec.count}), spec)
  const owned = new Set(shard.components)
  return {components: context.components.filter((c) => owned.has(c.id)), shard}
}

/** The dry run's matrix: `builds` (what the plan will build) over at most `maxShards` shards. */
export function publishMatrix(context: ShardContext, builds: number, maxShards: number, all: boolean): PublishMatrix {
  const plan = planShards({...context, count: shardCount(builds, maxShards)})
  return matrixOf(plan, context.sha, context.base, all)
}
