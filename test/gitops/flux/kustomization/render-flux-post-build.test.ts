/**
 * A Flux Kustomization's post-build variable substitution by Flux's own code (issue 54): the render module's
 * `flux substitute` (effects/render-module/flux.ts, go/flux.go: fluxcd/pkg envsubst in kustomize-controller's
 * per-resource wrapper) over the module's `kustomize build`, with the variables ameide resolves from the revision
 * (render/flux-kustomization.ts fluxFields), against kustomize-controller's build step run natively with fluxcd/pkg's
 * own kustomize package (testdata/flux-postbuild: SecureBuild, then kustomize.SubstituteVariables per resource, its
 * ConfigMaps and Secrets from a file): the same YAML byte for byte, or the same error. Then the gate: the objects and
 * images as Flux deploys them, an honest failure naming the root, and no module → render-unavailable, named.
 */
import {execFile} from 'node:child_process'
import {existsSync} from 'node:fs'
import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {promisify} from 'node:util'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {sharedRenderModule} from '../../../../src/effects/render-module/host.js'
import {moduleFluxPostBuild, type FluxPostBuild} from '../../../../src/effects/render-module/flux.js'
import {moduleKustomize} from '../../../../src/effects/render-module/kustomize.js'
import type {Kustomize} from '../../../../src/effects/kustomize.js'
import * as YAML from 'yaml'
import {fluxFields, holdersOf} from '../../../../src/gitops/flux/kustomization/kustomization.js'
import {runCli} from '../../../support/cli.js'
import {history} from '../../../support/diff-repo.js'
import {runToEnd} from '../../../support/exec.js'
import {makeTempDir, runCleanups} from '../../../support/tmp.js'
import {toolEnv} from '../../../support/toolchain.js'
import {cliWithoutRenderModule} from '../../../support/unbuilt-package.js'

afterAll(runCleanups)

const run = promisify(execFile)
const repoRoot = path.resolve(import.meta.dirname, '../../../..')
const reference = path.join(import.meta.dirname, '../../testdata/flux-postbuild')

let postBuild: FluxPostBuild
let kustomize: Kustomize
let native: string

beforeAll(async () => {
  const module = sharedRenderModule()
  if (!module?.build.envsubst) throw new Error('the render module is not built with Flux envsubst: npm run build')
  postBuild = moduleFluxPostBuild(module, module.build.envsubst)
  kustomize = moduleKustomize(module)
  // The reference needs Go 1.27 (fluxcd/pkg kustomize v1.44.0's go line): the go command fetches go1.27.3 through the
  // Go module proxy (GOTOOLCHAIN; 76 MB, once per machine), whatever Go is on PATH.
  const go = [process.env.AMEIDE_GO, path.join(repoRoot, '.tools/bin/go')].find((g) => g && existsSync(g)) ?? 'go'
  native = path.join(await makeTempDir('ameide-flux-native-'), 'flux-postbuild')
  await runToEnd(go, ['build', '-trimpath', '-o', native, '.'], {
    cwd: reference,
    showStderr: true,
    env: {...process.env, GOTOOLCHAIN: 'go1.27.3', GOFLAGS: '-mod=readonly', CGO_ENABLED: '0'},
  })
}, 1_200_000)

interface Case {
  /** The resources of the folder (one file, kustomization.yaml listing it). */
  resources: string
  /** The Flux Kustomization's `spec.postBuild`, as YAML lines under it. */
  postBuild: string[]
  /** The revision's ConfigMaps and Secrets (namespace flux-system). */
  holders?: string
  /** Flux fails it (so an agreement is not two failures of the case itself). */
  fails?: true
}

const kustomization = (c: Case) =>
  [
    'apiVersion: kustomize.toolkit.fluxcd.io/v1',
    'kind: Kustomization',
    'metadata: {name: apps, namespace: flux-system}',
    'spec:',
    '  postBuild:',
    ...c.postBuild.map((l) => `    ${l}`),
    '',
  ].join('\n')

async function folder(c: Case): Promise<string> {
  const dir = await makeTempDir('ameide-flux-case-')
  await writeFile(path.join(dir, 'kustomization.yaml'), 'resources:\n  - resources.yaml\n')
  await writeFile(path.join(dir, 'resources.yaml'), c.resources)
  await mkdir(path.join(dir, '.flux'))
  await writeFile(path.join(dir, '.flux/ks.yaml'), kustomization(c))
  await writeFile(path.join(dir, '.flux/holders.yaml'), c.holders ?? 'kind: None\n')
  return dir
}

/** kustomize-controller's answer, natively: the YAML, or its error. */
async function flux(dir: string): Promise<{ok: boolean; out: string}> {
  try {
    const {stdout} = await run(native, [dir, path.join(dir, '.flux/ks.yaml'), path.join(dir, '.flux/holders.yaml')])
    return {ok: true, out: stdout}
  } catch (e) {
    return {
      ok: false,
      out: String((e as {stderr?: string}).stderr ?? e)
        .replace(/^Error: /, '')
        .trim(),
    }
  }
}

/** ameide's: the module's kustomize build, the variables resolved from the revision, the module's post-build. */
async function ameide(dir: string, c: Case): Promise<{ok: boolean; out: string}> {
  const built = await kustomize.build(dir, {reads: [dir]})
  if (!built.ok) throw new Error(built.message)
  const holders = new Map<string, Record<string, string>>()
  holdersOf(YAML, c.holders ?? '', holders)
  const fields = fluxFields(YAML.parse(kustomization(c)), holders)
  if (!fields || 'unavailable' in fields) throw new Error(`no post-build: ${JSON.stringify(fields)}`)
  if (!fields.substitute) return {ok: true, out: built.yaml}
  const result = await postBuild.substitute({
    yaml: built.yaml,
    vars: fields.substitute,
    always: fields.substituteAlways === true,
  })
  return result.ok ? {ok: true, out: result.yaml} : {ok: false, out: result.message}
}

const configMap = (name: string, data: string[], extra: string[] = []) =>
  [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    `  name: ${name}`,
    ...extra,
    'data:',
    ...data.map((d) => `  ${d}`),
    '',
  ].join('\n')

const CASES: Record<string, Case> = {
  'the forms the regex handled: ${var}, :=, :-, $${…} kept literal': {
    resources: configMap('forms', [
      'plain: ${CLUSTER}',
      'inline: "https://${CLUSTER}.example.com/${REGION}"',
      'colonEquals: ${UNSET:=fallback}',
      'colonDash: ${EMPTY:-fallback}',
      'escaped: $${CLUSTER}',
    ]),
    postBuild: ['substitute: {CLUSTER: prod-eu, REGION: eu-west-1, EMPTY: ""}'],
  },
  // The regex kept an empty value for `=`: envsubst takes the default.
  '${var=default} of an empty variable: the default, as envsubst has it': {
    resources: configMap('equals', ['equals: ${EMPTY=from-default}', 'unset: ${UNSET=from-default}']),
    postBuild: ['substitute: {EMPTY: ""}'],
  },
  // The regex substituted `-` defaults: envsubst has no such form (an error, as the reconcile fails).
  '${var-default}: an error, as in the cluster': {
    resources: configMap('dash', ['dash: ${UNSET-x-y}']),
    postBuild: ['substitute: {CLUSTER: prod-eu}'],
    fails: true,
  },
  'forms only envsubst knows: case, substring, replacement, length, prefix and suffix removal': {
    resources: configMap('bash', [
      'upper: ${CLUSTER^^}',
      'lower: ${NAME,,}',
      'first: ${NAME^}',
      'slice: ${NAME:0:3}',
      'from: ${NAME:3}',
      'replaced: ${V/old/new}',
      'all: ${V//o/0}',
      'length: "${#V}"',
      'prefix: ${V#old-}',
      'suffix: ${V%-value}',
    ]),
    postBuild: ['substitute: {CLUSTER: prod-eu, NAME: WebApp, V: old-value-old}'],
  },
  'a resource annotated or labeled substitute: disabled is left as it is': {
    resources: [
      configMap(
        'annotated',
        ['v: ${CLUSTER^^}'],
        ['  annotations:', '    kustomize.toolkit.fluxcd.io/substitute: disabled'],
      ),
      configMap('labeled', ['v: ${CLUSTER}'], ['  labels:', '    kustomize.toolkit.fluxcd.io/substitute: disabled']),
      configMap('substituted', ['v: ${CLUSTER}']),
    ].join('---\n'),
    postBuild: ['substitute: {CLUSTER: prod-eu}'],
  },
  'substituteFrom: a ConfigMap and a Secret of the revision, newlines dropped, postBuild.substitute over them': {
    resources: configMap('from', ['registry: ${REGISTRY}', 'token: ${TOKEN}', 'tag: ${TAG}', 'multi: "${MULTI}"']),
    postBuild: [
      'substitute: {TAG: "2.0.0"}',
      'substituteFrom:',
      '  - {kind: ConfigMap, name: cluster-vars}',
      '  - {kind: Secret, name: cluster-secrets}',
      '  - {kind: ConfigMap, name: absent, optional: true}',
    ],
    holders: [
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cluster-vars, namespace: flux-system}',
      'data: {REGISTRY: ghcr.io/acme, TAG: "1.0.0", MULTI: "a\\nb\\n"}',
      '---',
      'apiVersion: v1\nkind: Secret\nmetadata: {name: cluster-secrets, namespace: flux-system}',
      `data: {TOKEN: ${Buffer.from('s3cr3t\n').toString('base64')}}`,
      '',
    ].join('\n'),
  },
  'substituteStrategy Always: defaults applied with no variable': {
    resources: configMap('always', ['v: ${UNSET:=from-default}']),
    postBuild: ['substituteStrategy: Always'],
  },
  // The default strategy (IfVariablesExist): no variable at all, nothing substituted — the default stays written.
  'substituteStrategy unset: with no variable, nothing is substituted': {
    resources: configMap('unset', ['v: ${UNSET:=from-default}']),
    postBuild: ['substituteFrom: [{kind: ConfigMap, name: absent, optional: true}]'],
  },
  'strict: a variable with no value and no default fails': {
    resources: configMap('strict', ['v: ${CLUSTER}-${MISSING}']),
    postBuild: ['substitute: {CLUSTER: prod-eu}'],
    fails: true,
  },
  'a value that breaks the YAML fails': {
    resources: configMap('broken', ['v: ${VALUE}']),
    postBuild: ['substitute: {VALUE: "a: b: c"}'],
    fails: true,
  },
  'a variable name envsubst refuses fails': {
    resources: configMap('named', ['v: x']),
    postBuild: ['substitute: {"bad-name": x}'],
    fails: true,
  },
}

describe("Flux's post-build: the render module against kustomize-controller's build, natively", () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(
      name,
      async () => {
        const dir = await folder(c)
        const [want, got] = await Promise.all([flux(dir), ameide(dir, c)])
        expect(got).toEqual(want)
        expect(want.ok, want.out).toBe(c.fails !== true)
      },
      60_000,
    )
  }

  it('substituteFrom optional, substituteStrategy Always and unset: as kustomize-controller builds them', async () => {
    const named = [
      'substituteFrom: a ConfigMap and a Secret of the revision, newlines dropped, postBuild.substitute over them',
      'substituteStrategy Always: defaults applied with no variable',
      'substituteStrategy unset: with no variable, nothing is substituted',
    ]
    const outs = []
    for (const name of named) {
      const c = CASES[name]!
      const dir = await folder(c)
      const [want, got] = await Promise.all([flux(dir), ameide(dir, c)])
      expect(got).toEqual(want)
      outs.push(want.out)
    }
    // Flux's answers: the optional ConfigMap absent is skipped; Always takes the default; unset leaves it written.
    expect(outs[0]).toContain('registry: ghcr.io/acme')
    expect(outs[1]).toContain('v: from-default')
    expect(outs[2]).toContain('v: ${UNSET:=from-default}')
  }, 60_000)

  it("gives Flux's answers (the reference is not vacuous)", async () => {
    const bash = await flux(
      await folder(
        CASES['forms only envsubst knows: case, substring, replacement, length, prefix and suffix removal']!,
      ),
    )
    for (const line of [
      'upper: PROD-EU',
      'lower: webapp',
      'slice: Web',
      'replaced: new-value-old',
      'all: 0ld-value-0ld',
      'length: 13',
      'prefix: value-old',
    ])
      expect(bash.out).toContain(line)
    const escaped = await flux(await folder(CASES['the forms the regex handled: ${var}, :=, :-, $${…} kept literal']!))
    // What the regex gave for these forms, too.
    for (const line of [
      'plain: prod-eu',
      'inline: https://prod-eu.example.com/eu-west-1',
      'colonEquals: fallback',
      'colonDash: fallback',
      'escaped: ${CLUSTER}',
    ])
      expect(escaped.out).toContain(line)
    const broken = await flux(await folder(CASES['a value that breaks the YAML fails']!))
    expect(broken).toEqual({
      ok: false,
      out: expect.stringContaining("post build failed for 'ConfigMap.v1.[noGrp]/broken'"),
    })
  }, 60_000)
})

describe('the gate: a Flux root rendered with its post-build as kustomize-controller runs it', () => {
  const fleet = (image: string, vars: string): Record<string, string> => ({
    'clusters/staging/apps.yaml': [
      'apiVersion: kustomize.toolkit.fluxcd.io/v1',
      'kind: Kustomization',
      'metadata: {name: apps, namespace: flux-system}',
      'spec:',
      '  interval: 10m',
      '  path: ./apps/staging',
      '  prune: true',
      '  sourceRef: {kind: GitRepository, name: flux-system}',
      '  postBuild:',
      `    substitute: {${vars}}`,
      '    substituteFrom:',
      '      - {kind: Secret, name: cluster-vars}',
      '',
    ].join('\n'),
    'clusters/staging/vars.yaml': `apiVersion: v1\nkind: Secret\nmetadata: {name: cluster-vars, namespace: flux-system}\ndata:\n  REGISTRY: ${Buffer.from('ghcr.io/acme').toString('base64')}\n`,
    'apps/staging/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
    'apps/staging/deployment.yaml': [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: web, namespace: shop}',
      'spec:',
      '  selector: {matchLabels: {app: web}}',
      '  template:',
      '    metadata: {labels: {app: web}}',
      '    spec:',
      '      containers:',
      '        - name: web',
      `          image: ${image}`,
      '',
    ].join('\n'),
  })
  type Verify = {
    findings: Array<{rule: string; file: string; message: string}>
    render: {images: Array<{image: string}>; roots: Array<{dir: string; status: string}>}
  }
  const verify = async (files: Record<string, string>, cli?: string) => {
    const repo = await history(files)
    const out = await runCli(['gitops', 'verify', '--render', '--json'], {
      cwd: repo,
      env: toolEnv(),
      ...(cli ? {cli} : {}),
    })
    return out.json<Verify>()
  }

  it("envsubst's forms and a Secret's variables: the image as Flux deploys it", async () => {
    const json = await verify(fleet('${REGISTRY}/${APP,,}:${VERSION:1:5}', 'APP: WEB, VERSION: v1.2.3-rc1'))
    expect(json.render.images.map((i) => i.image)).toEqual(['ghcr.io/acme/web:1.2.3'])
    expect(json.render.roots).toContainEqual(expect.objectContaining({dir: 'apps/staging', status: 'rendered'}))
  }, 120_000)

  it('a value that breaks the YAML: render-failed on the root, naming it and the resource', async () => {
    const json = await verify(fleet('${REGISTRY}/web:${TAG}', 'TAG: "1.0: [x"'))
    expect(json.findings).toContainEqual(
      expect.objectContaining({
        rule: 'render-failed',
        file: 'apps/staging/kustomization.yaml',
        message: expect.stringMatching(
          /^Flux post-build of apps\/staging \(deployed by Flux Kustomization flux-system\/apps.*failed: post build failed for 'Deployment\.v1\.apps\/web'/,
        ),
      }),
    )
  }, 120_000)

  it('without the render module: render-unavailable, named, never an imitation', async () => {
    // The built package without dist/render-module (test/support/unbuilt-package.ts): a source build without Go.
    const json = await verify(fleet('${REGISTRY}/web:${TAG}', 'TAG: "1.0.0"'), await cliWithoutRenderModule())
    expect(json.findings).toContainEqual(
      expect.objectContaining({
        rule: 'render-unavailable',
        file: 'apps/staging/kustomization.yaml',
        message: expect.stringContaining('the render module is not built'),
      }),
    )
    expect(json.render.images).toEqual([])
  }, 120_000)
})
