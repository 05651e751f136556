/**
 * The external tools the commands run: an image builder (docker buildx, buildah or podman), cosign, an SBOM
 * generator (syft, or cdxgen reading the image through skopeo) and buf. Each is asked
 * for its version through src/effects/tools.ts, where a command would find it.
 */
import type {AmeideConfig} from '../core/config.js'
import {findExecutable, toolPath} from '../effects/buf.js'
import {cosignVersion as readCosignVersion} from '../effects/cosign/version.js'
import {findCdxgen} from '../effects/sbom.js'
import {probe, statedVersion, type Probe} from './probe.js'
import type {ProbedCheck} from './types.js'

type Line = ProbedCheck
type Env = Record<string, string | undefined>

const TOOLCHAIN = 'bash scripts/ci/install-toolchain.sh (in a checkout of ameide)'

export const FIXES = {
  builder:
    'apt-get install --no-install-recommends buildah (or podman; or Docker with the buildx plugin and a running daemon)',
  cosign: `install cosign 3 (sigstore/cosign-installer, a release download) or cosign 2 (Debian trixie: apt-get install cosign), or ${TOOLCHAIN}`,
  sbom: `npm install -g @cyclonedx/cdxgen and apt-get install --no-install-recommends skopeo (or install syft), or ${TOOLCHAIN}`,
  skopeo: 'apt-get install --no-install-recommends skopeo',
  buf: 'npm install --save-dev @bufbuild/buf in the monorepo (verify also finds it in node_modules/.bin)',
} as const

const line = (id: Line['id'], title: string, found: Probe, fix: string, detail = found.detail): Line => ({
  id,
  title,
  status: found.status,
  version: found.version,
  detail,
  fix: found.status === 'ok' ? null : fix,
})

/** docker buildx with a reachable daemon, buildah, podman: the one `--builder` (publish.builder) picks, or any (auto). */
export async function checkBuilder(config: AmeideConfig, env: Env): Promise<Line> {
  const [docker, buildah, podman] = await Promise.all([
    dockerBuildx(env),
    probe('buildah', ['--version'], {env}),
    probe('podman', ['--version'], {env}),
  ])
  const found = {docker, buildah, podman}
  const summary = (['docker', 'buildah', 'podman'] as const).map((name) => `${name}: ${found[name].detail}`).join('; ')
  const choice = config.publish.builder
  if (choice !== 'auto') {
    return line('builder', `builder (${choice}, publish.builder)`, found[choice], FIXES.builder, summary)
  }
  const pick = (['docker', 'buildah', 'podman'] as const).find((n) => found[n].status === 'ok')
  const status = pick ? 'ok' : Object.values(found).some((f) => f.status === 'unusable') ? 'unusable' : 'missing'
  return {
    id: 'builder',
    title: 'image builder',
    status,
    version: pick ? found[pick].version : null,
    detail: pick ? `${pick} builds (${summary})` : summary,
    fix: status === 'ok' ? null : FIXES.builder,
  }
}

/** `docker buildx version`, then the daemon's version: docker builds only with both. */
async function dockerBuildx(env: Env): Promise<Probe> {
  const buildx = await probe('docker', ['buildx', 'version'], {env})
  if (buildx.status !== 'ok') return buildx.status === 'missing' ? {...buildx, detail: 'docker is not on PATH'} : buildx
  const daemon = await probe('docker', ['version', '--format', '{{.Server.Version}}'], {env, timeoutMs: 10_000})
  if (daemon.status !== 'ok') return {status: 'unusable', version: null, detail: `no Docker daemon: ${daemon.detail}`}
  return {...buildx, detail: `buildx ${buildx.detail}`}
}

export async function checkCosign(env: Env): Promise<Line> {
  const found = await probe('cosign', ['version', '--json'], {env, min: '2.0', version: cosignVersion})
  if (found.status !== 'ok') return line('cosign', 'cosign', found, FIXES.cosign)
  const major = await readCosignVersion('cosign', env).then(
    (v) => v.major,
    () => undefined, // the probe above found it running; a failure here leaves the line as probed
  )
  return line('cosign', 'cosign', found, FIXES.cosign, major ? `${found.detail}; ${COSIGN_MEANS[major]}` : found.detail)
}

/** What the cosign found means for each command (src/effects/cosign/). */
const COSIGN_MEANS = {
  2: 'cosign 2: publish signs and attests as .sig/.att tags; gitops verify --evidence and primitive status read those, and name what cosign 3 signed (Sigstore bundles) evidence-unreadable — install cosign 3 to verify a fleet it signed',
  3: 'cosign 3: publish signs and attests Sigstore bundles (OCI referrers), given a signing config and a trusted root written from the Sigstore settings; gitops verify --evidence and primitive status read both formats',
} as const

/** `cosign version --json`'s gitVersion (`v2.4.1` → 2.4.1); a distribution's `devel` as it says it. */
export function cosignVersion(stdout: string): string | null {
  try {
    const v = String((JSON.parse(stdout) as {gitVersion?: unknown}).gitVersion ?? '').trim()
    return /^v?(\d+\.\d+(?:\.\d+)?)/.exec(v)?.[1] ?? (v || null)
  } catch {
    return statedVersion(stdout)
  }
}

/** `publish.sbom`: syft, or cdxgen (PATH, then the repository's .tools/cdxgen) with skopeo; `none` needs nothing. */
export async function checkSbom(config: AmeideConfig, root: string | null, env: Env): Promise<Line> {
  const choice = config.publish.sbom
  const title = 'SBOM generator (syft or cdxgen)'
  if (choice === 'none') {
    return {id: 'sbom', title, status: 'ok', version: null, detail: 'publish.sbom is none: no SBOM', fix: null}
  }
  const syft = choice === 'cdxgen' ? null : await probe('syft', ['version'], {env})
  if (syft?.status === 'ok' || choice === 'syft') return line('sbom', title, syft!, FIXES.sbom)
  const cdxgen = findCdxgen(env, root ?? undefined)
  if (!cdxgen) {
    const detail = `${choice === 'auto' ? 'syft is not on PATH; ' : ''}cdxgen is not on PATH${root ? ' nor in .tools/cdxgen' : ''}`
    return {id: 'sbom', title, status: 'missing', version: null, detail, fix: FIXES.sbom}
  }
  const [generator, skopeo] = await Promise.all([
    probe(cdxgen, ['--version'], {env, timeoutMs: 30_000}),
    probe('skopeo', ['--version'], {env}),
  ])
  if (generator.status !== 'ok') return line('sbom', title, generator, FIXES.sbom)
  if (skopeo.status !== 'ok') {
    return {
      id: 'sbom',
      title,
      status: 'unusable',
      version: generator.version,
      detail: `cdxgen ${generator.detail} reads images through skopeo: ${skopeo.detail}`,
      fix: FIXES.skopeo,
    }
  }
  return line('sbom', title, generator, FIXES.sbom, `cdxgen ${generator.detail}, skopeo ${skopeo.detail}`)
}

/** buf where `primitive verify` looks: PATH, then the repository's node_modules/.bin. */
export async function checkBuf(root: string | null, env: Env): Promise<Line> {
  const searchPath = root ? toolPath(root, env.PATH ?? '') : (env.PATH ?? '')
  const binary = await findExecutable('buf', searchPath)
  if (!binary) {
    const where = root ? 'on PATH nor in node_modules/.bin' : 'on PATH'
    return {id: 'buf', title: 'buf', status: 'missing', version: null, detail: `buf is not ${where}`, fix: FIXES.buf}
  }
  const found = await probe(binary, ['--version'], {env})
  return line('buf', 'buf', found, FIXES.buf, `${found.detail} (${binary})`)
}
