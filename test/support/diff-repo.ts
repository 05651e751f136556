/**
 * The GitOps repository of the `gitops diff` tests: the design documents' shape — an ApplicationSet whose git files
 * generator deploys each `environments/<env>/components/<name>/component.yaml` with its first-party chart
 * (sources/charts/apps/<name>), values layered `_shared` → `env/<env>` — on main, and a branch `pr` with a change.
 */
import {mkdir, rm, writeFile} from 'node:fs/promises'
import path from 'node:path'

import {componentsApplicationSet as applicationSet, helmGitopsRepo, requiredImageTemplate} from './helm-repo.js'
import {runCli} from './cli.js'
import {assertMatchesSchema} from './schema.js'
import {commitAll, git, initGitRepo, makeTempDir} from './tmp.js'

const E = 'e'.repeat(64)
export const BASE_PASSWORD = 'base-password-7d1f'

export const secretTemplate = [
  '{{- if .Values.enabled }}',
  'apiVersion: v1',
  'kind: Secret',
  'metadata:',
  '  name: {{ .Release.Name }}-db',
  'type: Opaque',
  'stringData:',
  '  password: {{ .Values.password | quote }}',
  '  user: app',
  '{{- end }}',
  '',
].join('\n')

export const ENVS = ['dev', 'staging', 'production']

/** The base: web and api in every environment but api not in production; web has a Secret. */
export function baseFiles(): Record<string, string> {
  const files: Record<string, string> = {
    'argocd/applicationsets/components.yaml': applicationSet,
    'sources/values/_shared/apps/web/values.yaml': `enabled: true\nimage:\n  ref: ghcr.io/acme/web:1.4.0\npassword: ${BASE_PASSWORD}\n`,
    'sources/values/_shared/apps/api/values.yaml': `enabled: true\nimage:\n  ref: ghcr.io/acme/api:2.0.0@sha256:${E}\n`,
  }
  for (const name of ['web', 'api']) {
    files[`sources/charts/apps/${name}/Chart.yaml`] = `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n`
    files[`sources/charts/apps/${name}/values.yaml`] = 'enabled: false\nimage:\n  ref: ""\n'
    files[`sources/charts/apps/${name}/templates/deployment.yaml`] = requiredImageTemplate
  }
  files['sources/charts/apps/web/templates/secret.yaml'] = secretTemplate
  for (const env of ENVS) {
    files[`environments/${env}/components/web/component.yaml`] = 'name: web\n'
    if (env !== 'production') files[`environments/${env}/components/api/component.yaml`] = 'name: api\n'
    files[`sources/values/env/${env}/apps/web/values.yaml`] = `image:\n  ref: ghcr.io/acme/web:1.4.0\n`
  }
  return files
}

/** A repository on main with the base, then a branch `pr` where `change` edits files and commits. */
export async function prRepo(change: Record<string, string | null>, files = baseFiles()): Promise<string> {
  const repo = await helmGitopsRepo(files)
  await git(repo, ['checkout', '-q', '-b', 'pr'])
  await edit(repo, change)
  await commitAll(repo, 'the change')
  return repo
}

export async function edit(repo: string, change: Record<string, string | null>) {
  for (const [file, text] of Object.entries(change)) {
    const abs = path.join(repo, file)
    if (text === null) await rm(abs)
    else {
      await mkdir(path.dirname(abs), {recursive: true})
      await writeFile(abs, text)
    }
  }
}

/** A repository (origin github.com/example/fleet) with `files` on main, and a branch `pr` committing each change. */
export async function history(files: Record<string, string>, ...changes: Array<Record<string, string | null>>) {
  const dir = await makeTempDir('ameide-diff-history-')
  await initGitRepo(dir)
  await git(dir, ['remote', 'add', 'origin', 'https://github.com/example/fleet.git'])
  await edit(dir, files)
  await commitAll(dir, 'base')
  await git(dir, ['checkout', '-q', '-b', 'pr'])
  for (const [i, change] of changes.entries()) {
    await edit(dir, change)
    await commitAll(dir, `change ${i + 1}`)
  }
  return dir
}

/**
 * Commits what `write` writes on a branch `side` off main, tags that commit `tag`, then commits `moved` (a pin moved
 * to `tag`) on the pull request's branch `pr`.
 */
export async function movedTo(repo: string, tag: string, write: () => Promise<unknown>, moved: Record<string, string>) {
  await git(repo, ['checkout', '-q', '-b', 'side', 'main'])
  await write()
  await commitAll(repo, `what ${tag} holds`)
  await git(repo, ['tag', tag])
  await git(repo, ['checkout', '-q', 'pr'])
  await edit(repo, moved)
  await commitAll(repo, 'moved')
}

/** A Flux GitRepository `flux-system/fleet` of this repository (origin github.com/example/fleet) at `ref`. */
export const fleetGitRepository = (ref: string) =>
  [
    'apiVersion: source.toolkit.fluxcd.io/v1',
    'kind: GitRepository',
    'metadata: {name: fleet, namespace: flux-system}',
    `spec: {interval: 1m, url: 'https://github.com/example/fleet.git', ref: ${ref}}`,
    '',
  ].join('\n')

/** `gitops diff --json <args>` in `repo`, its result checked against the schema. */
export async function diffJson<Result>(repo: string, env: Record<string, string | undefined>, args: string[]) {
  const run = await runCli(['gitops', 'diff', '--json', ...args], {cwd: repo, env})
  let result: Result
  try {
    result = run.json<Result>()
  } catch {
    throw new Error(`not JSON (exit ${run.exitCode}): ${run.stdout}\n${run.stderr}`)
  }
  assertMatchesSchema('gitops-diff.schema.json', result)
  return {exitCode: run.exitCode, stderr: run.stderr, result}
}

/** `gitops diff --json` of HEAD^ against HEAD in `repo`. */
export const diffLast = <Result>(repo: string, env: Record<string, string | undefined>, args: string[] = []) =>
  diffJson<Result>(repo, env, ['--base', 'HEAD^', '--head', 'HEAD', ...args])

/** What the diff's JSON says of the verdict, as the verdict tests read it. */
export interface DiffVerdict {
  summary: string
  deployables: Array<{change: string; kind: string; application?: string; source: string; environment: string | null}>
  failures: Array<{revision: string; rule: string; file: string; message: string}>
}

/** A diff's verdict with each deployable's objects, as far as the tests of its sources read them. */
export interface DiffObjects {
  summary: string
  deployables: Array<{
    change: string
    application?: string
    objects: Array<{change: string; kind: string; name: string; diff: string}>
  }>
  failures: Array<{revision: string; rule: string; file: string; application?: string; message: string}>
}
