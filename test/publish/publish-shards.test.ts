import {copyFile, mkdir, readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli, type CliRun} from '../support/cli.js'
import {generateKeyPair, verifyImage, verifyAttestation} from '../support/cosign.js'
import {buildahEnv} from '../support/images.js'
import {getManifest, startRegistry, writeDockerConfig, type Registry} from '../support/registry.js'
import {assertMatchesSchema} from '../support/schema.js'
import {commitAll, git, makeTempDir, runCleanups} from '../support/tmp.js'
import {requireTools} from '../support/toolchain.js'
import {allTags, buildSetup, createMonorepo, publishCli, type BuildSetup, type Monorepo} from './fixture.js'

/**
 * Publish across a runner matrix, on real parts (docker-registry, buildah with one private store per shard, as on
 * separate runners): a 12-component monorepo whose second commit changes 5 components. The plan's matrix spreads
 * the 5 builds over 3 shards; the 3 shards run concurrently; `publish merge --update-main` gives the report a
 * single run gives (same images, actions, reasons, re-tagged digests; built digests are new in each run) and
 * moves :main once. Two namespaces start from identical `:main` images (copied by digest): `single` for the
 * single run, `sharded` for the matrix.
 */
const KINDS = ['agent', 'domain', 'integration', 'process', 'projection', 'uisurface']
const COMPONENTS = KINDS.flatMap((kind) => [`${kind}/alpha`, `${kind}/beta`])
const IDS = COMPONENTS.map((c) => c.replace('/', '-'))
const CHANGED = ['agent/alpha', 'domain/beta', 'integration/alpha', 'process/alpha', 'uisurface/beta']

let registry: Registry
let setup: BuildSetup
let repo: Monorepo
let env: Record<string, string>
let tmp: string
let nsSingle: string
let nsSharded: string
let sha: string
let base: string

type Image = {
  component: string
  action: string
  digest: string
  ref: string
  repository: string
  source?: string
  reason: string
  signature: {status: string; verified: boolean}
  attestations: {type: string; status: string}[]
  main?: {action: string; previousDigest: string | null}
  durationMs: number
}
type Report = {
  sha: string
  base: string | null
  registry: string
  updateMain: boolean
  images: Image[]
  failures: {component: string; code: string}[]
  durationMs: number
  shard?: {id: string; index: number; count: number; plan: string; components: string[]}
  matrix?: {
    include: {
      shard: string
      args: string
      sha: string
      base?: string
      plan: string
      components: string[]
      builds: string[]
    }[]
  }
  [k: string]: unknown
}

const byComponent = (report: Report) => Object.fromEntries(report.images.map((i) => [i.component, i]))
const shardFile = (i: number) => path.join(tmp, `shard-${i}.json`)

/** Copies `from:tag` to `to:tag` byte for byte (blobs mounted across repositories), so the digest is the same. */
async function copyImage(fromRepo: string, toRepo: string, tag: string): Promise<string> {
  const manifest = await getManifest(registry, fromRepo, tag)
  const doc = manifest.json<{config: {digest: string}; layers: {digest: string}[]}>()
  for (const blob of [doc.config, ...doc.layers]) {
    const mounted = await fetch(`${registry.url}/v2/${toRepo}/blobs/uploads/?mount=${blob.digest}&from=${fromRepo}`, {
      method: 'POST',
    })
    expect(mounted.status, `mount ${blob.digest}`).toBe(201)
  }
  const put = await fetch(`${registry.url}/v2/${toRepo}/manifests/${tag}`, {
    method: 'PUT',
    headers: {'Content-Type': manifest.mediaType},
    body: manifest.body,
  })
  expect(put.status).toBe(201)
  return manifest.digest
}

/** Each shard has its own buildah store, as on its own runner. */
async function shardEnv(i: number): Promise<Record<string, string>> {
  const benv = await buildahEnv(path.join(tmp, `runner-${i}`), {insecureRegistries: [registry.host]})
  return {
    ...env,
    ...benv.env,
    AMEIDE_BUILDAH_ROOT: benv.root,
    AMEIDE_BUILDAH_RUNROOT: benv.runroot,
  }
}

const merge = (args: string[], extraEnv: Record<string, string> = {}): Promise<CliRun> =>
  runCli(['primitive', 'publish', 'merge', '--json', ...args], {
    cwd: repo.dir,
    env: {...env, AMEIDE_TEST_TIMINGS: JSON.stringify({retryDelayMs: 5}), ...extraEnv},
  })

/** What may differ between a single run and a merged matrix run: timings, the namespace, and new build digests. */
function comparable(report: Report, ns: string): unknown {
  const text = JSON.stringify(report).replaceAll(`${ns}/`, 'NS/').replaceAll(`"registry":"${ns}"`, '"registry":"NS"')
  const doc = JSON.parse(text) as Report
  doc.durationMs = 0
  for (const image of doc.images) {
    image.durationMs = 0
    if (image.action === 'built') {
      image.ref = image.ref.replace(image.digest, 'BUILT')
      image.digest = 'BUILT'
    }
  }
  return doc
}

beforeAll(async () => {
  requireTools('buildah', 'docker-registry', 'cosign')
  tmp = await makeTempDir('ameide-publish-shards-')
  registry = await startRegistry()
  setup = await buildSetup(tmp, registry)
  const dockerConfig = path.join(tmp, 'docker-config')
  await writeDockerConfig(registry, dockerConfig)
  env = {...setup.env, DOCKER_CONFIG: dockerConfig}
  nsSingle = `${registry.host}/single`
  nsSharded = `${registry.host}/sharded`
  repo = await createMonorepo(path.join(tmp, 'mono'), setup.base, registry.host, COMPONENTS)

  // The first commit, published once with :main; the sharded namespace gets the very same :main images.
  const first = await publishCli(repo.dir, nsSingle, ['--no-sign', '--update-main', '--jobs', '4'], env)
  expect(first.exitCode, first.stderr + first.stdout.slice(0, 2000)).toBe(0)
  for (const id of IDS) {
    const digest = await copyImage(`single/primitive-${id}`, `sharded/primitive-${id}`, 'main')
    expect(digest).toBe(byComponent(first.json<Report>())[id].digest)
  }

  // The second commit, on a branch: 5 of 12 components change.
  base = await git(repo.dir, ['rev-parse', 'HEAD'])
  await git(repo.dir, ['checkout', '-q', '-b', 'feature'])
  for (const component of CHANGED) await repo.touch(component, `${component} v2\n`)
  sha = await commitAll(repo.dir, 'change five')
}, 600_000)
afterAll(runCleanups)

describe('primitive publish --shard I/N and publish merge (12 components, 3 shards, real registry and buildah)', () => {
  let plan: Report
  let single: Report
  const shards: Report[] = []
  let mainBefore: Record<string, string>

  it('the dry run plans a matrix: the 5 builds spread over 3 shards, re-tags riding along, nothing written', async () => {
    const tagsBefore = await allTags(registry.url)
    const run = await publishCli(repo.dir, nsSharded, ['--no-sign', '--dry-run', '--max-shards', '3'], env)
    expect(run.exitCode, run.stderr + run.stdout.slice(0, 2000)).toBe(0)
    plan = run.json<Report>()
    assertMatchesSchema('publish.schema.json', plan)
    expect(plan.base).toBe(base)
    const include = plan.matrix!.include
    expect(include.map((e) => e.shard)).toEqual(['1/3', '2/3', '3/3'])
    expect(include.map((e) => e.builds.length)).toEqual([2, 2, 1])
    expect(include.flatMap((e) => e.builds).sort()).toEqual(CHANGED.map((c) => c.replace('/', '-')).sort())
    expect(include.flatMap((e) => e.components).sort()).toEqual(IDS)
    for (const entry of include) expect(entry).toMatchObject({sha, base, plan: include[0].plan})
    expect(include[2].args).toBe(`--shard 3/3 --sha ${sha} --base ${base}`)
    expect(await allTags(registry.url)).toEqual(tagsBefore)

    // more shards than builds are never planned; one shard by default
    const wide = await publishCli(repo.dir, nsSharded, ['--no-sign', '--dry-run', '--max-shards', '50'], env)
    expect(wide.json<Report>().matrix!.include).toHaveLength(5)
    const one = await publishCli(repo.dir, nsSharded, ['--no-sign', '--dry-run'], env)
    expect(one.json<Report>().matrix!.include.map((e) => [e.shard, e.components.length])).toEqual([['1/1', 12]])
  })

  it('three shards run concurrently, each publishing exactly its components; :main does not move', async () => {
    mainBefore = Object.fromEntries(
      await Promise.all(
        IDS.map(async (id) => [id, (await getManifest(registry, `sharded/primitive-${id}`, 'main')).digest] as const),
      ),
    )
    const runs = await Promise.all(
      plan.matrix!.include.map(async (entry, i) =>
        publishCli(
          repo.dir,
          nsSharded,
          [
            '--no-sign',
            '--shard',
            entry.shard,
            '--sha',
            entry.sha,
            '--base',
            entry.base!,
            '--output',
            shardFile(i + 1),
          ],
          await shardEnv(i + 1),
        ),
      ),
    )
    runs.forEach((run, i) => {
      expect(run.exitCode, `shard ${i + 1}: ${run.stderr}${run.stdout.slice(0, 2000)}`).toBe(0)
      const report = run.json<Report>()
      assertMatchesSchema('publish.schema.json', report)
      const entry = plan.matrix!.include[i]
      expect(report.shard).toEqual({
        id: entry.shard,
        index: i + 1,
        count: 3,
        plan: entry.plan,
        components: entry.components,
      })
      expect(report.images.map((image) => image.component)).toEqual(entry.components)
      expect(report.images.filter((image) => image.action === 'built').map((image) => image.component)).toEqual(
        entry.builds,
      )
      expect(report.images.every((image) => image.main === undefined)).toBe(true)
      shards.push(report)
    })
    for (const id of IDS) {
      expect((await getManifest(registry, `sharded/primitive-${id}`, 'main')).digest, id).toBe(mainBefore[id])
    }
  })

  it('the same commit as one run (for the comparison)', async () => {
    const run = await publishCli(
      repo.dir,
      nsSingle,
      ['--no-sign', '--update-main', '--sha', sha, '--base', base, '--jobs', '4'],
      env,
    )
    expect(run.exitCode, run.stderr + run.stdout.slice(0, 2000)).toBe(0)
    single = run.json<Report>()
    expect(single.images.filter((i) => i.action === 'built')).toHaveLength(5)
    expect(single.images.filter((i) => i.action === 'retagged')).toHaveLength(7)
  })

  it('merge refuses a missing, duplicated or mismatched report (exit 2), before touching the registry', async () => {
    const tagsBefore = await allTags(registry.url)
    const write = async (name: string, doc: unknown) => {
      const file = path.join(tmp, name)
      await writeFile(file, JSON.stringify(doc))
      return file
    }
    const copy = (i: number) => structuredClone(shards[i]) as Report
    // The refusals are independent: run side by side, awaited together below.
    const checks: Promise<void>[] = []
    const expectError = (args: string[], code: string, message: RegExp) =>
      checks.push(
        merge([...args, '--update-main']).then((run) => {
          expect(run.exitCode, run.stdout).toBe(2)
          assertMatchesSchema('error.schema.json', run.json())
          expect(run.json().error).toMatchObject({code, exitCode: 2})
          expect(run.json().error.message).toMatch(message)
        }),
      )

    expectError([shardFile(1), shardFile(3)], 'SHARD_MISSING', /shard 2\/3/)
    expectError([shardFile(1), shardFile(2), shardFile(3), shardFile(2)], 'SHARD_DUPLICATED', /2\/3/)

    const stolen = copy(1)
    stolen.images.push(shards[0].images[0])
    expectError(
      [shardFile(1), await write('dup-component.json', stolen), shardFile(3)],
      'COMPONENT_DUPLICATED',
      new RegExp(shards[0].images[0].component),
    )

    const twice = copy(1)
    twice.images.push(twice.images[0])
    expectError(
      [shardFile(1), await write('twice.json', twice), shardFile(3)],
      'COMPONENT_DUPLICATED',
      new RegExp(`lists ${twice.images[0].component} twice`),
    )
    const beyond = copy(2)
    beyond.shard = {...beyond.shard!, index: 5, id: '5/3'}
    expectError(
      [shardFile(1), shardFile(2), shardFile(3), await write('beyond.json', beyond)],
      'SHARD_REPORT_INVALID',
      /shard 5 is beyond the plan's 3/,
    )
    const relabelled = copy(2)
    relabelled.shard = {...relabelled.shard!, id: '2/3'}
    expectError(
      [shardFile(1), shardFile(2), await write('relabelled.json', relabelled)],
      'SHARD_REPORT_INVALID',
      /is not 3\/3/,
    )

    const short = copy(2)
    const dropped = short.images.pop()!
    expectError(
      [shardFile(1), shardFile(2), await write('short.json', short)],
      'COMPONENT_MISSING',
      new RegExp(dropped.component),
    )

    const otherSha = copy(2)
    otherSha.sha = 'f'.repeat(40)
    expectError([shardFile(1), shardFile(2), await write('other-sha.json', otherSha)], 'SHARD_REPORT_MISMATCH', /sha/)
    const otherPlan = copy(2)
    otherPlan.shard!.plan = `sha256:${'0'.repeat(64)}`
    expectError(
      [shardFile(1), shardFile(2), await write('other-plan.json', otherPlan)],
      'SHARD_REPORT_MISMATCH',
      /plan/,
    )
    const otherRegistry = copy(2)
    otherRegistry.registry = nsSingle
    expectError(
      [shardFile(1), shardFile(2), await write('other-registry.json', otherRegistry)],
      'SHARD_REPORT_MISMATCH',
      /registry/,
    )
    // a whole run's report, a file that is not JSON, a file that is not there
    const whole = await write('single.json', single)
    expectError([shardFile(1), shardFile(2), whole], 'SHARD_REPORT_INVALID', /not of a shard/)
    const garbage = path.join(tmp, 'garbage.json')
    await writeFile(garbage, '{"schemaVersion": 1,')
    expectError([garbage], 'SHARD_REPORT_INVALID', /not a JSON document/)
    expectError([path.join(tmp, 'nope.json')], 'SHARD_REPORT_INVALID', /no such file/)

    await Promise.all(checks)

    // a shard that failed: the merge reports it (exit 1) and :main stays where it was
    const failed = copy(0)
    const lost = failed.images.shift()!
    failed.failures.push({component: lost.component, code: 'BUILD_FAILED', message: 'boom', exitCode: 1} as never)
    const run = await merge([await write('failed.json', failed), shardFile(2), shardFile(3), '--update-main'])
    expect(run.exitCode, run.stdout).toBe(1)
    const partial = run.json<Report>()
    assertMatchesSchema('publish.schema.json', partial)
    expect(partial.failures.map((f) => f.component)).toEqual([lost.component])
    expect(partial.images.every((i) => i.main === undefined)).toBe(true)

    expect(await allTags(registry.url)).toEqual(tagsBefore)
    for (const id of IDS) {
      expect((await getManifest(registry, `sharded/primitive-${id}`, 'main')).digest, id).toBe(mainBefore[id])
    }
  })

  it('merge gives the single run’s report, moves :main once, writes the GitHub outputs and summary', async () => {
    const outputFile = path.join(tmp, 'gh-output')
    const summaryFile = path.join(tmp, 'gh-summary')
    await writeFile(outputFile, '')
    await writeFile(summaryFile, '')
    const mergedFile = path.join(tmp, 'merged.json')
    // any order of the reports; a directory stands for the files in it
    const run = await merge([shardFile(3), shardFile(1), shardFile(2), '--update-main', '--output', mergedFile], {
      GITHUB_ACTIONS: 'true',
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
    })
    expect(run.exitCode, run.stderr + run.stdout.slice(0, 2000)).toBe(0)
    const merged = run.json<Report>()
    assertMatchesSchema('publish.schema.json', merged)
    expect(JSON.parse(await readFile(mergedFile, 'utf8'))).toEqual(merged)
    expect(merged).not.toHaveProperty('shard')
    expect(comparable(merged, nsSharded)).toEqual(comparable(single, nsSingle))

    // :main moved for the 5 builds (from the shared first-commit digest), stayed for the 7 re-tags
    const images = byComponent(merged)
    for (const id of IDS) {
      const changed = CHANGED.includes(id.replace('-', '/'))
      expect(images[id].main).toEqual({action: changed ? 'moved' : 'unchanged', previousDigest: mainBefore[id]})
      expect((await getManifest(registry, `sharded/primitive-${id}`, 'main')).digest).toBe(images[id].digest)
      expect((await getManifest(registry, `sharded/primitive-${id}`, sha)).digest).toBe(images[id].digest)
    }
    const tags = await allTags(registry.url)
    for (const id of IDS) expect(tags[`sharded/primitive-${id}`]).toEqual([sha, 'main'].sort())

    const outputs = await readFile(outputFile, 'utf8')
    const block = /images<<(\S+)\n(.*)\n\1\n/s.exec(outputs)
    expect(JSON.parse(block![2])).toEqual(merged.images)
    for (const image of merged.images) expect(outputs).toContain(`\n${image.component}=${image.ref}\n`)
    expect(outputs).toContain('\nfailed=false\n')
    const summary = await readFile(summaryFile, 'utf8')
    for (const image of merged.images) expect(summary).toContain(`\`${image.ref}\``)

    // merging again (a rerun of the merge job) moves nothing: :main moved once
    const again = await merge([shardFile(1), shardFile(2), shardFile(3), '--update-main'])
    expect(again.exitCode, again.stdout.slice(0, 2000)).toBe(0)
    for (const image of again.json<Report>().images) {
      expect(image.main).toEqual({action: 'unchanged', previousDigest: image.digest})
    }
    expect(await allTags(registry.url)).toEqual(tags)
  })

  it('a report directory is every *.json in it', async () => {
    const dir = path.join(tmp, 'artifacts')
    for (const i of [1, 2, 3]) {
      await mkdir(path.join(dir, `publish-shard-${i}`), {recursive: true})
      await copyFile(shardFile(i), path.join(dir, `publish-shard-${i}`, 'report.json'))
    }
    const run = await merge([dir])
    expect(run.exitCode, run.stdout.slice(0, 2000)).toBe(0)
    expect(run.json<Report>().images.map((i) => i.component)).toEqual(IDS)
  })
})

describe('signing per shard (cosign key, SLSA provenance; --sbom none keeps it cheap, the SBOM path is publish-e2e)', () => {
  it('each shard signs and attests what it publishes; the merged refs verify', async () => {
    const keys = await generateKeyPair(path.join(tmp, 'keys'), 'shard-key-password-5e2a')
    await repo.touch('domain/alpha', 'domain/alpha v3\n')
    await repo.touch('process/beta', 'process/beta v3\n')
    const head = await commitAll(repo.dir, 'change two')
    const selection = ['--component', 'domain/alpha', '--component', 'process/beta', '--component', 'agent/beta']
    const signed = {...env, ...keys.env}
    const dry = await publishCli(
      repo.dir,
      nsSharded,
      [
        '--key',
        keys.privateKey,
        '--no-tlog',
        '--sbom',
        'none',
        '--dry-run',
        '--max-shards',
        '2',
        '--base',
        sha,
        ...selection,
      ],
      signed,
    )
    expect(dry.exitCode, dry.stdout.slice(0, 2000)).toBe(0)
    const include = dry.json<Report>().matrix!.include
    expect(include.map((e) => e.builds)).toEqual([['domain-alpha'], ['process-beta']])
    expect(include.map((e) => e.args)).toEqual([1, 2].map((i) => `--shard ${i}/2 --sha ${head} --base ${sha}`))
    const files = include.map((_, i) => path.join(tmp, `signed-shard-${i + 1}.json`))
    const runs = await Promise.all(
      include.map(async (entry, i) =>
        publishCli(
          repo.dir,
          nsSharded,
          [
            '--key',
            keys.privateKey,
            '--no-tlog',
            '--sbom',
            'none',
            // the matrix entry's args, split on white space as the action splits its `args`
            ...entry.args.split(' '),
            '--output',
            files[i],
            ...selection,
          ],
          {...(await shardEnv(10 + i)), ...keys.env},
        ),
      ),
    )
    for (const run of runs) {
      expect(run.exitCode, run.stderr + run.stdout.slice(0, 2000)).toBe(0)
      expect(run.stdout + run.stderr).not.toContain('shard-key-password-5e2a')
    }
    const run = await merge(files)
    expect(run.exitCode, run.stdout.slice(0, 2000)).toBe(0)
    const merged = run.json<Report>()
    expect(merged.images.map((i) => [i.component, i.action, i.signature.status])).toEqual([
      ['agent-beta', 'retagged', 'signed'],
      ['domain-alpha', 'built', 'signed'],
      ['process-beta', 'built', 'signed'],
    ])
    for (const image of merged.images) {
      expect(image.attestations.map((a) => [a.type, a.status])).toEqual([
        ['cyclonedx', 'skipped'],
        ['slsaprovenance1', 'attested'],
      ])
      expect((await verifyImage(keys, image.ref)).length).toBeGreaterThan(0)
      await verifyAttestation(keys, image.ref, 'slsaprovenance1')
    }
  })
})

describe('--shard usage (exit 2 before any repository is looked at)', () => {
  it.each(['0/3', '4/3', 'x'])('--shard %s', async (value) => {
    const run = await runCli(['primitive', 'publish', '--json', '--no-sign', '--shard', value], {cwd: tmp})
    expect(run.exitCode).toBe(2)
    expect(run.json().error.code).toBe('INVALID_SHARD')
  })

  it('--update-main with --shard: only merge moves :main', async () => {
    const run = await runCli(['primitive', 'publish', '--json', '--no-sign', '--shard', '1/2', '--update-main'], {
      cwd: tmp,
    })
    expect(run.exitCode).toBe(2)
    expect(run.json().error.code).toBe('UPDATE_MAIN_IN_SHARD')
  })
})
