/**
 * What Sigstore bundles a registry holds for a digest, read without cosign: cosign 3 stores each signature and
 * attestation as a bundle in an OCI 1.1 referrer (`artifactType` the bundle's media type, the manifest's
 * `dev.sigstore.bundle.predicateType` annotation naming what it signs), through the referrers API or the referrers
 * tag schema. cosign 2 reads none of them: where it finds nothing, this tells "not signed" from "signed in a format
 * this cosign cannot read".
 */
import type {Referrer} from '../registry/client.js'

export const BUNDLE_ARTIFACT_TYPE = /^application\/vnd\.dev\.sigstore\.bundle\.v0\.\d+\+json$/
const PREDICATE_ANNOTATION = 'dev.sigstore.bundle.predicateType'
const EMPTY_CONFIG = 'application/vnd.oci.empty.v1+json'

/** The registry calls it needs (RegistryClient has them). */
export interface ReferrerSource {
  referrers(repository: string, digest: string): Promise<Referrer[]>
  getManifest(repository: string, reference: string): Promise<{bytes: Buffer} | null>
}

/** The predicate types of the bundles stored for `digest` (a signature's is SIGNATURE_PREDICATE), sorted, once each. */
export async function storedBundlePredicates(
  registry: ReferrerSource,
  repository: string,
  digest: string,
): Promise<string[]> {
  const candidates = (await registry.referrers(repository, digest)).filter(
    (r) => !r.artifactType || BUNDLE_ARTIFACT_TYPE.test(r.artifactType) || r.artifactType === EMPTY_CONFIG,
  )
  const types = await Promise.all(candidates.map((r) => predicateOf(registry, repository, r)))
  return [...new Set(types.filter((t): t is string => t !== undefined))].sort()
}

/**
 * A bundle's predicate type: the descriptor's annotation where the registry copies it, else the manifest's own.
 * Some registries (go-containerregistry's) give the config's media type as the artifact type, so a descriptor that
 * names none, or the empty config, is read to tell.
 */
async function predicateOf(registry: ReferrerSource, repository: string, r: Referrer): Promise<string | undefined> {
  const annotated = r.annotations?.[PREDICATE_ANNOTATION]
  if (annotated && BUNDLE_ARTIFACT_TYPE.test(r.artifactType ?? '')) return annotated
  const manifest = await registry.getManifest(repository, r.digest)
  if (!manifest) return undefined
  try {
    const parsed = JSON.parse(manifest.bytes.toString('utf8')) as {
      artifactType?: string
      annotations?: Record<string, string>
    }
    return BUNDLE_ARTIFACT_TYPE.test(parsed.artifactType ?? '') ? parsed.annotations?.[PREDICATE_ANNOTATION] : undefined
  } catch {
    return undefined
  }
}

/** cosign's `--type` names and the predicate type URIs cosign writes for them. */
export const PREDICATE_TYPES: Record<string, string> = {
  cyclonedx: 'https://cyclonedx.org/bom',
  spdxjson: 'https://spdx.dev/Document',
  slsaprovenance1: 'https://slsa.dev/provenance/v1',
}
