import {randomBytes} from 'node:crypto'

import type {BuildOutcome, BuildRequest, Builder, BuilderName} from './builder.js'
import {check, retryTool, runTool, toolAnswers, type ExternalToolOptions, type ToolRunOptions} from '../tools.js'

/**
 * Options of the daemonless builders (buildah, podman). Storage settings are global flags of the tool;
 * `select.ts` fills them from the environment (AMEIDE_BUILDAH_*), tests give a private store.
 */
export interface DaemonlessBuilderOptions extends ExternalToolOptions {
  /** `--root`: image store directory (default: the tool's own, /var/lib/containers/storage). */
  storageRoot?: string
  /** `--runroot` */
  runRoot?: string
  /** `--storage-driver`, e.g. `vfs` (no mounts; works everywhere) or `overlay`. */
  storageDriver?: string
  /** `--isolation`, e.g. `chroot` (no runc needed) or `oci`. */
  isolation?: string
}

const INSTALL_HINT: Record<'buildah' | 'podman', string> = {
  buildah:
    'Install buildah (Debian/Ubuntu: apt-get install --no-install-recommends buildah; CI: scripts/ci/install-toolchain.sh) or choose another --builder.',
  podman:
    'Install podman (Debian/Ubuntu: apt-get install --no-install-recommends podman runc) or choose another --builder.',
}

/**
 * buildah / podman: `build` into a private image name, then `push` (or, for several platforms, `build
 * --manifest` + `manifest push --all`) to `imageRef`. The build runs once; only the push is retried on
 * transient registry failures. The local image is removed after the push.
 */
export class DaemonlessBuilder implements Builder {
  private version: string | undefined

  constructor(
    readonly name: Extract<BuilderName, 'buildah' | 'podman'>,
    private readonly options: DaemonlessBuilderOptions = {},
  ) {}

  private get binary(): string {
    return this.options.binary ?? this.name
  }

  private globalArgs(): string[] {
    const o = this.options
    return [
      ...(o.storageRoot ? ['--root', o.storageRoot] : []),
      ...(o.runRoot ? ['--runroot', o.runRoot] : []),
      ...(o.storageDriver ? ['--storage-driver', o.storageDriver] : []),
    ]
  }

  private run(args: string[]) {
    const runOptions: ToolRunOptions & {missingCode: 'BUILDER_NOT_FOUND'; installHint: string} = {
      env: this.options.env,
      timeoutMs: this.options.timeoutMs,
      missingCode: 'BUILDER_NOT_FOUND',
      installHint: INSTALL_HINT[this.name],
    }
    return runTool(this.binary, [...this.globalArgs(), ...args], runOptions)
  }

  async available(): Promise<boolean> {
    return toolAnswers(this.binary, ['--version'], {env: this.options.env})
  }

  /** e.g. `1.28.2` */
  async toolVersion(): Promise<string> {
    if (this.version === undefined) {
      const result = await this.run(['--version'])
      this.version = /version\s+([\w.+~-]+)/i.exec(result.stdout)?.[1] ?? 'unknown'
    }
    return this.version
  }

  /** The argv of the build step. */
  private buildArgs(request: BuildRequest, localName: string): string[] {
    const multi = request.platforms.length > 1
    return [
      'build',
      ...(this.options.isolation ? ['--isolation', this.options.isolation] : []),
      ...(request.insecureRegistry ? ['--tls-verify=false'] : []),
      '-f',
      request.dockerfile,
      ...(multi ? ['--manifest', localName] : ['-t', localName]),
      // podman 4.3 caches layers by default and its cache key ignores the platform: a second platform's
      // COPY reuses the first platform's layer and the list ends up with one entry. No cache for lists.
      ...(multi && this.name === 'podman' ? ['--no-cache'] : []),
      ...(request.platforms.length > 0 ? ['--platform', request.platforms.join(',')] : []),
      ...Object.entries(request.buildArgs).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]),
      ...Object.entries(request.labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
      request.contextDir,
    ]
  }

  private pushArgs(request: BuildRequest, localName: string): string[] {
    const multi = request.platforms.length > 1
    const tls = request.insecureRegistry ? ['--tls-verify=false'] : []
    // buildah's own push retry (3 × 2 s) would multiply with ours: ameide's policy (backoff, jitter,
    // budget → exit 4) is the one that counts.
    const ownRetry = this.name === 'buildah' ? ['--retry', '0'] : []
    return multi
      ? ['manifest', 'push', '--all', '--format', 'oci', '--quiet', ...tls, localName, `docker://${request.imageRef}`]
      : ['push', '--quiet', ...ownRetry, ...tls, localName, `docker://${request.imageRef}`]
  }

  async buildAndPush(request: BuildRequest): Promise<BuildOutcome> {
    // A private local name per build: parallel builds never collide, and a manifest list never
    // accumulates entries from an earlier build.
    const localName = `localhost/ameide-build/${randomBytes(6).toString('hex')}:latest`
    const multi = request.platforms.length > 1
    const tool = this.name
    try {
      await retryTool(
        {
          tool,
          subcommand: 'build',
          failureCode: 'BUILD_FAILED',
          remoteCode: 'BUILD_REMOTE_FAILED',
          policy: this.options.retryPolicy,
        },
        async () => check(tool, 'build', await this.run(this.buildArgs(request, localName))),
      )
      await retryTool(
        {
          tool,
          subcommand: 'push',
          failureCode: 'PUSH_FAILED',
          remoteCode: 'PUSH_REMOTE_FAILED',
          policy: this.options.retryPolicy,
        },
        async () => check(tool, 'push', await this.run(this.pushArgs(request, localName))),
      )
    } finally {
      // Off the critical path: the pushed image is in the registry; dropping the local copy only saves disk.
      this.pendingCleanup.push(
        this.run(multi ? ['manifest', 'rm', localName] : ['rmi', '-f', localName]).then(
          () => undefined,
          () => undefined,
        ),
      )
    }
    return {builderId: `https://ameide.io/builders/${this.name}@${await this.toolVersion()}`}
  }

  private readonly pendingCleanup: Promise<void>[] = []

  /** Waits for the background removal of local build images (tests, or before the process ends). */
  async settle(): Promise<void> {
    await Promise.all(this.pendingCleanup.splice(0))
  }
}

export class BuildahBuilder extends DaemonlessBuilder {
  constructor(options: DaemonlessBuilderOptions = {}) {
    super('buildah', options)
  }
}
