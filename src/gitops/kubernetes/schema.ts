/**
 * Schema validation of rendered objects, offline, for the cluster's minor: the validators `kubernetes-models` ships per
 * kind (generated from the Kubernetes OpenAPI of one minor, RENDER_KUBERNETES_VERSION: types, formats, required
 * fields), then the fields the cluster's minor does not know (./minor-fields.ts, from each minor's own OpenAPI). A
 * built-in kind it has no model for (most beta and alpha versions) is checked by its minor's OpenAPI alone: fields,
 * JSON types, required fields. A kind neither knows (a CRD's) is unknown: kept for the CRDs
 * (src/gitops/render/custom-resources.ts).
 */
import {minorViolations, type SchemaViolation, unknownFields} from './minor-fields.js'
import type {RenderedObject} from './objects.js'

/** Invalid: its violations; unknown: no schema for the kind. */
export type SchemaAnswer = {known: true; violations: SchemaViolation[]} | {known: false}

type ModelClass = new (data: unknown) => {validate(): void}

const models = new Map<string, Promise<ModelClass | undefined>>()

/** The module of a kind: `kubernetes-models/<group>/<version>/<Kind>` (core group: `v1/<Kind>`). */
function load(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  const key = `${apiVersion}/${kind}`
  let model = models.get(key)
  if (!model) {
    model = (async () => {
      if (!/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) return undefined
      const common = (await import('./kube-models.js')).COMMON_MODELS
      if (Object.hasOwn(common, key)) return common[key] as ModelClass
      try {
        const mod = (await import(`kubernetes-models/${apiVersion}/${kind}`)) as Record<string, unknown>
        return typeof mod[kind] === 'function' ? (mod[kind] as ModelClass) : undefined
      } catch {
        return undefined
      }
    })()
    models.set(key, model)
  }
  return model
}

/** `obj` against its kind's schema in Kubernetes `minor` (`1.34`). */
export async function validateObject(obj: RenderedObject, minor: string): Promise<SchemaAnswer> {
  const Model = await load(obj.apiVersion, obj.kind)
  if (!Model) {
    const violations = minorViolations(obj, minor)
    return violations ? {known: true, violations} : {known: false}
  }
  const violations = modelViolations(Model, obj)
  const unknown = unknownFields(obj, minor) ?? [
    {
      pointer: '/',
      message: `the fields of Kubernetes ${minor} are not in this build (dist/kubernetes/openapi-fields.json)`,
    },
  ]
  return {known: true, violations: [...violations, ...unknown]}
}

/** What the reference minor's model refuses of `obj`. */
function modelViolations(Model: ModelClass, obj: RenderedObject): SchemaViolation[] {
  try {
    new Model(obj.body).validate()
    return []
  } catch (error) {
    const errors = (error as {errors?: Array<{instancePath?: string; message?: string; params?: object}>}).errors
    if (!Array.isArray(errors)) return [{pointer: '', message: (error as Error).message}]
    return errors.map((e) => ({
      pointer: e.instancePath || '/',
      message: `${e.message ?? 'invalid'}${e.params && 'allowedValues' in e.params ? ` (${(e.params as {allowedValues: unknown[]}).allowedValues.join(', ')})` : ''}`,
    }))
  }
}
