/** How a kustomize entry and an image map read as one reference (the change list, promotion). */
import type {ImageMap, KustomizeImage} from '../facts/index.js'

/** How an entry reads as one reference, for the change list: `newName|name[:newTag][@digest]`. */
export function kustomizeRef(entry: KustomizeImage): string {
  const name = entry.fields.newName?.value ?? entry.name
  const tag = entry.fields.newTag ? `:${entry.fields.newTag.value}` : ''
  const digest = entry.fields.digest ? `@${entry.fields.digest.value}` : ''
  return `${name}${tag}${digest}`
}

/** An image map's repository: `registry/repository` when it names a registry. */
export function mapRepository(map: ImageMap): string | undefined {
  const repository = map.fields.repository?.value.trim()
  if (!repository) return undefined
  const registry = map.fields.registry?.value.trim().replace(/\/+$/, '')
  return registry ? `${registry}/${repository}` : repository
}

/** How a map reads as one reference: `[registry/]repository[:tag][@digest]` (a tag may carry the digest). */
export function mapRef(map: ImageMap): string {
  const tag = map.fields.tag ? `:${map.fields.tag.value}` : ''
  const digest = map.fields.digest ? `@${map.fields.digest.value}` : ''
  return `${mapRepository(map) ?? ''}${tag}${digest}`
}
