/**
 * Renders an Argo CD directory source without a tool, as the repo-server reads its files (argoproj/argo-cd
 * `reposerver/repository/repository.go` getObjsFromYAMLOrJSON, GenerateManifests): a file holding
 * `+argocd:skip-file-rendering` is skipped; a .json file is one object (an array or more than one object fails);
 * a YAML file is split into documents, each one object. A file that does not parse, or holds something that is no
 * object with `apiVersion` and `kind`, fails the source when it looks like a manifest (`apiVersion:`, `kind:` and
 * `metadata:` in it) or some document before parsed, and is ignored otherwise (an unrelated YAML file). A `*List`
 * (an object with an `items` list) becomes its items; one whose `items` is null, nothing. Namespaced objects that
 * name no namespace get the destination's, of every group (./scope.ts), as the controller applies them. A .jsonnet
 * file's objects are go-jsonnet's (./directory-jsonnet.ts), taken in their place among the files.
 */
import {readFileSync} from '../../../core/memory-fs/index.js'
import path from 'node:path'

import type {YamlModule} from '../../../images/yaml/index.js'
import {kubeDocuments} from '../../../images/yaml/kube.js'
import type {DirectoryDeployable} from '../../model/model.js'
import {walkOrder} from './directory.js'
import {isLimitError, limitMessage} from '../../kubernetes/yaml-lines.js'
import {objectError, type Doc, type RenderedObject} from '../../kubernetes/objects.js'
import type {CrdScopes} from '../../kubernetes/crd-scopes.js'
import {applyDestinationNamespace} from '../../kubernetes/scope.js'

export const SKIP_MARKER = '+argocd:skip-file-rendering'
const isDoc = (v: unknown): v is Doc => v !== null && typeof v === 'object' && !Array.isArray(v)
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

export type DirectoryResult = {ok: true; objects: RenderedObject[]} | {ok: false; message: string}

/**
 * `jsonnet`: what each .jsonnet file of the source evaluated to (./directory-jsonnet.ts), taken in Argo CD's walk
 * order among the YAML and JSON files.
 */
export function renderDirectory(
  d: DirectoryDeployable,
  root: string,
  yaml: YamlModule,
  jsonnet: ReadonlyMap<string, Doc[]> = new Map(),
  crds?: CrdScopes,
): DirectoryResult {
  const docs: Array<{body: Doc; file: string}> = []
  for (const file of [...d.manifests, ...jsonnet.keys()].sort(walkOrder)) {
    const read = jsonnet.get(file) ?? readManifest(root, file, yaml)
    if ('message' in read) return {ok: false, message: read.message}
    for (const body of read) docs.push({body, file})
  }
  const objects: RenderedObject[] = []
  for (const {body, file} of docs) {
    for (const item of expandList(body)) {
      const obj: RenderedObject = {
        apiVersion: str(item.apiVersion) ?? '',
        kind: str(item.kind) ?? '',
        name: str((item.metadata as Doc | undefined)?.name) ?? '',
        body: item,
        origin: file,
        transformations: [],
      }
      const ns = str((item.metadata as Doc | undefined)?.namespace)
      if (ns) obj.namespace = ns
      objects.push(obj)
    }
  }
  applyDestinationNamespace(objects, d.namespace, crds)
  return {ok: true, objects}
}

/** A YAML or JSON file's objects; none for a skipped or unrelated file. */
function readManifest(root: string, file: string, yaml: YamlModule): Doc[] | {message: string} {
  let text: string
  try {
    text = decodeManifest(readFileSync(path.join(root, file)))
  } catch (error) {
    return {message: `Failed to read ${JSON.stringify(file)}: ${(error as NodeJS.ErrnoException).code}`}
  }
  if (text.includes(SKIP_MARKER)) return []
  const read = file.endsWith('.json') ? readJson(text) : readYaml(yaml, text)
  if (!('error' in read)) return read.objects
  const looksLikeManifest = ['apiVersion:', 'kind:', 'metadata:'].every((k) => text.includes(k))
  // Past ameide's own limits, a file Argo CD reads is never taken for an unrelated one.
  if ('limit' in read && read.limit)
    return {message: `${JSON.stringify(path.posix.basename(file))} is not read: ${read.error}`}
  if (file.endsWith('.json') || read.objects.length > 0 || looksLikeManifest)
    return {message: `Failed to unmarshal ${JSON.stringify(path.posix.basename(file))}: ${read.error}`}
  return [] // an unrelated YAML file
}

function readJson(text: string): {objects: Doc[]} | {objects: Doc[]; error: string} {
  try {
    const value = JSON.parse(text) as unknown
    if (!isDoc(value)) return {objects: [], error: 'cannot unmarshal a JSON value that is not an object'}
    const error = objectError(value)
    return error ? {objects: [], error} : {objects: [value]}
  } catch (error) {
    return {objects: [], error: (error as Error).message}
  }
}

function readYaml(yaml: YamlModule, text: string): {objects: Doc[]} | {objects: Doc[]; error: string; limit?: boolean} {
  const objects: Doc[] = []
  let documents: unknown[]
  try {
    // As the repo-server reads a folder's YAML (sigs.k8s.io/yaml: `0444` is 292, `yes` is true).
    documents = kubeDocuments(yaml, text)
  } catch (error) {
    const limit = isLimitError(error)
    return {objects, error: limit ? limitMessage(error) : (error as Error).message, ...(limit ? {limit} : {})}
  }
  for (const value of documents) {
    if (value === null || value === undefined) continue // an empty document
    if (!isDoc(value)) return {objects, error: 'a document is not a mapping'}
    const error = objectError(value)
    if (error) return {objects, error}
    objects.push(value)
  }
  return {objects}
}

/** A list (an `items` list) as its items; one whose `items` is null (and no spec or status) as nothing. */
function expandList(o: Doc): Doc[] {
  if (Array.isArray(o.items)) return o.items.filter(isDoc)
  if ('items' in o && o.items === null && !('spec' in o) && !('status' in o)) return []
  return [o]
}

/**
 * A manifest's bytes as Argo CD reads them (`utfutil.OpenFile(path, utfutil.UTF8)`: x/text's BOMOverride): a UTF-16
 * file (little- or big-endian, by its byte-order mark) decoded, a UTF-8 byte-order mark dropped, anything else UTF-8.
 */
export function decodeManifest(bytes: Buffer): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe)
    return new TextDecoder('utf-16le').decode(bytes.subarray(2))
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff)
    return new TextDecoder('utf-16be').decode(bytes.subarray(2))
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.toString('utf8', 3)
  return bytes.toString('utf8')
}
