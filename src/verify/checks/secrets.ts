import {isLargeText, readTextPieces} from '../files.js'
import {scanSecretsChunked} from '../secrets/chunked.js'
import {isSourceCode, scanSecrets, type SecretMatch} from '../secrets/scan.js'
import {lineIndexOf} from '../text.js'
import type {Check, Finding} from '../types.js'

/**
 * A reviewed false positive is suppressed on its own line with `ameide:allow-secret(<reason>)`; the
 * reason is mandatory (at least 3 characters). A marker without a reason suppresses nothing.
 */
export const SUPPRESSION = /ameide:allow-secret\(([^)]*)\)/

/**
 * Redacted form: the first four characters, then how long the value is; a PEM block by its BEGIN line. Never
 * the secret itself.
 */
export function redactSecret(value: string): string {
  const pem = /^-----BEGIN[^-]*-----/.exec(value)
  if (pem) return `${pem[0]}…(${value.length} chars)`
  return `${value.slice(0, 4)}…(${value.length} chars)`
}

export const secretsCheck: Check = {
  id: 'secrets',
  summary:
    'no hard-coded secrets (provider tokens, private keys, JWTs, credentials in URLs, random values assigned to secret-like names)',
  skipReason: () => null,
  run(ctx) {
    const findings: Finding[] = []
    const skippedFiles: Array<{file: string; reason: string}> = []
    let suppressed = 0
    for (const file of ctx.files) {
      const text = file.text
      const code = isSourceCode(file.repoPath)
      let located: Iterable<SecretMatch & {line: number; column: number; lineText: string}>
      if (text !== null) {
        const matches = scanSecrets(text, code)
        if (matches.length === 0) continue
        const index = lineIndexOf(file)
        located = matches.map((m) => {
          const at = index.position(m.offset)
          return {...m, ...at, lineText: index.lineText(at.line)}
        })
      } else if (isLargeText(file)) {
        // Over MAX_TEXT_BYTES: read in pieces and scanned in overlapping windows, never skipped.
        located = scanSecretsChunked(readTextPieces(file.abs), code)
      } else {
        skippedFiles.push({file: file.repoPath, reason: 'binary (a NUL byte in the first 8 KiB)'})
        continue
      }
      for (const {rule, what, value, line, column, lineText} of located) {
        const marker = SUPPRESSION.exec(lineText)
        if (marker && marker[1].trim().length >= 3) {
          suppressed++
          continue
        }
        findings.push({
          rule,
          severity: 'error',
          file: file.repoPath,
          line,
          column,
          message: `Hard-coded secret: ${what} (${redactSecret(value)}).`,
          hint: marker
            ? 'The ameide:allow-secret(...) marker on this line has no reason; write why the value is not a secret, e.g. ameide:allow-secret(test fixture, not a real key).'
            : 'Remove it and rotate it if it was ever real; read it at run time from the environment (the platform injects secrets). If it is a reviewed false positive, add ameide:allow-secret(<reason>) on the line.',
        })
      }
    }
    findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || (a.column ?? 0) - (b.column ?? 0))
    return {
      findings,
      note: suppressed > 0 ? `${suppressed} finding(s) suppressed with ameide:allow-secret(<reason>)` : undefined,
      skippedFiles,
    }
  },
}
