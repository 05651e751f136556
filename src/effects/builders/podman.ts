import {DaemonlessBuilder, type DaemonlessBuilderOptions} from './buildah.js'

/**
 * podman: the same daemonless flow as buildah (podman builds with buildah's library): `podman build`
 * (`--manifest` for several platforms), `podman push` / `podman manifest push --all`.
 */
export class PodmanBuilder extends DaemonlessBuilder {
  constructor(options: DaemonlessBuilderOptions = {}) {
    super('podman', options)
  }
}
