import {mkdtemp, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {BuildOutcome, BuildRequest, Builder} from './builder.js'
import {check, retryTool, runTool, toolAnswers, type ExternalToolOptions} from '../tools.js'

export interface DockerBuilderOptions extends ExternalToolOptions {
  /**
   * BuildKit's own provenance attestation. Off by default: ameide attests the image itself (cosign,
   * SLSA v1), and with it on the pushed tag becomes an index and the docker driver of older engines fails.
   */
  buildkitProvenance?: boolean
}

const INSTALL_HINT =
  'Install Docker with the buildx plugin and start the daemon (CI: scripts/ci/docker-engine.sh install && start), or choose --builder buildah.'

/**
 * `docker buildx build --push`: the CI runner path. The daemon decides about plain-HTTP registries
 * (127.0.0.0/8 is insecure by default; others need `insecure-registries` in daemon.json). The
 * `--metadata-file` digest is only a hint (`BuildOutcome.digestHint`); the caller reads the digest back
 * from the registry.
 */
export class DockerBuildxBuilder implements Builder {
  readonly name = 'docker' as const
  private version: string | undefined

  constructor(private readonly options: DockerBuilderOptions = {}) {}

  private get binary(): string {
    return this.options.binary ?? 'docker'
  }

  private run(args: string[]) {
    return runTool(this.binary, args, {
      env: this.options.env,
      timeoutMs: this.options.timeoutMs,
      missingCode: 'BUILDER_NOT_FOUND',
      installHint: INSTALL_HINT,
    })
  }

  /** buildx answers AND a daemon is reachable. */
  async available(): Promise<boolean> {
    const env = this.options.env
    if (!(await toolAnswers(this.binary, ['buildx', 'version'], {env}))) return false
    return toolAnswers(this.binary, ['version', '--format', '{{.Server.Version}}'], {env, timeoutMs: 10_000})
  }

  async toolVersion(): Promise<string> {
    if (this.version === undefined) {
      const result = await this.run(['buildx', 'version'])
      // "github.com/docker/buildx 0.13.1+ds1 0.13.1+ds1-3"
      this.version = /buildx\s+v?([\w.+~-]+)/.exec(result.stdout)?.[1] ?? 'unknown'
    }
    return this.version
  }

  private buildArgs(request: BuildRequest, metadataFile: string): string[] {
    return [
      'buildx',
      'build',
      '--push',
      `--provenance=${this.options.buildkitProvenance ? 'true' : 'false'}`,
      '--metadata-file',
      metadataFile,
      '-f',
      request.dockerfile,
      '-t',
      request.imageRef,
      ...(request.platforms.length > 0 ? ['--platform', request.platforms.join(',')] : []),
      ...Object.entries(request.buildArgs).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]),
      ...Object.entries(request.labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
      request.contextDir,
    ]
  }

  async buildAndPush(request: BuildRequest): Promise<BuildOutcome> {
    const dir = await mkdtemp(join(tmpdir(), 'ameide-buildx-'))
    const metadataFile = join(dir, 'metadata.json')
    let digestHint: string | undefined
    try {
      // Build and push are one invocation; a transient push failure reruns it (the layer cache makes
      // the rebuild cheap).
      await retryTool(
        {
          tool: 'docker',
          subcommand: 'buildx build',
          failureCode: 'BUILD_FAILED',
          remoteCode: 'PUSH_REMOTE_FAILED',
          policy: this.options.retryPolicy,
        },
        async () => check('docker', 'buildx build', await this.run(this.buildArgs(request, metadataFile))),
      )
      try {
        const metadata = JSON.parse(await readFile(metadataFile, 'utf8')) as Record<string, unknown>
        const digest = metadata['containerimage.digest']
        if (typeof digest === 'string') digestHint = digest
      } catch {
        // The metadata file is a hint; the registry is the source of truth.
      }
    } finally {
      await rm(dir, {recursive: true, force: true})
    }
    return {builderId: `https://ameide.io/builders/docker-buildx@${await this.toolVersion()}`, digestHint}
  }
}
