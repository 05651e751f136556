/**
 * The contract of docs/conventions.md every run keeps, whatever its input: one JSON document on stdout (`--json`),
 * an exit code of the table, never the code INTERNAL_ERROR, never a JavaScript stack trace.
 */
import type {CliRun} from './cli.js'

const EXIT_CODES = new Set([0, 1, 2, 3, 4])
/** A JavaScript stack frame, or an error a crash would print. */
const STACK = /^\s+at .*(?:\.[cm]?js|\.ts|node:internal)|\b(?:TypeError|ReferenceError): |Cannot read propert/m

/** What breaks the contract in one run, or undefined. */
export function contractBreach(run: CliRun): string | undefined {
  if (!EXIT_CODES.has(run.exitCode)) return `exit code ${run.exitCode}`
  if (STACK.test(run.stdout) || STACK.test(run.stderr)) return 'a stack trace'
  let out: {error?: {code?: string}}
  try {
    out = run.json()
  } catch {
    return 'stdout is not one JSON document'
  }
  if (out.error?.code === 'INTERNAL_ERROR') return 'INTERNAL_ERROR'
  if (out.error && run.exitCode === 0) return 'an error document with exit 0'
  return undefined
}
