/**
 * Which command needs what, and which of those commands the repository is configured for: a check is `required`
 * when a configured command cannot run without it (given ameide.yaml: `publish.sbom: none` needs no SBOM tool,
 * `gitopsPolicy.render` needs kustomize). Credentials and the GitHub token are reported, never required: a command
 * run without them says so itself (exit 3), and CI brings its own.
 */
import type {AmeideConfig} from '../core/config.js'
import {COMMAND_IDS, type CheckId, type CommandId, type RepositoryKind} from './types.js'

/** A monorepo's commands: the primitive ones; a GitOps checkout's: the gitops ones. `mcp` serves either. */
const MONOREPO = COMMAND_IDS.filter((c) => !c.startsWith('gitops '))
const GITOPS = COMMAND_IDS.filter((c) => c.startsWith('gitops ') || c === 'mcp')

/** The commands of a repository of this kind. */
export function commandsOf(kind: RepositoryKind): CommandId[] {
  const wanted = new Set([
    ...(kind === 'monorepo' || kind === 'both' ? MONOREPO : []),
    ...(kind === 'gitops' || kind === 'both' ? GITOPS : []),
  ])
  return COMMAND_IDS.filter((c) => wanted.has(c))
}

export interface Need {
  neededBy: CommandId[]
  /** Of those, the commands that cannot run at all without it (with this configuration). */
  requiredBy: CommandId[]
  /** Needed whatever the repository (ameide itself, and git to find any repository). */
  always?: boolean
}

const WITH_REPOSITORY = COMMAND_IDS.filter((c) => c !== 'mcp')

/** What each check is needed by, with this configuration. */
export function needsOf(config: AmeideConfig): Record<CheckId, Need> {
  return {
    node: {neededBy: [...COMMAND_IDS], requiredBy: [...COMMAND_IDS], always: true},
    git: {neededBy: WITH_REPOSITORY, requiredBy: WITH_REPOSITORY, always: true},
    config: {neededBy: WITH_REPOSITORY, requiredBy: WITH_REPOSITORY},
    builder: {neededBy: ['primitive publish'], requiredBy: ['primitive publish']},
    cosign: {
      neededBy: ['primitive publish', 'primitive status', 'gitops verify'],
      requiredBy: ['primitive publish'],
    },
    sbom: {neededBy: ['primitive publish'], requiredBy: config.publish.sbom === 'none' ? [] : ['primitive publish']},
    buf: {neededBy: ['primitive verify'], requiredBy: ['primitive verify']},
    charts: {neededBy: ['gitops verify', 'gitops diff'], requiredBy: []},
    'render-module': {
      neededBy: ['gitops verify', 'gitops diff'],
      requiredBy: config.gitopsPolicy.render.enabled ? ['gitops verify'] : [],
    },
    'template-engine': {neededBy: ['gitops verify', 'gitops diff'], requiredBy: []},
    'registry-credentials': {neededBy: ['primitive publish', 'primitive status'], requiredBy: []},
    'github-token': {
      neededBy: [
        'primitive status',
        'primitive gitops scaffold',
        'primitive gitops update-images',
        'gitops set-image',
        'gitops promote',
      ],
      requiredBy: [],
    },
  }
}
