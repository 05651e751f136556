import {readFileSync} from 'node:fs'
import path from 'node:path'

import {prerequisiteError} from '../core/errors.js'
import {isDigestPinned, tryParseImageReference} from '../images/reference.js'
import {TEMPLATES_DIR} from './templates-dir.js'

/**
 * The base images a scaffolded Dockerfile starts FROM, each pinned by digest: the table the CLI ships
 * (`templates/base-images.json`, refreshed each release by scripts/refresh-base-images.sh), with any entry replaced
 * by the repository's `ameide.yaml` (`scaffold.baseImages`). A scaffold therefore passes `primitive verify`'s
 * image policy with no `unpinned-base-image` warning.
 */
export const BASE_IMAGE_NAMES = ['golang', 'debian', 'python', 'node', 'flyway'] as const
export type BaseImageName = (typeof BASE_IMAGE_NAMES)[number]
export type BaseImages = Record<BaseImageName, string>

let shipped: BaseImages | undefined

/** The shipped table, read once. */
export function shippedBaseImages(): BaseImages {
  shipped ??= pick(JSON.parse(readFileSync(path.join(TEMPLATES_DIR, 'base-images.json'), 'utf8')) as BaseImages)
  return shipped
}

/** The shipped table with the repository's overrides; an override that is not digest-pinned is exit 3. */
export function baseImages(overrides: Record<string, string> = {}): BaseImages {
  const images = {...shippedBaseImages()}
  for (const [name, ref] of Object.entries(overrides)) {
    const parsed = tryParseImageReference(ref)
    if (!(BASE_IMAGE_NAMES as readonly string[]).includes(name) || parsed === undefined || !isDigestPinned(parsed)) {
      throw prerequisiteError(
        'CONFIG_INVALID',
        `ameide.yaml: scaffold.baseImages.${name} ${JSON.stringify(ref)} is not a base image pinned by digest.`,
        [`Write it as <image>:<tag>@sha256:<digest>; the names are ${BASE_IMAGE_NAMES.join(', ')}.`],
      )
    }
    images[name as BaseImageName] = ref
  }
  return images
}

function pick(table: BaseImages): BaseImages {
  return Object.fromEntries(BASE_IMAGE_NAMES.map((n) => [n, table[n]])) as BaseImages
}
