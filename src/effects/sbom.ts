import {existsSync} from 'node:fs'
import {mkdir, mkdtemp, readFile, rm, stat} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {delimiter, join} from 'node:path'

import {failureError, prerequisiteError} from '../core/errors.js'
import type {RetryPolicy} from '../core/retry.js'
import {check, retryTool, runTool, toolAnswers} from './tools.js'
import type {SbomGenerator} from './signing.js'
import {SBOM_CHOICES, type SbomChoice} from '../core/choices.js'

export {SBOM_CHOICES, type SbomChoice}

export interface SbomOptions {
  /** Repository root: `.tools/cdxgen/node_modules/.bin/cdxgen` is looked up there. */
  repoRoot?: string
  env?: Record<string, string | undefined>
  /** Registry reached over plain HTTP / without TLS verification. */
  insecureRegistry: boolean
  /** syft only: `spdxjson` instead of the default CycloneDX. */
  format?: 'cyclonedx' | 'spdxjson'
  retryPolicy?: RetryPolicy
  timeoutMs?: number
}

const CDXGEN_HINT =
  'Install an SBOM generator: syft (https://github.com/anchore/syft) or cdxgen (npm install -g @cyclonedx/cdxgen; CI: scripts/ci/install-toolchain.sh puts it in .tools/cdxgen), or pass --sbom none.'
const SKOPEO_HINT =
  'cdxgen reads the image through skopeo: apt-get install --no-install-recommends skopeo (CI: scripts/ci/install-toolchain.sh).'

/**
 * `--sbom`: auto = syft when on PATH, else cdxgen (PATH, then `<repo>/.tools/cdxgen`); `none` = no SBOM
 * (null: the caller records the opt-out). An explicit tool that is missing → exit 3 before any build.
 */
export async function selectSbomGenerator(choice: SbomChoice, options: SbomOptions): Promise<SbomGenerator | null> {
  if (choice === 'none') return null
  const env = options.env ?? process.env
  if (choice === 'syft' || choice === 'auto') {
    if (await toolAnswers('syft', ['version'], {env})) return new SyftSbomGenerator(options)
    if (choice === 'syft') throw prerequisiteError('SBOM_TOOL_NOT_FOUND', 'syft was not found on PATH.', [CDXGEN_HINT])
  }
  const cdxgen = findCdxgen(env, options.repoRoot)
  if (!cdxgen)
    throw prerequisiteError('SBOM_TOOL_NOT_FOUND', 'No SBOM generator found (syft or cdxgen).', [CDXGEN_HINT])
  if (!(await toolAnswers('skopeo', ['--version'], {env})))
    throw prerequisiteError('SKOPEO_NOT_FOUND', 'skopeo was not found on PATH.', [SKOPEO_HINT])
  return new CdxgenSbomGenerator(cdxgen, options)
}

/** cdxgen on PATH, else the project-local install by scripts/ci/install-toolchain.sh. */
export function findCdxgen(env: Record<string, string | undefined>, repoRoot?: string): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'cdxgen'))) return join(dir, 'cdxgen')
  }
  if (repoRoot) {
    const local = join(repoRoot, '.tools', 'cdxgen', 'node_modules', '.bin', 'cdxgen')
    if (existsSync(local)) return local
  }
  return undefined
}

/** `syft registry:<ref> -o cyclonedx-json=FILE` (or spdx-json): syft reads the image from the registry itself. */
export class SyftSbomGenerator implements SbomGenerator {
  readonly tool = 'syft' as const
  readonly attestationType: 'cyclonedx' | 'spdxjson'

  constructor(private readonly options: SbomOptions) {
    this.attestationType = options.format ?? 'cyclonedx'
  }

  async generate(digestRef: string, outFile: string): Promise<void> {
    const env = {
      ...(this.options.env ?? process.env),
      ...(this.options.insecureRegistry
        ? {SYFT_REGISTRY_INSECURE_USE_HTTP: 'true', SYFT_REGISTRY_INSECURE_SKIP_TLS_VERIFY: 'true'}
        : {}),
    }
    const format = this.attestationType === 'spdxjson' ? 'spdx-json' : 'cyclonedx-json'
    const args = [`registry:${digestRef}`, '-o', `${format}=${outFile}`, '-q']
    await retryTool(
      {
        tool: 'syft',
        subcommand: 'scan',
        failureCode: 'SBOM_FAILED',
        remoteCode: 'SBOM_REMOTE_FAILED',
        policy: this.options.retryPolicy,
      },
      async () =>
        check(
          'syft',
          'scan',
          await runTool('syft', args, {
            env,
            timeoutMs: this.options.timeoutMs,
            missingCode: 'SBOM_TOOL_NOT_FOUND',
            installHint: CDXGEN_HINT,
          }),
        ),
    )
    await assertNonEmptyJson(outFile, 'syft')
  }
}

/**
 * cdxgen cannot read a registry image by itself without a Docker/Podman socket, so: `skopeo copy
 * docker://<digestRef> oci-archive:<tmp>/image.tar` (the host platform's image of an index), then
 * `cdxgen -t docker -o FILE image.tar` with TMPDIR in a private directory (cdxgen and its bundled trivy
 * leave temp dirs behind otherwise). Works offline.
 */
export class CdxgenSbomGenerator implements SbomGenerator {
  readonly tool = 'cdxgen' as const
  readonly attestationType = 'cyclonedx' as const

  constructor(
    readonly binary: string,
    private readonly options: SbomOptions,
  ) {}

  async generate(digestRef: string, outFile: string): Promise<void> {
    const baseEnv = this.options.env ?? process.env
    const work = await mkdtemp(join(tmpdir(), 'ameide-sbom-'))
    try {
      const archive = join(work, 'image.tar')
      const skopeoArgs = [
        'copy',
        '--quiet',
        ...(this.options.insecureRegistry ? ['--src-tls-verify=false'] : []),
        ...authFileArgs(baseEnv),
        `docker://${digestRef}`,
        `oci-archive:${archive}`,
      ]
      await retryTool(
        {
          tool: 'skopeo',
          subcommand: 'copy',
          failureCode: 'SBOM_FAILED',
          remoteCode: 'SBOM_REMOTE_FAILED',
          policy: this.options.retryPolicy,
        },
        async () => {
          await rm(archive, {force: true})
          return check(
            'skopeo',
            'copy',
            await runTool('skopeo', skopeoArgs, {
              env: baseEnv,
              timeoutMs: this.options.timeoutMs,
              missingCode: 'SKOPEO_NOT_FOUND',
              installHint: SKOPEO_HINT,
            }),
          )
        },
      )
      const tmp = join(work, 'tmp')
      const env = {...baseEnv, TMPDIR: tmp, CDXGEN_TEMP_DIR: tmp, FETCH_LICENSE: 'false', CDXGEN_NO_BANNER: 'true'}
      await mkdir(tmp, {recursive: true})
      const result = await runTool(this.binary, ['-t', 'docker', '-o', outFile, archive], {
        env,
        cwd: work,
        timeoutMs: this.options.timeoutMs ?? 600_000,
        missingCode: 'SBOM_TOOL_NOT_FOUND',
        installHint: CDXGEN_HINT,
      })
      if (result.exitCode !== 0)
        throw failureError(
          'SBOM_FAILED',
          `cdxgen failed (exit ${result.exitCode}): ${lastLines(result.stderr || result.stdout)}`,
        )
      await assertNonEmptyJson(outFile, 'cdxgen')
    } finally {
      await rm(work, {recursive: true, force: true})
    }
  }
}

/** skopeo reads REGISTRY_AUTH_FILE itself; a DOCKER_CONFIG directory is handed over explicitly. */
function authFileArgs(env: Record<string, string | undefined>): string[] {
  if (env.REGISTRY_AUTH_FILE) return []
  const dockerConfig = env.DOCKER_CONFIG ? join(env.DOCKER_CONFIG, 'config.json') : undefined
  return dockerConfig && existsSync(dockerConfig) ? ['--src-authfile', dockerConfig] : []
}

async function assertNonEmptyJson(file: string, tool: string): Promise<void> {
  try {
    if ((await stat(file)).size === 0) throw new Error('empty')
    JSON.parse(await readFile(file, 'utf8'))
  } catch {
    throw failureError('SBOM_FAILED', `${tool} did not write a JSON SBOM to ${file}.`)
  }
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-5).join('\n').slice(-1500)
}
