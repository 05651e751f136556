/**
 * `ameide doctor`: what this machine has and lacks for each command. Every check group runs at once (a tool probe
 * takes milliseconds; the one network call is bounded); each line is ok / missing / unusable / unknown with the
 * command that fixes it, and `required` when a command the repository is configured for cannot run without it.
 */
import {checkChartRepositories} from './charts.js'
import {checkGitHubToken, checkRegistryCredentials} from './credentials.js'
import {commandsOf, needsOf} from './needs.js'
import {inspectRepository} from './repository.js'
import {checkGit, checkNode} from './runtime.js'
import {checkTemplateEngine} from './engine.js'
import {inspectCopy} from './release.js'
import {checkRenderModule} from './render-module.js'
import {checkSandbox} from './sandbox.js'
import {checkBuf, checkBuilder, checkCosign, checkHelm, checkKustomize, checkSbom} from './tools.js'
import {CHECK_IDS, type CheckId, type DoctorCheck, type DoctorResult} from './types.js'

export interface DoctorOptions {
  /** The repository (monorepo or GitOps checkout), or null outside one. */
  root: string | null
  offline: boolean
  apiUrl: string
  env: Record<string, string | undefined>
  /** Called as each line is known (progress). */
  onCheck?: (check: Pick<DoctorCheck, 'id' | 'title' | 'status'>) => void
  /** How long the GitHub call may take (default NETWORK_TIMEOUT_MS). */
  networkTimeoutMs?: number
}

export async function runDoctor(options: DoctorOptions): Promise<DoctorResult> {
  const {root, env} = options
  const repository = await inspectRepository(root)
  const {config} = repository
  const seen = <T extends Pick<DoctorCheck, 'id' | 'title' | 'status'>>(p: Promise<T>) =>
    p.then((line) => {
      options.onCheck?.(line)
      return line
    })
  const lines = await Promise.all([
    seen(Promise.resolve(checkNode())),
    seen(checkGit(env)),
    seen(Promise.resolve(repository.check)),
    seen(checkBuilder(config, env)),
    seen(checkCosign(env)),
    seen(checkSbom(config, root, env)),
    seen(checkBuf(root, env)),
    seen(checkKustomize(env)),
    seen(checkHelm(env)),
    seen(checkChartRepositories(root, repository.kind, config)),
    seen(checkSandbox()),
    seen(Promise.resolve(checkRenderModule())),
    seen(checkTemplateEngine()),
    seen(checkRegistryCredentials(config, env)),
    seen(
      checkGitHubToken({
        config,
        env,
        apiUrl: options.apiUrl,
        offline: options.offline,
        timeoutMs: options.networkTimeoutMs,
      }),
    ),
  ])
  const commands = commandsOf(repository.kind)
  const needs = needsOf(config)
  const byId = new Map(lines.map((l) => [l.id, l]))
  const moduleRenders = byId.get('render-module')?.status === 'ok'
  if (moduleRenders) for (const id of RENDERED_BY_THE_MODULE) byId.set(id, notNeeded(byId.get(id)!))
  const checks: DoctorCheck[] = CHECK_IDS.map((id) => {
    const need = needs[id]
    const required =
      !(moduleRenders && RENDERED_BY_THE_MODULE.includes(id)) &&
      (need.always === true || (root !== null && need.requiredBy.some((c) => commands.includes(c))))
    return {...byId.get(id)!, neededBy: need.neededBy, required}
  })
  return {
    ready: checks.every((c) => !c.required || c.status === 'ok'),
    ameide: inspectCopy(),
    offline: options.offline,
    repository: {root, kind: repository.kind, config: repository.source, commands},
    checks,
  }
}

/** What the render module replaces: with it built, the binaries and the sandbox they would render in are optional. */
const RENDERED_BY_THE_MODULE: readonly CheckId[] = ['kustomize', 'helm', 'sandbox']

function notNeeded<T extends {status: string; detail: string; fix: string | null}>(line: T): T {
  if (line.status === 'ok') return line
  return {...line, detail: `${line.detail}; not needed: the render module renders Helm and kustomize`, fix: null}
}
