import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {IDENTITY_ENV, imageName, type Kind} from '../primitives/kinds.js'
import {type BaseImages, shippedBaseImages} from './base-images.js'
import {TEMPLATES_DIR} from './templates-dir.js'

export {TEMPLATES_DIR} from './templates-dir.js'

/**
 * The values a template can use, as `{{variable}}`. Rendering is plain substitution: templates cannot
 * run code, and an unknown variable is an error, so a typo never reaches a generated file.
 */
export interface TemplateVariables {
  name: string
  kind: Kind
  KindTitle: string
  NamePascal: string
  name_snake: string
  goModule: string
  identityEnv: string
  imageName: string
  /** Base images pinned by digest (src/scaffold/base-images.ts). */
  golangImage: string
  debianImage: string
  pythonImage: string
  nodeImage: string
  flywayImage: string
}

export function templateVariables(
  kind: Kind,
  name: string,
  images: BaseImages = shippedBaseImages(),
): TemplateVariables {
  return {
    name,
    kind,
    KindTitle: kind === 'uisurface' ? 'UISurface' : kind[0].toUpperCase() + kind.slice(1),
    NamePascal: name
      .split('-')
      .map((w) => w[0].toUpperCase() + w.slice(1))
      .join(''),
    name_snake: name.replaceAll('-', '_'),
    goModule: `github.com/ameideio/ameide/primitives/${kind}/${name}`,
    identityEnv: IDENTITY_ENV[kind],
    imageName: imageName(kind, name),
    golangImage: images.golang,
    debianImage: images.debian,
    pythonImage: images.python,
    nodeImage: images.node,
    flywayImage: images.flyway,
  }
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_]+)\s*\}\}/g

export function renderTemplate(template: string, variables: TemplateVariables, source = 'template'): string {
  return template.replace(PLACEHOLDER, (_match, key: string) => {
    if (!Object.hasOwn(variables, key)) throw new Error(`${source}: unknown template variable {{${key}}}`)
    return variables[key as keyof TemplateVariables]
  })
}

export async function renderTemplateFile(relativePath: string, variables: TemplateVariables): Promise<string> {
  const text = await readFile(path.join(TEMPLATES_DIR, relativePath), 'utf8')
  return renderTemplate(text, variables, relativePath)
}
