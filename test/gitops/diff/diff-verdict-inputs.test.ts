/**
 * A not-rendered finding is about what the controller builds from, never the whole object: a Flux Kustomization over
 * an OCIRepository (not rendered offline) whose only changes are its apiVersion and apply settings (interval,
 * timeout, prune, wait, dependsOn — the field table's not-rendering rows) leaves the diff exact; a change to what
 * kustomize-controller builds (its path, its source's tag) makes it incomplete. Real git, the built CLI.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {renderingPart} from '../../../src/gitops/fields/check.js'
import {diffLast, history} from '../../support/diff-repo.js'
import {runCleanups} from '../../support/tmp.js'
import {toolEnv} from '../../support/toolchain.js'

afterAll(runCleanups)

type Result = {summary: string; failures: Array<{revision: string; file: string; message: string}>}

let env: Record<string, string | undefined>
beforeAll(() => {
  env = toolEnv()
})

const oci = [
  'apiVersion: source.toolkit.fluxcd.io/v1',
  'kind: OCIRepository',
  'metadata: {name: app, namespace: flux-system}',
  "spec: {interval: 1m, url: oci://ghcr.io/acme/manifests, ref: {tag: '1.0.0'}}",
  '---',
  '',
].join('\n')

const kustomization = (apiVersion: string, spec: string) =>
  [
    `apiVersion: kustomize.toolkit.fluxcd.io/${apiVersion}`,
    'kind: Kustomization',
    'metadata: {name: app, namespace: flux-system}',
    `spec: {${spec}, sourceRef: {kind: OCIRepository, name: app}}`,
    '',
  ].join('\n')

const BEFORE = kustomization('v1beta2', 'interval: 10m, path: ./deploy, prune: false, timeout: 1m')

describe('a Flux Kustomization not rendered (over an OCIRepository)', () => {
  it('its apiVersion and apply settings changed (interval, timeout, prune, wait, dependsOn): exact, exit 0', async () => {
    const after = kustomization(
      'v1',
      'interval: 5m, path: ./deploy, prune: true, timeout: 3m, wait: true, dependsOn: [{name: infra}]',
    )
    const repo = await history({'flux/app.yaml': oci + BEFORE}, {'flux/app.yaml': oci + after})
    const {exitCode, result} = await diffLast<Result>(repo, env)
    expect(result.failures).toEqual([])
    expect(exitCode).toBe(0)
    expect(result.summary).toBe('unchanged')
  })

  it('what it builds changed (its path): incomplete, named', async () => {
    const after = kustomization('v1beta2', 'interval: 10m, path: ./other, prune: false, timeout: 1m')
    const repo = await history({'flux/app.yaml': oci + BEFORE}, {'flux/app.yaml': oci + after})
    const {exitCode, result} = await diffLast<Result>(repo, env)
    expect(exitCode).toBe(1)
    expect(result.failures.map((f) => [f.revision, f.file])).toEqual([
      ['base', 'flux/app.yaml'],
      ['head', 'flux/app.yaml'],
    ])
  })

  it('renderingPart keeps what kustomize-controller builds from', () => {
    const spec = {
      interval: '1m',
      timeout: '2m',
      prune: true,
      path: './x',
      sourceRef: {kind: 'GitRepository', name: 'a', apiVersion: 'v1'},
    }
    expect(renderingPart('Kustomization', 'spec', spec)).toEqual({
      path: './x',
      sourceRef: {kind: 'GitRepository', name: 'a'},
    })
    expect(spec.interval).toBe('1m') // a copy
  })
})
