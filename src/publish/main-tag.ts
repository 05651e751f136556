import type {Manifest, RegistryClient} from '../effects/registry/client.js'
import type {ImageRecord} from './report.js'
import {retagManifest} from './retag.js'

/**
 * `--update-main` (publish, and `publish merge` after every shard succeeded): `:main` moves only to the digest
 * reported, byte for byte. `previous`: `:main`'s digest as the plan read it; undefined reads it now (merge: no shard
 * has touched `:main`). `manifest`: the bytes when the run holds them, else read back by digest.
 */
export async function moveMain(
  client: RegistryClient,
  image: ImageRecord,
  known: {previous?: string | null; manifest?: Manifest} = {},
): Promise<void> {
  const previous =
    known.previous !== undefined
      ? known.previous
      : ((await client.headManifest(image.repository, 'main'))?.digest ?? null)
  if (previous === image.digest) {
    image.main = {action: 'unchanged', previousDigest: previous}
    return
  }
  const manifest = known.manifest ?? (await client.getManifest(image.repository, image.digest!))
  if (!manifest || manifest.digest !== image.digest)
    throw new Error(`${image.repository}@${image.digest} could not be read back`)
  await retagManifest(client, image.repository, manifest, 'main')
  image.main = {action: 'moved', previousDigest: previous}
}
