/**
 * The API server's own validation of CustomResourceDefinitions and custom resources, in the native render helper
 * (./go/validate.go: k8s.io/apiextensions-apiserver's decoding under strict field validation, its schema validator,
 * embedded resources, list types and CEL rules within the API server's cost budget), confined by its seccomp filter
 * and bounded by a render's limits; the documents are its one argument. It is not linked into the WebAssembly module
 * (its package inits would cost every render's start): where no native helper runs, it is unavailable, and says so.
 */
import {describeBreach, MODULE_LIMITS} from '../limits.js'
import type {ModuleRun, RenderModule} from './host.js'
import {NATIVE_ENGINE} from './native.js'

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

/** `unavailable`: no native helper runs here, so nothing was validated (not a failure of the documents). */
export type KubeValidation = ({ok: true} & KubeValidationAnswer) | {ok: false; message: string; unavailable?: true}

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

export function moduleKubeValidator(module: RenderModule, version: string): KubeValidator {
  return {
    version,
    async validate(crds, definitions, objects) {
      const engine = await module.probeEngine()
      if (engine !== NATIVE_ENGINE)
        return {
          ok: false,
          unavailable: true,
          message: `custom resources are validated by the native render helper, which does not run here (${engine.replace(/^wasm: /, '')})`,
        }
      const run = await module.run({
        roots: [],
        files: {},
        cwd: '/',
        commands: [['kube', 'validate', JSON.stringify({crds, definitions, objects})]],
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
