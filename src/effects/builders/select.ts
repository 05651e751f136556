import {usageError, prerequisiteError} from '../../core/errors.js'
import type {RetryPolicy} from '../../core/retry.js'
import {BuildahBuilder, type DaemonlessBuilderOptions} from './buildah.js'
import {BUILDER_CHOICES, BUILDER_NAMES, type BuilderChoice, type BuilderName} from '../../core/choices.js'
import type {Builder} from './builder.js'

export {BUILDER_CHOICES, type BuilderChoice}
import {DockerBuildxBuilder} from './docker.js'
import {PodmanBuilder} from './podman.js'

export interface BuilderSelection {
  choice: BuilderChoice
  /** Process environment (DOCKER_HOST, AMEIDE_BUILDAH_*…); default process.env. */
  env?: Record<string, string | undefined>
  retryPolicy?: RetryPolicy
}

/**
 * Settings of the daemonless builders from the environment (they describe the machine, not the project):
 * - AMEIDE_BUILDAH_STORAGE_DRIVER (else STORAGE_DRIVER): `--storage-driver`, e.g. `vfs`
 * - AMEIDE_BUILDAH_ROOT / AMEIDE_BUILDAH_RUNROOT: `--root` / `--runroot`
 * - AMEIDE_BUILDAH_ISOLATION (else BUILDAH_ISOLATION): `--isolation`, e.g. `chroot`
 * CONTAINERS_STORAGE_CONF and CONTAINERS_REGISTRIES_CONF are honoured by the tools themselves.
 */
function daemonlessOptionsFromEnv(env: Record<string, string | undefined>): DaemonlessBuilderOptions {
  const pick = (...names: string[]) => names.map((n) => env[n]).find((v) => v !== undefined && v !== '')
  return {
    storageDriver: pick('AMEIDE_BUILDAH_STORAGE_DRIVER', 'STORAGE_DRIVER'),
    storageRoot: pick('AMEIDE_BUILDAH_ROOT'),
    runRoot: pick('AMEIDE_BUILDAH_RUNROOT'),
    isolation: pick('AMEIDE_BUILDAH_ISOLATION', 'BUILDAH_ISOLATION'),
  }
}

function createBuilder(name: BuilderName, selection: Omit<BuilderSelection, 'choice'> = {}): Builder {
  const env = selection.env ?? process.env
  switch (name) {
    case 'docker':
      return new DockerBuildxBuilder({env, retryPolicy: selection.retryPolicy})
    case 'buildah':
      return new BuildahBuilder({...daemonlessOptionsFromEnv(env), env, retryPolicy: selection.retryPolicy})
    case 'podman':
      return new PodmanBuilder({...daemonlessOptionsFromEnv(env), env, retryPolicy: selection.retryPolicy})
    default:
      throw usageError('INVALID_BUILDER', `Unknown builder "${String(name)}".`, [
        `Use one of: ${BUILDER_CHOICES.join(', ')}.`,
      ])
  }
}

/**
 * Resolves `--builder`. `auto`: docker when `docker buildx version` answers and a daemon is reachable,
 * else buildah, else podman; none usable → BUILDER_NOT_FOUND (exit 3). An explicit choice must be
 * usable here too (checked now, before any build).
 */
export async function selectBuilder(selection: BuilderSelection): Promise<Builder> {
  if (selection.choice !== 'auto') {
    if (!(BUILDER_CHOICES as readonly string[]).includes(selection.choice)) {
      throw usageError('INVALID_BUILDER', `Unknown builder "${selection.choice}".`, [
        `Use one of: ${BUILDER_CHOICES.join(', ')}.`,
      ])
    }
    const builder = createBuilder(selection.choice, selection)
    if (!(await builder.available())) {
      throw prerequisiteError('BUILDER_NOT_AVAILABLE', `The ${selection.choice} builder is not usable here.`, [
        selection.choice === 'docker'
          ? 'docker buildx must answer and a Docker daemon must be reachable (DOCKER_HOST); or use --builder buildah.'
          : `Install ${selection.choice} or use --builder auto.`,
      ])
    }
    return builder
  }
  for (const name of BUILDER_NAMES) {
    const builder = createBuilder(name, selection)
    if (await builder.available()) return builder
  }
  throw prerequisiteError(
    'BUILDER_NOT_FOUND',
    'No image builder is usable here (tried docker buildx, buildah, podman).',
    [
      'Install buildah (apt-get install --no-install-recommends buildah; CI: scripts/ci/install-toolchain.sh), or Docker with the buildx plugin and a running daemon.',
    ],
  )
}
