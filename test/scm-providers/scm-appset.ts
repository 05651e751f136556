/**
 * What the `scmProvider` generator tests share, whatever the provider: their ApplicationSet (one Application per
 * parameter set, named by a template), its offline expansion with the provider's API asked between rounds as the gate
 * asks it (`settled`), the parameter sets or the one failure it gives, and the fleet the CLI tests diff (a generated
 * Application renders `apps/<repository>` of this repository).
 */
import {request} from 'node:http'

import * as YAML from 'yaml'
import {expect} from 'vitest'

import type {ScmProviderApi} from '../../src/gitops/model/types.js'
import {settled} from '../../src/gitops/argocd/applicationset/scm-providers/listing.js'
import {expandDocument} from '../support/appset-expansion.js'
import type {Oracle} from '../support/argo-oracle.js'
import {closeLoopback, listenLoopback} from '../support/loopback.js'
import {diffLast, history} from '../support/diff-repo.js'
import {requireTool, toolEnv} from '../support/toolchain.js'

/** An ApplicationSet with `generators` (YAML lines), one Application per set named by `name`. */
export function scmAppSet(generators: string[], goTemplate: boolean, name: string): string {
  return [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: ApplicationSet',
    'metadata: {name: repos, namespace: argocd}',
    'spec:',
    `  goTemplate: ${goTemplate}`,
    '  generators:',
    ...generators.map((l) => `    ${l}`),
    '  template:',
    `    metadata: {name: '${name}'}`,
    '    spec:',
    '      project: default',
    `      source: {repoURL: '${goTemplate ? '{{ .url }}' : '{{url}}'}', path: deploy}`,
    '      destination: {server: https://kubernetes.default.svc, namespace: web}',
    '',
  ].join('\n')
}

/** The expansion, the API asked between rounds as the gate does. */
export const expandScm = (text: string, scm?: ScmProviderApi) =>
  settled(scm, () => expandDocument(text, 'repos.yaml', scm ? {scm} : {}))

export const scmGenerator = (spec: Record<string, unknown>) => [`- scmProvider: ${JSON.stringify(spec)}`]

/** The parameter sets generated, in Argo CD's order (repositories as listed, then branches); nothing failed. */
export async function scmParams(spec: Record<string, unknown>, scm: ScmProviderApi, goTemplate: boolean, suffix = '') {
  const name = goTemplate ? `{{ .repository }}-{{ .branchNormalized }}${suffix}` : '{{repository}}-{{branchNormalized}}'
  const out = await expandScm(scmAppSet(scmGenerator(spec), goTemplate, name), scm)
  expect(out.errors).toEqual([])
  expect(out.notRendered).toEqual([])
  return out.applications.map((a) => a.generatedBy!.params)
}

/** The generator's one failure: nothing generated. */
export async function scmFailure(spec: Record<string, unknown>, scm: ScmProviderApi): Promise<string> {
  const out = await expandScm(scmAppSet(scmGenerator(spec), true, '{{ .repository }}'), scm)
  expect(out.applications).toEqual([])
  expect(out.notRendered).toEqual([])
  expect(out.errors).toHaveLength(1)
  return out.errors[0].message
}

/** The scmProvider generator's own fields, beside the provider's (`{gitea: {...}, filters, cloneProtocol, values}`). */
const GENERATOR_FIELDS = ['filters', 'cloneProtocol', 'values']

/** `spec` with the generator's own fields written among the provider's moved up beside it. */
export function lifted(spec: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(spec)) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || GENERATOR_FIELDS.includes(key)) {
      out[key] = value
      continue
    }
    const inner = {...(value as Record<string, unknown>)}
    for (const f of GENERATOR_FIELDS) {
      if (!(f in inner)) continue
      out[f] = inner[f]
      delete inner[f]
    }
    out[key] = inner
  }
  return out
}

/** The Secret the oracle's provider reads its token (or password) from: `tokenRef` in the provider's spec. */
export const TOKEN_REF = {secretName: 'scm-token', key: 'token'}

/** How Argo CD's own provider is given what `gitops diff` is given by its flags. */
export interface ArgoScmAuth {
  /** The token (password) the Secret {@link TOKEN_REF} holds. */
  token?: string
  /** Variables for the request only: an SDK's endpoint (AWS_ENDPOINT_URL, BITBUCKET_API_BASE_URL), credentials. */
  env?: Record<string, string>
}

/**
 * What Argo CD v3.5.1's own scmProvider generator makes of `spec` (the oracle: GenerateApplications with
 * applicationset/services/scm_provider pointed at the same local server): its parameter sets, or its error.
 */
export async function argoScmParams(
  oracle: Oracle,
  spec: Record<string, unknown>,
  auth: ArgoScmAuth,
  goTemplate: boolean,
) {
  const name = goTemplate ? '{{ .repository }}-{{ .branchNormalized }}' : '{{repository}}-{{branchNormalized}}'
  const answer = await oracle.generate({
    applicationSet: YAML.parse(scmAppSet(scmGenerator(spec), goTemplate, name)) as Record<string, unknown>,
    secrets: auth.token === undefined ? [] : [{name: TOKEN_REF.secretName, data: {[TOKEN_REF.key]: auth.token}}],
    env: auth.env,
  })
  return {params: answer.params?.[0] ?? [], error: answer.error}
}

/**
 * `gitops diff` and Argo CD's own provider give the same parameter sets, in the same order, for `spec` (`argoSpec`:
 * where Argo CD's spec must name its API otherwise, the same spec changed so).
 */
export async function expectArgoScm(
  oracle: Oracle,
  spec: Record<string, unknown>,
  scm: ScmProviderApi,
  auth: ArgoScmAuth,
  goTemplate = false,
  argoSpec: Record<string, unknown> = spec,
) {
  const want = await argoScmParams(oracle, lifted(argoSpec), auth, goTemplate)
  expect(want.error).toBeUndefined()
  expect(want.params.length).toBeGreaterThan(0)
  expect(await scmParams(lifted(spec), scm, goTemplate)).toEqual(want.params)
  return want.params
}

/**
 * `gitops diff` fails the generator for `spec` as Argo CD's own provider does, in its words — behind the prefix every
 * generator's failure carries in `gitops diff` (`error generating params: `; the clusters test names why).
 */
export async function expectArgoScmFailure(
  oracle: Oracle,
  spec: Record<string, unknown>,
  scm: ScmProviderApi,
  auth: ArgoScmAuth,
  argoSpec: Record<string, unknown> = spec,
) {
  const want = await argoScmParams(oracle, lifted(argoSpec), auth, true)
  expect(want.error).toBeDefined()
  expect(await scmFailure(lifted(spec), scm)).toBe(`error generating params: ${want.error}`)
}

/**
 * The filter cases GitHub's, GitLab's and Gitea's fakes answer from organisations of one shape (`names`, `labels`,
 * `branches`): each filter alone, two in one filter (AND), two filters (OR).
 */
export async function filterCases(same: (owner: string, more: Record<string, unknown>) => Promise<unknown>) {
  await same('names', {filters: [{repositoryMatch: 'n|hr'}]})
  await same('labels', {filters: [{labelMatch: '^prod-.*$'}]})
  await same('names', {filters: [{pathsExist: ['two']}]})
  await same('names', {filters: [{pathsDoNotExist: ['two/']}]})
  await same('branches', {allBranches: true, filters: [{branchMatch: 'w'}]})
  await same('labels', {filters: [{repositoryMatch: 'w', labelMatch: '^prod-.*$'}]})
  await same('labels', {filters: [{repositoryMatch: 'e'}, {labelMatch: '^prod-.*$'}]})
}

/** `repository@branch` of each set. */
export const branchPairs = (sets: Array<Record<string, unknown>>) =>
  sets.map((p) => `${String(p.repository)}@${String(p.branch)}`)

/** The CLI tests' ApplicationSet: `generator` (one YAML line) renders `apps/<repository>` of this repository. */
export const fleetAppSet = (generator: string) =>
  [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: ApplicationSet',
    'metadata: {name: repos, namespace: argocd}',
    'spec:',
    '  goTemplate: true',
    '  generators:',
    `    ${generator}`,
    '  template:',
    "    metadata: {name: '{{ .repository }}-{{ .branchNormalized }}'}",
    '    spec:',
    '      project: default',
    "      source: {repoURL: https://github.com/example/fleet.git, targetRevision: HEAD, path: 'apps/{{ .repository }}'}",
    "      destination: {server: https://kubernetes.default.svc, namespace: '{{ .branch }}'}",
    '',
  ].join('\n')

export const fleetConfigMap = (tier: string, name = 'web') =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\ndata: {tier: ${tier}}\n`

/** What the CLI tests read of `gitops diff --json`. */
export interface ScmDiff {
  summary: string
  deployables: Array<{
    change: string
    application?: string
    objects: Array<{change: string; kind: string; name: string}>
  }>
  failures: Array<{rule?: string; message: string}>
}

/** Each changed deployable: its Application, its change, its objects' changes. */
export const deployableChanges = (r: ScmDiff) =>
  r.deployables.map((d) => [d.application, d.change, d.objects.map((o) => `${o.change} ${o.kind}/${o.name}`)])

/**
 * `gitops diff` through the built CLI (`args`: the run's --scm-provider flags) of a fleet (`appSet`) whose one
 * generated Application, `<repository>-main`, has its ConfigMap changed: asserted changed, that ConfigMap alone.
 */
export async function diffFleet(appSet: string, env: NodeJS.ProcessEnv, args: string[], repository = 'web') {
  requireTool('kustomize')
  requireTool('helm')
  const file = `apps/${repository}/configmap.yaml`
  const repo = await history(
    {'argocd/repos.yaml': appSet, [file]: fleetConfigMap('one', repository)},
    {[file]: fleetConfigMap('two', repository)},
  )
  const run = await diffLast<ScmDiff>(repo, toolEnv(env), args)
  expect(run.result.failures).toEqual([])
  expect(run.result.summary).toBe('changed')
  expect(deployableChanges(run.result)).toEqual([
    [`${repository}-main`, 'changed', [`changed ConfigMap/${repository}`]],
  ])
  return {repo, run}
}

/**
 * A loopback proxy to `target` that drops `prefix` from each path: the API of a GitHub Enterprise host is under
 * /api/v3/ (go-github's WithEnterpriseURLs adds it), the fake GitHub's at its root.
 */
export async function prefixProxy(target: string, prefix: string) {
  const to = new URL(target)
  const {server, url} = await listenLoopback((req, res) => {
    const path = (req.url ?? '/').startsWith(prefix) ? (req.url ?? '/').slice(prefix.length) : (req.url ?? '/')
    const headers = {...req.headers, host: to.host}
    const forward = request({host: to.hostname, port: to.port, path, method: req.method, headers}, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    forward.on('error', () => res.writeHead(502).end())
    req.pipe(forward)
  })
  return {url, close: () => closeLoopback(server)}
}
