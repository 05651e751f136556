import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'

import {runCli, type CliRun} from '../support/cli.js'
import {buildahEnv, pushBaseImage, type BuildahEnv, type PushedImage} from '../support/images.js'
import {type Registry} from '../support/registry.js'
import {commitAll, initGitRepo} from '../support/tmp.js'

/** The three components of the test monorepo (kind/name → their single file). */
export const COMPONENTS = ['agent/triage', 'domain/orders', 'process/billing'] as const
export const IDS = ['agent-triage', 'domain-orders', 'process-billing']

export interface Monorepo {
  dir: string
  /** Writes `primitives/<component>/app.txt` (the content that makes a component "changed"). */
  touch(component: string, content: string): Promise<void>
}

/**
 * A git monorepo on branch main with three primitives (or `components`, `kind/name` each) whose Dockerfiles build
 * FROM the base image (by digest).
 */
export async function createMonorepo(
  dir: string,
  base: PushedImage,
  registryHost: string,
  components: readonly string[] = COMPONENTS,
): Promise<Monorepo> {
  await mkdir(dir, {recursive: true})
  await initGitRepo(dir)
  const touch = async (component: string, content: string) => {
    await writeFile(path.join(dir, 'primitives', component, 'app.txt'), content)
  }
  for (const component of components) {
    await mkdir(path.join(dir, 'primitives', component), {recursive: true})
    await writeFile(
      path.join(dir, 'primitives', component, 'Dockerfile'),
      `FROM ${registryHost}/${base.repo}@${base.digest}\nCOPY primitives/${component}/app.txt /app.txt\nCMD ["/bin/cat", "/app.txt"]\n`,
    )
    await touch(component, `${component} v1\n`)
  }
  await mkdir(path.join(dir, 'packages', 'ameide_sdk_go'), {recursive: true})
  await writeFile(path.join(dir, 'packages', 'ameide_sdk_go', 'sdk.go'), 'package sdk\n')
  await writeFile(path.join(dir, 'README.md'), '# test monorepo\n')
  await commitAll(dir, 'first commit')
  return {dir, touch}
}

export interface BuildSetup {
  benv: BuildahEnv
  /** Environment for the CLI: private buildah store (vfs, chroot), insecure registry, tool PATH. */
  env: Record<string, string>
  base: PushedImage
}

export async function buildSetup(
  tmp: string,
  registry: Registry,
  extra: Record<string, string> = {},
): Promise<BuildSetup> {
  const benv = await buildahEnv(tmp, {insecureRegistries: [registry.host]})
  const base = await pushBaseImage(registry, benv)
  const env = {
    ...benv.env,
    AMEIDE_BUILDAH_ROOT: benv.root,
    AMEIDE_BUILDAH_RUNROOT: benv.runroot,
    AMEIDE_BUILDAH_STORAGE_DRIVER: 'vfs',
    AMEIDE_BUILDAH_ISOLATION: 'chroot',
    GITHUB_ACTIONS: '',
    GITHUB_OUTPUT: '',
    GITHUB_STEP_SUMMARY: '',
    ...extra,
  }
  return {benv, env, base}
}

/** `ameide primitive publish --json` in `dir` against `registry/ns`, with fast retries. */
export function publishCli(
  dir: string,
  registryNs: string,
  args: string[],
  env: Record<string, string>,
): Promise<CliRun> {
  return runCli(['primitive', 'publish', '--json', '--registry', registryNs, '--builder', 'buildah', ...args], {
    cwd: dir,
    env: {AMEIDE_TEST_TIMINGS: JSON.stringify({retryDelayMs: 5}), ...env},
    timeoutMs: 240_000,
  })
}

/** Tag lists of every repository in the registry (via the catalog), for "nothing was written" checks. */
export async function allTags(registryUrl: string): Promise<Record<string, string[]>> {
  const catalog = (await (await fetch(`${registryUrl}/v2/_catalog?n=1000`)).json()) as {repositories: string[]}
  const out: Record<string, string[]> = {}
  for (const repo of catalog.repositories) {
    const tags = (await (await fetch(`${registryUrl}/v2/${repo}/tags/list`)).json()) as {tags: string[] | null}
    out[repo] = [...(tags.tags ?? [])].sort()
  }
  return out
}
