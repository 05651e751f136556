import {CHECK_IDS, type Check, type CheckId} from '../types.js'
import {bufBreakingCheck, bufLintCheck} from './buf.js'
import {codegenCheck} from './codegen.js'
import {imagePolicyCheck} from './image-policy.js'
import {importsCheck} from './imports.js'
import {namingCheck} from './naming.js'
import {processBpmnCheck} from './process-bpmn.js'
import {scaffoldMarkersCheck} from './scaffold-markers.js'
import {secretsCheck} from './secrets.js'
import {shapeCheck} from './shape.js'
import {testsCheck} from './tests.js'

const BY_ID: Record<CheckId, Check> = {
  shape: shapeCheck,
  'scaffold-markers': scaffoldMarkersCheck,
  tests: testsCheck,
  imports: importsCheck,
  codegen: codegenCheck,
  secrets: secretsCheck,
  'image-policy': imagePolicyCheck,
  naming: namingCheck,
  'process-bpmn': processBpmnCheck,
  'buf-lint': bufLintCheck,
  'buf-breaking': bufBreakingCheck,
}

/** Every check, in the stable report order. */
export const CHECKS: Check[] = CHECK_IDS.map((id) => BY_ID[id])
