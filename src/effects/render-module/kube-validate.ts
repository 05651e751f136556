/**
 * The API server's own validation of CustomResourceDefinitions and custom resources, in the render module
 * (./go/validate.go: k8s.io/apiextensions-apiserver's decoding under strict field validation, its schema validator,
 * embedded resources, list types and CEL rules within the API server's cost budget). Confined as every render is: the
 * documents are handed to it in memory, and the limits that bound a render bound this too.
 */
import {describeBreach, MODULE_LIMITS} from '../limits.js'
import type {ModuleRun, RenderModule} from './host.js'

/** One of the API server's field errors (`kubectl apply` prints `<field>: <message>`). */
export interface KubeFieldError {
  /** The field path as the API server names it, e.g. `spec.duration` (empty: the object). */
  field: string
  /** k8s.io/apimachinery's field.ErrorType, e.g. `FieldValueInvalid`, `FieldValueRequired`. */
  type: string
  message: string
}

export interface KubeValidationAnswer {
  /** Per CRD, in the order given: what creating it would say (none: accepted). */
  crds: Array<{name: string; errors: KubeFieldError[]}>
  /**
   * Per object, in the order given: the CRD that decided it (an index into `crds` then `definitions`; -1: none defines
   * its group and kind), whether that CRD serves no such version, and the create's errors.
   */
  objects: Array<{crd: number; unserved?: boolean; errors: KubeFieldError[]}>
}

export type KubeValidation = ({ok: true} & KubeValidationAnswer) | {ok: false; message: string}

export interface KubeValidator {
  /** k8s.io/apiextensions-apiserver's release inside, e.g. `v0.35.1`. */
  version: string
  /**
   * `crds` are validated as creates and define kinds, `definitions` only define them (the first of either that
   * defines a group and kind decides); all are JSON-ready documents, as `objects` are (a rendered object's body).
   */
  validate(
    crds: readonly unknown[],
    definitions: readonly unknown[],
    objects: readonly unknown[],
  ): Promise<KubeValidation>
}

/** Where the documents are handed to the module (its own file system: nothing of the host's is there). */
const INPUT = '/.ameide/kube-validate.json'

export function moduleKubeValidator(module: RenderModule, version: string): KubeValidator {
  return {
    version,
    async validate(crds, definitions, objects) {
      const run = await module.run({
        roots: [],
        files: {[INPUT]: JSON.stringify({crds, definitions, objects})},
        cwd: '/',
        commands: [['kube', 'validate', JSON.stringify({file: INPUT})]],
      })
      return answer(run, crds.length, objects.length)
    },
  }
}

function answer(run: ModuleRun, crds: number, objects: number): KubeValidation {
  if (!run.ok)
    return {ok: false, message: 'limit' in run ? `validation stopped: ${describeBreach(run.limit)}` : run.message}
  const [result] = run.results
  if (result!.limit) return {ok: false, message: `validation stopped: ${describeBreach(result!.limit, MODULE_LIMITS)}`}
  if (result!.exit !== 0)
    return {ok: false, message: result!.error?.message.trim() || `validation exited ${result!.exit}`}
  const parsed = JSON.parse(result!.stdout) as KubeValidationAnswer
  if (parsed.crds.length !== crds || parsed.objects.length !== objects)
    return {ok: false, message: 'the render module answered another count of documents than it was given'}
  return {ok: true, ...parsed}
}
