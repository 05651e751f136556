/**
 * `ameide doctor`: what this machine has and lacks for each command. Every check group runs at once (a tool probe
 * takes milliseconds; the one network call is bounded); each line is ok / missing / unusable / unknown with the
 * command that fixes it, `required` when a command the repository is configured for cannot run without it, and its
 * state: ok ✓, warn ! (optional or degraded) or fail ✗ (required and not ok: exit 3).
 */
import {checkChartRepositories} from './charts.js'
import {checkGitHubToken, checkRegistryCredentials} from './credentials.js'
import {commandsOf, needsOf, type Need} from './needs.js'
import {inspectRepository} from './repository.js'
import {checkGit, checkNode} from './runtime.js'
import {checkTemplateEngine} from './engine.js'
import {inspectCopy} from './release.js'
import {checkRenderModule} from './render-module.js'
import {checkBuf, checkBuilder, checkCosign, checkSbom} from './tools.js'
import {
  CHECK_IDS,
  type CheckId,
  type CheckState,
  type CommandId,
  type DoctorCheck,
  type DoctorResult,
  type ProbedCheck,
} from './types.js'

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
    seen(checkChartRepositories(root, repository.kind, config)),
    seen(checkRenderModule()),
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
  const checks = judge(lines, root === null ? [] : commands, needsOf(config))
  return {
    ready: checks.every((c) => c.state !== 'fail'),
    ameide: inspectCopy(),
    offline: options.offline,
    repository: {root, kind: repository.kind, config: repository.source, commands},
    checks,
  }
}

/**
 * Each line's meaning here: required when a command of this repository cannot run without it (node and git always);
 * then ok ✓, fail ✗ (required, not ok) or warn ! (the rest).
 */
function judge(lines: ProbedCheck[], commands: CommandId[], needs: Record<CheckId, Need>): DoctorCheck[] {
  const byId = new Map(lines.map((l) => [l.id, l]))
  return CHECK_IDS.map((id) => {
    const need = needs[id]
    const line = byId.get(id)!
    const required = need.always === true || need.requiredBy.some((c) => commands.includes(c))
    const state: CheckState = line.status === 'ok' ? 'ok' : required ? 'fail' : 'warn'
    return {...line, state, neededBy: need.neededBy, required}
  })
}
