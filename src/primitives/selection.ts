/**
 * How primitive status and primitive verify are told which primitive: `--kind` with `--name` (beside each command's
 * own `--all`, and the primitive holding the current directory), and the codes of a selection that names none.
 */
import {Flags} from '@oclif/core'

import type {ErrorCode} from '../core/error-codes.js'
import {KINDS} from './kinds.js'

export const PRIMITIVE_SELECTION_FLAGS = {
  kind: Flags.string({description: `Primitive kind: ${KINDS.join(', ')} (with --name).`, helpValue: 'KIND'}),
  name: Flags.string({description: 'Primitive name (with --kind).', helpValue: 'NAME'}),
}

/** The selection's words that do not hold, in those commands' help. */
export const SELECTION_CODES = {
  INVALID_SELECTION: '--all with --kind/--name, or only one of --kind/--name',
  INVALID_KIND: '--kind is not one of the six kinds',
  INVALID_NAME: '--name is not kebab-case or longer than 33 characters',
} as const satisfies Partial<Record<ErrorCode, string>>

/** No primitive where the selection points. */
export const SELECTED_NONE_CODES = {
  PRIMITIVE_NOT_FOUND: 'primitives/<kind>/<name>/ does not exist',
  NO_PRIMITIVE_SELECTED: 'no --kind/--name or --all, and the current directory is not inside a primitive',
} as const satisfies Partial<Record<ErrorCode, string>>
