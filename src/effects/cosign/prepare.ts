/**
 * A cosign run's set-up, made once per signer before its first call: the version found, and for cosign 3 the
 * signing config and trusted root it is given (the user's files, or ones written from the Sigstore settings into a
 * private temporary folder). Settings a version cannot take are a named error, never a silent fallback.
 */
import {mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {prerequisiteError} from '../../core/errors.js'
import type {SigstoreSettings} from '../../core/sigstore.js'
import type {CosignRun, TrustFiles} from './flags.js'
import type {CosignSignerOptions} from './preflight.js'
import {signingConfig, trustedRoot, trustIsLocal, type RunShape} from './trust.js'
import {cosignVersion, type CosignVersion} from './version.js'

type Env = Record<string, string | undefined>

export async function prepareRun(o: CosignSignerOptions, env: Env): Promise<CosignRun> {
  const version = await cosignVersion(o.binary ?? 'cosign', env)
  const settings = o.sigstore ?? {}
  if (version.major === 2) {
    refuseCosign3Files(settings, version)
    return {version, files: {}}
  }
  return {version, files: await trustFiles(settings, {keyless: o.mode === 'keyless', tlog: o.tlog})}
}

function refuseCosign3Files(settings: SigstoreSettings, version: CosignVersion): void {
  const given = (['signingConfig', 'trustedRoot'] as const).filter((k) => settings[k])
  if (given.length === 0) return
  const flags = given.map((k) => (k === 'signingConfig' ? '--signing-config' : '--trusted-root')).join(' and ')
  throw prerequisiteError(
    'COSIGN_VERSION_UNSUPPORTED',
    `${flags} ${given.length > 1 ? 'are' : 'is'} for cosign 3; the cosign on PATH is ${version.text}.`,
    [
      'Install cosign 3 (sigstore/cosign-installer installs it by default), or drop the flag (and signing.sigstore.' +
        `${given[0]} in ameide.yaml) to use the cosign 2 flags from the other settings.`,
    ],
  )
}

/**
 * cosign 3's files: the user's, else written. A signing config is written where the run departs from the public
 * Sigstore's defaults (a service of its own, or no transparency log); a trusted root where all the trust it needs is
 * in the user's files (else cosign takes the public one from TUF).
 */
async function trustFiles(settings: SigstoreSettings, run: RunShape): Promise<TrustFiles> {
  const ownServices = Boolean(settings.fulcioUrl || settings.rekorUrl || settings.timestampServerUrl) || !run.tlog
  const writeSigningConfig = !settings.signingConfig && ownServices
  const writeTrustedRoot = !settings.trustedRoot && trustIsLocal(settings, run)
  if (!writeSigningConfig && !writeTrustedRoot) {
    return {signingConfig: settings.signingConfig, trustedRoot: settings.trustedRoot}
  }
  const dir = await mkdtemp(join(tmpdir(), 'ameide-sigstore-'))
  const write = async (name: string, content: object) => {
    const file = join(dir, name)
    await writeFile(file, `${JSON.stringify(content, null, 2)}\n`, {mode: 0o600})
    return file
  }
  return {
    signingConfig: writeSigningConfig
      ? await write('signing_config.json', signingConfig(settings, run))
      : settings.signingConfig,
    trustedRoot: writeTrustedRoot
      ? await write('trusted_root.json', await trustedRoot(settings))
      : settings.trustedRoot,
  }
}
