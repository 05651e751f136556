/**
 * The SLSA v1 provenance predicate ameide attaches to every image it publishes
 * (`cosign attest --type slsaprovenance1`, predicateType https://slsa.dev/provenance/v1). A pure
 * function of its input: no clock, no environment reads except the `env` it is given.
 * Shape: https://slsa.dev/spec/v1.0/provenance
 */
const PRIMITIVE_IMAGE_BUILD_TYPE = 'https://ameide.io/buildtypes/primitive-image/v1'

export interface ProvenanceInput {
  /** Source repository URL (e.g. the `origin` remote); credentials in it are dropped, scp-style is normalised. */
  repository: string
  /** Full 40-hex commit sha that was built. */
  sha: string
  /** The git ref being published (e.g. `refs/heads/main`), when known. */
  ref?: string
  /** Dockerfile path relative to the repository root. */
  dockerfile: string
  /** Build context relative to the repository root. */
  context: string
  buildArgs: Record<string, string>
  /** Requested platforms; empty = the builder's native one. */
  platforms: string[]
  /** `<kind>-<name>` */
  component: string
  /** Identifies the builder, e.g. `https://ameide.io/builders/buildah@1.28.2`. */
  builderId: string
  /** ameide's version, recorded in internalParameters. */
  ameideVersion?: string
  /** Builder name as chosen (`docker`, `buildah`, `podman`). */
  builderName?: string
  startedOn: Date
  finishedOn: Date
  /** Environment: under GitHub Actions the run URL becomes the invocationId. */
  env?: Record<string, string | undefined>
}

export interface ResourceDescriptor {
  uri: string
  digest: Record<string, string>
}

export interface SlsaProvenanceV1 {
  buildDefinition: {
    buildType: string
    externalParameters: {
      repository: string
      ref?: string
      sha: string
      dockerfile: string
      context: string
      buildArgs: Record<string, string>
      platforms: string[]
    }
    internalParameters: Record<string, string>
    resolvedDependencies: ResourceDescriptor[]
  }
  runDetails: {
    builder: {id: string}
    metadata: {invocationId?: string; startedOn: string; finishedOn: string}
  }
}

export function buildProvenancePredicate(input: ProvenanceInput): SlsaProvenanceV1 {
  if (!/^[0-9a-f]{40}$/.test(input.sha))
    throw new Error(`provenance: sha must be 40 hex characters, got "${input.sha}"`)
  const repository = normaliseRepositoryUrl(input.repository)
  const invocationId = ciRunUrl(input.env ?? {})
  const internalParameters: Record<string, string> = {component: input.component}
  if (input.builderName) internalParameters.builder = input.builderName
  if (input.ameideVersion) internalParameters.ameideVersion = input.ameideVersion
  return {
    buildDefinition: {
      buildType: PRIMITIVE_IMAGE_BUILD_TYPE,
      externalParameters: {
        repository,
        ...(input.ref ? {ref: input.ref} : {}),
        sha: input.sha,
        dockerfile: input.dockerfile,
        context: input.context,
        buildArgs: sortedRecord(input.buildArgs),
        platforms: [...input.platforms],
      },
      internalParameters,
      resolvedDependencies: [{uri: `git+${repository}@${input.sha}`, digest: {gitCommit: input.sha}}],
    },
    runDetails: {
      builder: {id: input.builderId},
      metadata: {
        ...(invocationId ? {invocationId} : {}),
        startedOn: input.startedOn.toISOString(),
        finishedOn: input.finishedOn.toISOString(),
      },
    },
  }
}

/** `<server>/<repo>/actions/runs/<id>/attempts/<n>` under GitHub Actions; undefined elsewhere. */
export function ciRunUrl(env: Record<string, string | undefined>): string | undefined {
  if (env.GITHUB_ACTIONS !== 'true' || !env.GITHUB_REPOSITORY || !env.GITHUB_RUN_ID) return undefined
  const server = (env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/+$/, '')
  const attempt = env.GITHUB_RUN_ATTEMPT ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : ''
  return `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}${attempt}`
}

/**
 * `git@github.com:org/repo.git` → `https://github.com/org/repo`; `https://user:token@host/x.git` →
 * `https://host/x` (a token in a remote URL must never reach a public attestation). Local paths stay as
 * they are (`file://` for absolute ones).
 */
export function normaliseRepositoryUrl(url: string): string {
  let out = url.trim()
  const scp = /^([\w.-]+@)?([\w.-]+):(?!\/\/)(.+)$/.exec(out)
  if (scp && !/^[a-z]+:\/\//i.test(out) && !out.startsWith('/')) out = `https://${scp[2]}/${scp[3]}`
  else if (out.startsWith('/')) out = `file://${out}`
  out = out.replace(/^(ssh|git|git\+ssh|git\+https):\/\//i, 'https://')
  try {
    const parsed = new URL(out)
    parsed.username = ''
    parsed.password = ''
    out = parsed.toString()
  } catch {
    return out
  }
  return out.replace(/\.git$/, '').replace(/\/+$/, '')
}

function sortedRecord(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}
