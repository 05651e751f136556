import type {Manifest, RegistryClient} from '../effects/registry/client.js'
import type {ImageRecord} from './report.js'
import {retagManifest} from './retag.js'

/** Moves `:main` to the image's digest; `planned.mainDigest` undefined: read `:main` now (also `publish merge`). */
export async function moveMain(
  client: RegistryClient,
  image: ImageRecord,
  planned: {mainDigest?: string | null},
  manifests: Map<string, Manifest> | undefined,
): Promise<void> {
  const previous =
    planned.mainDigest !== undefined
      ? planned.mainDigest
      : ((await client.headManifest(image.repository, 'main'))?.digest ?? null)
  if (previous === image.digest) {
    image.main = {action: 'unchanged', previousDigest: previous}
    return
  }
  const manifest = manifests?.get(image.component) ?? (await client.getManifest(image.repository, image.digest!))
  if (!manifest || manifest.digest !== image.digest)
    throw new Error(`${image.repository}@${image.digest} could not be read back`)
  // :main moves only to the digest this run just reported, byte for byte.
  await retagManifest(client, image.repository, manifest, 'main')
  image.main = {action: 'moved', previousDigest: previous}
}
