import {failureError} from '../core/errors.js'
import type {Manifest, Registry} from '../effects/registry/registry.js'

/**
 * Re-tags a manifest already in `repository` under `tag` by PUTting the exact bytes that were fetched (no blob
 * traffic, no re-serialisation), and asserts that the registry stored the same digest. Whole indexes (multi-arch,
 * attestation manifests) are carried over unchanged because their bytes are.
 */
export async function retagManifest(
  client: Registry,
  repository: string,
  source: Manifest,
  tag: string,
): Promise<string> {
  const digest = await client.putManifest(repository, tag, source.bytes, source.mediaType)
  if (digest !== source.digest) {
    throw failureError(
      'RETAG_DIGEST_MISMATCH',
      `${repository}:${tag} was stored as ${digest}, but the source is ${source.digest}.`,
      ['The registry rewrote the manifest; it must store manifests byte for byte.'],
    )
  }
  return digest
}
