/**
 * The template engine's answers kept between runs (src/effects/gotemplate/answers.ts): a second `gitops diff` of the
 * same ApplicationSets answers from `<git dir>/ameide/cache/gitops-templates.json` and never starts the engine — run
 * here with an engine whose glue fails at its start, so a start would make the ApplicationSet unavailable. Without
 * the file (`--no-cache`, or a first run), that engine is asked, and the diff says it could not be.
 */
import {existsSync} from 'node:fs'
import {writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {diffLast, history} from '../../support/diff-repo.js'
import {makeTempDir, runCleanups} from '../../support/tmp.js'
import {requireTool, toolEnv} from '../../support/toolchain.js'

afterAll(runCleanups)

type Result = {summary: string; deployables: Array<{application?: string}>; failures: Array<{message: string}>}

let env: Record<string, string | undefined>
beforeAll(() => {
  requireTool('kustomize')
  requireTool('helm')
  env = toolEnv()
})

const ORIGIN = 'https://github.com/example/fleet.git'
const appSet = [
  'apiVersion: argoproj.io/v1alpha1',
  'kind: ApplicationSet',
  'metadata: {name: envs, namespace: argocd}',
  'spec:',
  '  goTemplate: true',
  '  generators:',
  '    - list: {elements: [{env: dev}, {env: prod}]}',
  '  template:',
  "    metadata: {name: 'web-{{ .env }}'}",
  '    spec:',
  '      project: default',
  `      source: {repoURL: '${ORIGIN}', targetRevision: HEAD, path: 'apps/{{ .env }}'}`,
  "      destination: {server: https://kubernetes.default.svc, namespace: '{{ .env }}'}",
  '',
].join('\n')
const configMap = (value: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata: {a: "${value}"}\n`

describe("the template engine's kept answers", () => {
  it('a second diff answers without starting the engine; without them the engine is asked', async () => {
    const repo = await history(
      {'argocd/envs.yaml': appSet, 'apps/dev/cm.yaml': configMap('1'), 'apps/prod/cm.yaml': configMap('1')},
      {'apps/prod/cm.yaml': configMap('2')},
    )
    // The engine in WebAssembly, so that a broken glue (below) shows whether it started: the kept answers are the
    // same whichever engine gave them.
    const wasm = {...env, AMEIDE_RENDER_ENGINE: 'wasm'}
    const first = await diffLast<Result>(repo, wasm)
    expect(first.result.summary, JSON.stringify(first.result.failures)).toBe('changed')
    expect(first.result.deployables.map((d) => d.application)).toEqual(['web-prod'])
    const kept = path.join(repo, '.git', 'ameide', 'cache', 'gitops-templates.json')
    expect(existsSync(kept)).toBe(true)
    // An engine that cannot start: its glue throws.
    const broken = path.join(await makeTempDir('ameide-broken-engine-'), 'wasm_exec.js')
    await writeFile(broken, "throw new Error('the engine was started')\n")
    const withBroken = {...wasm, AMEIDE_GOTEMPLATE_GLUE: broken}
    const second = await diffLast<Result>(repo, withBroken)
    expect(second.result).toEqual(first.result)
    const uncached = await diffLast<Result>(repo, withBroken, ['--no-cache'])
    expect(uncached.result.summary).toBe('incomplete')
    expect(JSON.stringify(uncached.result.failures)).toContain('the template engine did not start')
  })
})
