/**
 * What the Argo CD field tests share: the reader Argo CD reads a render with (kube.SplitYAML: apimachinery over
 * sigs.k8s.io/yaml, built natively from test/images/testdata/kube-yaml), the destination namespace it gives the
 * namespaced objects that name none, and the objects `gitops diff` shows added for an Application.
 */
import {execFileSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import path from 'node:path'
import * as YAML from 'yaml'

import {runToEnd} from './exec.js'
import {makeTempDir} from './tmp.js'
import {REPO_ROOT} from './toolchain.js'

export type Obj = Record<string, unknown> & {kind: string; metadata: {name: string; namespace?: string}}

/**
 * A Go program built natively from the module in `dir` (repo-relative; `pkg` in it, default its root), with Go from
 * .tools or PATH and `toolchain` through the module proxy.
 */
export async function buildGo(dir: string, name: string, pkg = '.', toolchain = 'go1.26.8'): Promise<string> {
  const go = [process.env.AMEIDE_GO, path.join(REPO_ROOT, '.tools/bin/go')].find((g) => g && existsSync(g)) ?? 'go'
  const out = path.join(await makeTempDir(`ameide-${name}-`), name)
  await runToEnd(go, ['build', '-trimpath', '-o', out, pkg], {
    cwd: path.join(REPO_ROOT, dir),
    showStderr: true,
    env: {...process.env, GOTOOLCHAIN: toolchain, GOFLAGS: '-mod=readonly', CGO_ENABLED: '0'},
  })
  return out
}

/** Reads renders as Argo CD does (`namespace`: the destination's, '' for none): the reader built once per test file. */
export async function argoReader(): Promise<(text: string, namespace: string) => Obj[]> {
  const reader = await buildGo('test/images/testdata/kube-yaml', 'kube-yaml')
  return (text, namespace) => {
    const [answer] = execFileSync(reader, {input: JSON.stringify([text])})
      .toString('utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as {objects: Obj[]; error?: string})
    if (answer.error) throw new Error(answer.error)
    if (namespace === '') return answer.objects
    for (const o of answer.objects) if (!o.metadata.namespace && !CLUSTER.has(o.kind)) o.metadata.namespace = namespace
    return answer.objects
  }
}

const CLUSTER = new Set(['CustomResourceDefinition', 'Namespace', 'ClusterRole', 'ClusterRoleBinding'])

export interface AddedResult {
  deployables: Array<{application?: string; source: string; objects: Array<{namespace?: string; diff: string}>}>
}

/** The objects `gitops diff` shows added for `deployable` (an Application, else a root's folder), from their diffs. */
export function addedObjects(result: AddedResult, deployable: string): Obj[] {
  const found =
    result.deployables.find((d) => d.application === deployable) ??
    result.deployables.find((d) => d.application === undefined && d.source === deployable)
  if (!found) throw new Error(`no deployable ${deployable} in ${JSON.stringify(result).slice(0, 3000)}`)
  return found.objects.map((o) => {
    const body = o.diff
      .split('\n')
      .filter((l) => l.startsWith('+') && !l.startsWith('+++'))
      .map((l) => l.slice(1))
      .join('\n')
    const obj = YAML.parse(body) as Obj
    if (o.namespace && !obj.metadata.namespace) obj.metadata.namespace = o.namespace
    return obj
  })
}

/** Objects by kind, namespace and name. */
export const byName = (objects: Obj[]) =>
  Object.fromEntries(objects.map((o) => [`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, o]))
