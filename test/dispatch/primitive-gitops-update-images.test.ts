import {readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, afterEach, describe, expect, it} from 'vitest'

import {dispatchAndFollow} from '../../src/dispatch/run.js'
import {updateImagesInputs} from '../../src/dispatch/update-images.js'
import {runCli} from '../support/cli.js'
import {startFakeGitHub, type FakeGitHub} from '../support/github-server.js'
import {assertMatchesSchema} from '../support/schema.js'
import {makeTempDir, runCleanups} from '../support/tmp.js'

/**
 * `primitive gitops update-images` against the OpenAPI-validating stand-in, which serves the checked-in example
 * workflow (docs/examples/gitops/update-image-refs.yaml): its declared inputs are what the command is checked against.
 */
const TOKEN = 'ghp_updateImagesCANARY0123456789abcdefgh'
const SHA = '4b1e9f0c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f70'
const E = 'e'.repeat(64)
const EXAMPLE = new URL('../../docs/examples/gitops/update-image-refs.yaml', import.meta.url)

const servers: FakeGitHub[] = []
afterEach(async () => {
  const all = servers.splice(0)
  for (const s of all) await s.close()
  for (const s of all) expect(s.violations).toEqual([])
})
afterAll(runCleanups)

async function fake(prBranch: string | null = `ameide/images-local-${SHA.slice(0, 12)}`) {
  const yaml = await readFile(EXAMPLE, 'utf8')
  const server = await startFakeGitHub({
    token: TOKEN,
    workflows: [{id: 7001, file: 'update-image-refs.yaml', yaml}],
    prBranch,
  })
  servers.push(server)
  return server
}

async function report(images: Array<{component: string; ref: string}>): Promise<string> {
  const file = path.join(await makeTempDir(), 'publish.json')
  await writeFile(file, JSON.stringify({schemaVersion: 1, sha: SHA, images, failures: []}))
  return file
}

const ORDERS = {component: 'domain-orders', ref: `ghcr.io/ameideio/primitive-domain-orders:${SHA}@sha256:${E}`}

describe('ameide primitive gitops update-images', () => {
  it("--dry-run validates env, source_sha and refs against the workflow's declared inputs and sends nothing", async () => {
    const server = await fake()
    const file = await report([ORDERS])
    const run = await runCli(
      ['primitive', 'gitops', 'update-images', '--json', '--report', file, '--env', 'local', '--dry-run'],
      {env: {GH_TOKEN: TOKEN, GITHUB_API_URL: server.url}},
    )
    expect(run.exitCode, run.stdout).toBe(0)
    const result = run.json()
    assertMatchesSchema('gitops-update-images.schema.json', result)
    expect(result.workflow).toBe('update-image-refs.yaml')
    expect(result.inputs).toEqual({
      env: 'local',
      source_sha: SHA,
      refs: JSON.stringify({'ghcr.io/ameideio/primitive-domain-orders': ORDERS.ref}),
    })
    expect(server.requestsFor('actions/create-workflow-dispatch')).toEqual([])
    const qa = await runCli(
      ['primitive', 'gitops', 'update-images', '--json', '--report', file, '--env', 'qa', '--dry-run'],
      {env: {GH_TOKEN: TOKEN, GITHUB_API_URL: server.url}},
    )
    expect(qa.exitCode).toBe(2)
    expect(qa.json().error.code).toBe('INPUT_NOT_ALLOWED')
  })

  it('dispatches and follows the run to the PR on the branch set-image uses (shared dispatch-and-follow)', async () => {
    const server = await fake()
    const {inputs, sha} = await updateImagesInputs(await report([ORDERS]), 'local')
    const {result} = await dispatchAndFollow(
      {
        repository: 'ameideio/ameide-gitops',
        workflow: 'update-image-refs.yaml',
        ref: 'main',
        inputs,
        prBranch: `ameide/images-local-${sha.slice(0, 12)}`,
        prSearch: 'images-local',
        afterPr: [],
        apiUrl: server.url,
        wait: true,
        timeoutMs: 30_000,
        dryRun: false,
        env: {GH_TOKEN: TOKEN},
      },
      {timings: {pollInitialMs: 5, pollMaxMs: 10, transport: {retryBaseMs: 5}}},
    )
    assertMatchesSchema('gitops-update-images.schema.json', result)
    expect(result.run).toMatchObject({status: 'completed', conclusion: 'success', correlation: 'returned'})
    expect(result.pullRequest).toMatchObject({branch: `ameide/images-local-${SHA.slice(0, 12)}`})
    expect(server.requestsFor('actions/create-workflow-dispatch')[0].body).toMatchObject({inputs})
  })

  it("refuses refs that are not digest-pinned and inputs over GitHub's size limit (exit 2)", async () => {
    await expect(
      updateImagesInputs(await report([{component: 'domain-orders', ref: 'ghcr.io/a/b:dev'}]), 'local'),
    ).rejects.toMatchObject({code: 'INVALID_IMAGE_REF', exitCode: 2})
    const many = Array.from({length: 400}, (_, i) => ({
      component: `domain-orders-${i}`,
      ref: `ghcr.io/ameideio/primitive-domain-orders-with-a-long-name-${i}:${SHA}@sha256:${E}`,
    }))
    await expect(updateImagesInputs(await report(many), 'local')).rejects.toMatchObject({
      code: 'INPUTS_TOO_LARGE',
      exitCode: 2,
    })
  })
})
