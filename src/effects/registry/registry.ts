/**
 * What the publish core asks of an OCI registry, as a small interface: manifests by tag or digest (GET of the exact
 * bytes, HEAD, PUT of exact bytes) and small blobs (an image config). `RegistryClient` (`client.ts`) implements it
 * over the distribution API; the publish tests pass an in-memory one.
 */
export const MANIFEST_MEDIA_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
] as const

export const MANIFEST_ACCEPT = MANIFEST_MEDIA_TYPES.join(', ')

export const INDEX_MEDIA_TYPES: readonly string[] = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]

export interface ManifestHead {
  digest: string
  mediaType: string
  size: number
}

export interface Manifest extends ManifestHead {
  /** The exact bytes the registry served (PUT them back unchanged to retag). */
  bytes: Buffer
}

export interface Registry {
  /** A manifest by tag or digest; null when it does not exist. The digest is the hash of the bytes. */
  getManifest(repository: string, reference: string): Promise<Manifest | null>
  /** A manifest's digest and media type, or null when it does not exist. */
  headManifest(repository: string, reference: string): Promise<ManifestHead | null>
  /** Stores the exact bytes under `reference`; returns the digest the registry stored them under. */
  putManifest(repository: string, reference: string, bytes: Buffer, mediaType: string): Promise<string>
  /** A (small) blob, e.g. an image config, checked against its digest. */
  getBlob(repository: string, digest: string): Promise<Buffer>
}
