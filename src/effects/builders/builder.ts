/**
 * A container image builder: builds one Dockerfile and pushes the result to `imageRef`
 * (`<repository>:<tag>`). The digest is NOT taken from the builder: the caller reads it back from
 * the registry. Implementations: docker buildx (`docker.ts`), buildah (`buildah.ts`), podman (`podman.ts`).
 */
import type {BuilderName} from '../../core/choices.js'

export type {BuilderName}

export interface BuildRequest {
  /** Build context directory (absolute). */
  contextDir: string
  /** Dockerfile path (absolute). */
  dockerfile: string
  /** `<repository>:<tag>` to push. */
  imageRef: string
  /** e.g. ['linux/amd64', 'linux/arm64']; empty = the builder's native platform. */
  platforms: string[]
  buildArgs: Record<string, string>
  labels: Record<string, string>
  /** Push over plain HTTP / without TLS verification (loopback or configured insecure registries). */
  insecureRegistry: boolean
}

export interface BuildOutcome {
  /** Identifies the builder for provenance, e.g. `https://ameide.io/builders/buildah@1.28.2`. */
  builderId: string
  /**
   * The digest the builder itself reported (e.g. buildx `--metadata-file` `containerimage.digest`), when it
   * reports one. A hint for logs and cross-checks only: the digest of record is read back from the registry.
   */
  digestHint?: string
}

export interface Builder {
  readonly name: BuilderName
  /** True when the tool is installed and usable here (e.g. `docker buildx version` answers). */
  available(): Promise<boolean>
  buildAndPush(request: BuildRequest): Promise<BuildOutcome>
}
