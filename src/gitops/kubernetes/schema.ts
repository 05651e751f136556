/**
 * Schema validation of rendered objects, offline, with the validators `kubernetes-models` ships per kind (generated
 * from the Kubernetes OpenAPI of one minor, RENDER_KUBERNETES_VERSION). A kind it has no model for (a CRD) is
 * unknown: counted and listed, never failed.
 */
import type {RenderedObject} from './objects.js'

export interface SchemaViolation {
  /** JSON pointer into the object, e.g. `/spec/template/spec/containers/0/ports/0/containerPort`. */
  pointer: string
  message: string
}

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

export async function validateObject(obj: RenderedObject): Promise<SchemaAnswer> {
  const Model = await load(obj.apiVersion, obj.kind)
  if (!Model) return {known: false}
  try {
    new Model(obj.body).validate()
    return {known: true, violations: []}
  } catch (error) {
    const errors = (error as {errors?: Array<{instancePath?: string; message?: string; params?: object}>}).errors
    if (!Array.isArray(errors)) return {known: true, violations: [{pointer: '', message: (error as Error).message}]}
    return {
      known: true,
      violations: errors.map((e) => ({
        pointer: e.instancePath || '/',
        message: `${e.message ?? 'invalid'}${e.params && 'allowedValues' in e.params ? ` (${(e.params as {allowedValues: unknown[]}).allowedValues.join(', ')})` : ''}`,
      })),
    }
  }
}
