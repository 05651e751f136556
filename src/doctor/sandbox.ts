/**
 * Whether this machine can sandbox the renderers of a revision (src/effects/sandbox.ts): bubblewrap on PATH that can
 * make its namespaces here. Without it, `gitops diff` and an untrusted `gitops verify --render` run no tool.
 */
import {probeSandbox} from '../effects/sandbox.js'
import type {ProbedCheck} from './types.js'

export async function checkSandbox(): Promise<ProbedCheck> {
  const probe = await probeSandbox()
  if (probe.available)
    return {
      id: 'sandbox',
      title: 'renderer sandbox',
      status: 'ok',
      version: probe.version,
      detail: `bubblewrap ${probe.version} (${probe.binary}): helm and kustomize see only the revision, no network`,
      fix: null,
    }
  return {
    id: 'sandbox',
    title: 'renderer sandbox',
    status: /not on PATH|no sandbox on/.test(probe.reason) ? 'missing' : 'unusable',
    version: null,
    detail: `${probe.reason}: gitops diff (and verify --render --untrusted) render no Helm or kustomize deployable`,
    fix: probe.fix,
  }
}
