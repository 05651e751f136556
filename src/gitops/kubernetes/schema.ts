/**
 * Schema validation of rendered objects, offline, for the cluster's minor: a built-in kind against that minor's own
 * schema (./minor-fields.ts: fields, types, formats, enums, required fields, from Kubernetes' sources of that release).
 * A kind the minor does not define (a CRD's) is unknown: kept for the CRDs (src/gitops/render/custom-resources.ts).
 */
import {minorViolations, type SchemaViolation} from './minor-fields.js'
import type {RenderedObject} from './objects.js'

/** Invalid: its violations; unknown: no schema for the kind. */
export type SchemaAnswer = {known: true; violations: SchemaViolation[]} | {known: false}

/** `obj` against its kind's schema in Kubernetes `minor` (`1.34`). */
export function validateObject(obj: RenderedObject, minor: string): SchemaAnswer {
  const violations = minorViolations(obj, minor)
  if (violations === 'unknown') return {known: false}
  if (violations === 'unbuilt')
    return {
      known: true,
      violations: [
        {
          pointer: '/',
          message: `the schemas of Kubernetes ${minor} are not in this build (dist/kubernetes/openapi-fields.json)`,
        },
      ],
    }
  return {known: true, violations}
}
