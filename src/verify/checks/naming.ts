import {lineIndexOf} from '../text.js'
import type {Check, Finding} from '../types.js'

type Prefix = 'Update' | 'Set' | 'Patch' | 'Modify' | 'Change'

/** Suggested business verbs per CRUD-style prefix. */
const SUGGESTIONS: Record<Prefix, string[]> = {
  Update: ['Revise', 'Amend', 'Correct', 'Reschedule'],
  Set: ['Assign', 'Configure', 'Schedule', 'Designate'],
  Patch: ['Amend', 'Correct', 'Adjust'],
  Modify: ['Revise', 'Adjust', 'Amend'],
  Change: ['Reassign', 'Relocate', 'Reprice', 'Rename'],
}

/** Exported Go handlers: methods and plain functions (a generic `[T any]` list is allowed before the parameters). */
const GO_HANDLER = /^func\s+(?:\([^)]*\)\s+)?((Update|Set|Patch|Modify|Change)([A-Z]\w*)?)\s*[[(]/gm
const PROTO_RPC = /^\s*rpc\s+((Update|Set|Patch|Modify|Change)([A-Z]\w*)?)\s*\(/gm

/** Domain and process RPCs/handlers use business verbs (warn only). */
export const namingCheck: Check = {
  id: 'naming',
  summary: 'domain/process RPC and handler names use business verbs, not Update/Set/Patch/Modify/Change (warn only)',
  skipReason: (ctx) =>
    ctx.kind === 'domain' || ctx.kind === 'process'
      ? null
      : `naming applies to domain and process primitives, not ${ctx.kind}`,
  run(ctx) {
    const findings: Finding[] = []
    for (const file of ctx.files) {
      if (file.text === null) continue
      const isHandler =
        file.rel.startsWith('internal/handlers/') && file.rel.endsWith('.go') && !file.rel.endsWith('_test.go')
      const regex = isHandler ? GO_HANDLER : file.rel.endsWith('.proto') ? PROTO_RPC : null
      if (!regex) continue
      regex.lastIndex = 0
      for (let m = regex.exec(file.text); m; m = regex.exec(file.text)) {
        const [, name, prefix, rest] = m as unknown as [string, string, Prefix, string | undefined]
        const {line, column} = lineIndexOf(file).position(m.index + m[0].indexOf(name))
        const object = rest ?? ''
        const examples = SUGGESTIONS[prefix].map((verb) => `${verb}${object}`).join(', ')
        findings.push({
          rule: 'crud-verb',
          severity: 'warning',
          file: file.repoPath,
          line,
          column,
          message: `${isHandler ? 'Handler' : 'RPC'} ${name} starts with ${prefix}: it names a data change, not the business intent.`,
          hint: `Name the intent with a business verb, e.g. ${examples} (or Approve, Assign, Submit, Complete, Archive).`,
        })
      }
    }
    return {findings}
  },
}
