/**
 * Which cosign this is, read once per binary and PATH: cosign 2 (signatures and attestations as `.sig` / `.att`
 * tags, trust from flags such as `--ca-roots`) or cosign 3 (Sigstore bundles, stored as OCI 1.1 referrers; a signing
 * config for the services and a trusted root for verification; the old flags refused). `cosign version --json`
 * names the release; a distribution's build that says `devel` is told by what its `sign` does by default.
 */
import {prerequisiteError} from '../../core/errors.js'
import {runTool, type ToolResult} from '../tools.js'

export interface CosignVersion {
  /** 2 or 3: the flags and storage that cosign speaks. */
  major: 2 | 3
  /** As cosign says it (`v3.1.3`), or `devel` with what it was told by. */
  text: string
}

export const COSIGN_INSTALL_HINT =
  'Install cosign 3 (sigstore/cosign-installer, a release download) or cosign 2.x (Debian trixie: apt-get install cosign; CI: scripts/ci/install-toolchain.sh), or publish without signing.'

type Env = Record<string, string | undefined>
type Run = (args: string[]) => Promise<ToolResult>

const known = new Map<string, Promise<CosignVersion>>()

/** The version of `binary` as found on the environment's PATH; asked once per binary and PATH in a process. */
export function cosignVersion(binary: string, env: Env): Promise<CosignVersion> {
  const id = `${binary}\0${env.PATH ?? ''}`
  let version = known.get(id)
  if (!version) {
    const run: Run = (args) =>
      runTool(binary, args, {env, timeoutMs: 30_000, missingCode: 'COSIGN_NOT_FOUND', installHint: COSIGN_INSTALL_HINT})
    version = readVersion(run)
    known.set(id, version)
    version.catch(() => known.delete(id))
  }
  return version
}

async function readVersion(run: Run): Promise<CosignVersion> {
  const result = await run(['version', '--json'])
  if (result.exitCode !== 0) {
    throw prerequisiteError(
      'COSIGN_NOT_USABLE',
      `cosign does not run here: ${result.stderr.trim().split('\n').pop() ?? ''}`,
      [COSIGN_INSTALL_HINT],
    )
  }
  const stated = parseGitVersion(result.stdout)
  if (stated) return stated
  // A build without a release version (Debian's says `devel`): cosign 3 signs with a signing config by default.
  const help = await run(['sign', '--help'])
  const major = /--use-signing-config=true/.test(`${help.stdout}\n${help.stderr}`) ? 3 : 2
  return {major, text: `devel (signs like cosign ${major})`}
}

/** `v3.1.3` → major 3; `v2.5.0` → 2; anything that names no release → undefined. Majors above 3 speak as 3. */
export function parseGitVersion(stdout: string): CosignVersion | undefined {
  let gitVersion: string
  try {
    gitVersion = String((JSON.parse(stdout) as {gitVersion?: unknown}).gitVersion ?? '').trim()
  } catch {
    return undefined
  }
  const match = /^v?(\d+)\.\d+/.exec(gitVersion)
  if (!match) return undefined
  const major = Number(match[1])
  if (major < 2) return undefined
  return {major: major >= 3 ? 3 : 2, text: gitVersion}
}
