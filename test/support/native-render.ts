/**
 * The differential oracle: Helm and kustomize as their own binaries, which the product no longer runs (it renders
 * only through the render module, src/effects/render-module). The tests hold the module to what the binaries
 * answer, and run the gate with a binary Helm (helm3: Argo CD <= 3.4, Flux < 2.8) through the product's own core.
 * The binaries run as the product ran them before the module was its one renderer: `helm template` with Argo CD's
 * arguments (helmTemplateArgs: the module's command as the binary's flags) in private, empty helm folders, a missing `file://` dependency
 * built in a copy (withLocalDependencies). Unconfined: these are the tests' own fixtures, never a revision under
 * attack.
 */
import {execFile} from 'node:child_process'
import {mkdirSync, symlinkSync, writeFileSync} from 'node:fs'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import * as memory from '../../src/core/memory-fs/index.js'
import {withLocalDependencies, type Helm, type HelmResult} from '../../src/effects/helm.js'
import type {HelmTemplate} from '../../src/effects/render-module/commands.js'
import {templateCommand} from '../../src/effects/render-module/helm.js'
import type {BuildResult, Kustomize} from '../../src/effects/kustomize.js'

/** The helm binary's words for a chart whose `charts/` misses a dependency (the module says it by a code). */
const MISSING_DEPENDENCY = /found in (Chart\.yaml|requirements\.yaml), but missing in charts\/ directory/i

/** A run of `binary args` in `cwd` with only PATH and `env`: exit code, stdout, stderr. Never rejects. */
export function runNative(
  binary: string,
  args: readonly string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<{exit: number; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    execFile(
      binary,
      [...args],
      {cwd, env: {PATH: '/usr/bin:/bin', ...env}, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8'},
      (error, stdout, stderr) => {
        const code = (error as {code?: unknown} | null)?.code
        resolve({exit: error ? (typeof code === 'number' ? code : -1) : 0, stdout, stderr})
      },
    )
  })
}

/** The private helm folders of one run under `home`: no repository, registry login, plugin or kube context. */
function helmHome(home: string): Record<string, string> {
  return {
    HOME: home,
    HELM_CONFIG_HOME: path.join(home, 'config'),
    HELM_CACHE_HOME: path.join(home, 'cache'),
    HELM_DATA_HOME: path.join(home, 'data'),
    HELM_PLUGINS: path.join(home, 'plugins'),
    KUBECONFIG: path.join(home, 'kubeconfig'),
  }
}

/** helm's message without its log lines and with the temporary home named `<helm>`. */
function helmMessage(text: string, home: string, chartDir: string): string {
  return text
    .replaceAll(`${home}/chart`, chartDir)
    .replaceAll(home, '<helm>')
    .split('\n')
    .filter((l) => !/^level=(ERROR|WARN)/.test(l.trim()))
    .join('\n')
    .trim()
}

/**
 * The trees held in memory (src/core/memory-fs: a revision, a render's scratch folder) that a binary is given,
 * copied under `home` on the host as it asks for them: `toHost` maps a path there (copying its tree the first time),
 * `fromHost` maps a binary's message back.
 */
function hostCopies(home: string) {
  const copies = new Map<string, string>()
  const copy = (mount: string): string => {
    const known = copies.get(mount)
    if (known) return known
    const at = path.join(home, `tree${copies.size}`)
    copies.set(mount, at)
    const tree = memory.snapshotOf(mount)
    const there = (p: string) => at + p.slice(mount.length)
    for (const d of tree.dirs) mkdirSync(there(d), {recursive: true})
    for (const [f, bytes] of tree.files) writeFileSync(there(f), bytes)
    for (const [l, target] of tree.links) symlinkSync(memory.inMemory(target) ? toHost(target) : target, there(l))
    return at
  }
  const toHost = (p: string): string => {
    const mount = memory.mountOf(p)
    return mount ? copy(mount) + p.slice(mount.length) : p
  }
  const fromHost = (text: string): string => {
    let out = text
    for (const [mount, at] of copies) out = out.replaceAll(at, mount)
    return out
  }
  return {toHost, fromHost}
}

/** The Helm binary at `binary` as a renderer of the gate (its `helm version --short` the version it reports). */
export async function nativeHelm(binary: string): Promise<Helm> {
  const version = (await runNative(binary, ['version', '--short'], os.tmpdir())).stdout.trim().split(/\s+/)[0]
  if (!version) throw new Error(`${binary} version --short answered nothing`)
  return {version, template: (request) => template(binary, request)}
}

/**
 * The flags the helm binary takes for the module's command, in Argo CD's order — the release name positional
 * (`template <name> .`), as the repo-server and helm-controller give it. Helm's binary has no Flux post-renderer:
 * a HelmRelease's `fluxPostRender` is not run here (the helm3 runs render without it).
 */
export function helmTemplateArgs(c: HelmTemplate): string[] {
  const args = ['template', c.release, c.chart]
  if (c.namespace) args.push('--namespace', c.namespace)
  if (c.kubeVersion) args.push('--kube-version', c.kubeVersion)
  for (const p of c.set ?? []) args.push('--set', `${p.name}=${p.value}`)
  for (const p of c.setString ?? []) args.push('--set-string', `${p.name}=${p.value}`)
  for (const p of c.setFile ?? []) args.push('--set-file', `${p.name}=${p.value}`)
  for (const f of c.valueFiles ?? []) args.push('--values', f)
  for (const a of c.apiVersions ?? []) args.push('--api-versions', a)
  if (c.includeCrds) args.push('--include-crds')
  if (c.skipSchemaValidation) args.push('--skip-schema-validation')
  if (c.skipTests) args.push('--skip-tests')
  return args
}

async function template(binary: string, asked: Parameters<Helm['template']>[0]): Promise<HelmResult> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'ameide-native-helm-'))
  const trees = hostCopies(path.join(home, 'trees'))
  const request = {
    ...asked,
    chartDir: trees.toHost(asked.chartDir),
    valueFiles: asked.valueFiles.map(trees.toHost),
    ...(asked.setFile ? {setFile: asked.setFile.map((s) => ({...s, path: trees.toHost(s.path)}))} : {}),
    ...(asked.revision ? {revision: trees.toHost(asked.revision)} : {}),
    inRevision: (dir: string) => asked.inRevision(trees.fromHost(dir)),
  }
  try {
    let inline: string | undefined
    if (request.inlineValues !== undefined) {
      inline = path.join(home, 'inline-values.yaml')
      await writeFile(inline, request.inlineValues)
    }
    const args = helmTemplateArgs(templateCommand(request, inline))
    let result = await runNative(binary, args, request.chartDir, helmHome(home))
    if (result.exit !== 0 && MISSING_DEPENDENCY.test(result.stderr)) {
      const copy = await withLocalDependencies(request, path.join(home, 'chart'))
      if (!copy.ok) return copy
      const built = await runNative(binary, ['dependency', 'build', '.'], copy.dir, helmHome(home))
      if (built.exit !== 0)
        return {
          ok: false,
          message: trees.fromHost(helmMessage(`helm dependency build failed: ${built.stderr}`, home, request.chartDir)),
        }
      result = await runNative(binary, args, copy.dir, helmHome(home))
    }
    if (result.exit === 0) return {ok: true, yaml: result.stdout}
    return {ok: false, message: trees.fromHost(helmMessage(result.stderr || result.stdout, home, request.chartDir))}
  } finally {
    await rm(home, {recursive: true, force: true})
  }
}

/** The kustomize binary at `binary`: `kustomize build DIR` (load restrictions as asked), nothing else. */
export function nativeKustomize(binary: string): Kustomize {
  return {
    async build(dir, options): Promise<BuildResult> {
      const home = await mkdtemp(path.join(os.tmpdir(), 'ameide-native-kustomize-'))
      const trees = hostCopies(path.join(home, 'trees'))
      const args = [
        'build',
        trees.toHost(dir),
        ...(options?.loadRestrictionsNone ? ['--load-restrictor', 'LoadRestrictionsNone'] : []),
      ]
      const result = await runNative(binary, args, trees.toHost(dir), {HOME: home}).finally(() =>
        rm(home, {recursive: true}),
      )
      return result.exit === 0
        ? {ok: true, yaml: result.stdout}
        : {ok: false, message: trees.fromHost(result.stderr.trim())}
    },
  }
}
