import {parseYaml, type YamlModule} from '../../images/yaml/index.js'
import type {FileImages} from './model.js'
import {Walker, type ToOuter} from './walker.js'

export * from './model.js'

/**
 * Finds what the GitOps image policy looks at in one YAML file: every image reference (by the definition of
 * `gitops verify`, shared with `gitops set-image`/`promote`), split image maps, pull policies, containers of
 * raw manifests and primitive custom resources — also inside YAML embedded in literal block strings
 * (`manifests: |-`), with positions and byte ranges in the outer file.
 *
 * Image references are: `image.ref` / `<anything>.image.ref` values; string `image` values (containers,
 * initContainers and ephemeralContainers of any pod spec, primitive `spec.image`, plain values); and split image
 * maps (`repository`/`tag`/`digest`). Not references: git revisions (`targetRevision`, `revision`, a source's
 * `ref`), comments, CRD schemas, `version: latest` and other keys, and anything that holds a template (`isTemplated`:
 * `{{ }}`, `${ }`, `$(…)`) — a string, an image map, a `helm.parameters` group, a kustomize entry or an `imageTag`
 * with one in any field is an image only once rendered, so no rule judges it and no write touches it.
 */
export function findImages(yaml: YamlModule, text: string): FileImages {
  const out: FileImages = {
    images: [],
    imageMaps: [],
    kustomizeImages: [],
    pullPolicies: [],
    containers: [],
    primitives: [],
    keyed: [],
  }
  const lines = new yaml.LineCounter()
  const {docs, reason, failure} = parseYaml(yaml, text, lines)
  if (!docs) return {...out, skipped: reason, failure}
  // A byte-order mark is no column a reader sees.
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0
  const toOuter: ToOuter = (offset) => {
    const {line, col} = lines.linePos(offset)
    return {line, column: line === 1 ? col - bom : col, offset}
  }
  for (const doc of docs) new Walker(yaml, text, toOuter, out, 0, false).document(doc)
  return out
}
