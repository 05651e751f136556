import {parseEnvironment} from '../core/environment.js'
import {usageError} from '../core/errors.js'
import {parseArgoCdServer} from '../effects/argocd/server.js'
import {parseSelection, type Selection} from '../verify/discover.js'

export type StatusSelection = Selection

export interface StatusInput {
  selection: StatusSelection
  version: string
  environments: string[]
  sha: string | undefined
  argocdServer: string | null
}

/** The environment Definition of Done names (backlog/671: "Env enablement PR merged (dev)"). */
export const DEFAULT_ENVIRONMENTS = ['dev']

/** Validates the flags (exit 2 on any problem) before the repository is looked at. */
export function parseStatusInput(raw: {
  kind?: string
  name?: string
  all: boolean
  version: string
  env?: string[]
  sha?: string
  argocdServer?: string
  cwd: string
}): StatusInput {
  const selection = parseSelection(raw)
  if (!/^v[0-9]+$/.test(raw.version)) {
    throw usageError('INVALID_VERSION', `--version ${JSON.stringify(raw.version)} does not match ^v[0-9]+$.`, [
      'e.g. --version v0 (the default), as `primitive gitops scaffold` names the component.',
    ])
  }
  const environments = [...new Set(raw.env && raw.env.length > 0 ? raw.env : DEFAULT_ENVIRONMENTS)]
  for (const env of environments) parseEnvironment(env)
  if (raw.sha !== undefined && !/^[0-9a-f]{40}$/.test(raw.sha)) {
    throw usageError('INVALID_SHA', `--sha ${JSON.stringify(raw.sha)} is not 40 lowercase hex characters.`, [
      'Pass the full commit sha the image was published for (git rev-parse HEAD).',
    ])
  }
  return {
    selection,
    version: raw.version,
    environments,
    sha: raw.sha,
    argocdServer: raw.argocdServer === undefined ? null : parseArgoCdServer(raw.argocdServer),
  }
}
