import {lineIndexOf} from '../text.js'
import type {Check, Finding, SourceFile} from '../types.js'

const ZEEBE = 'http://camunda.org/schema/zeebe/1.0'

interface JobType {
  type: string
  file: string
  line: number
  column: number
}

/**
 * Worker coverage of a process primitive (backlog 511/520): every `zeebe:taskDefinition type="…"` in its BPMN
 * files has a handler in the worker registry (error), every registered handler serves some task (warning), and
 * the BPMN files parse as XML (error). Findings point at the BPMN line of the task and the registry line of the
 * handler. The XML is read with saxes (namespace-aware), never with regular expressions.
 */
export const processBpmnCheck: Check = {
  id: 'process-bpmn',
  summary: 'process primitives: every zeebe:taskDefinition job type has a registered worker handler, and back',
  skipReason: (ctx) => {
    if (ctx.kind !== 'process') return `process-bpmn applies to process primitives, not ${ctx.kind}`
    return ctx.files.some(isBpmn) ? null : 'no .bpmn file in the primitive'
  },
  async run(ctx) {
    const {SaxesParser} = await import('saxes')
    const findings: Finding[] = []
    const tasks: JobType[] = []
    for (const file of ctx.files.filter(isBpmn)) {
      if (file.text === null) continue
      const parser = new SaxesParser({xmlns: true, position: true})
      let start = {line: 1, column: 1}
      parser.on('opentagstart', () => (start = {line: parser.line, column: parser.column}))
      parser.on('opentag', (tag) => {
        if (tag.local !== 'taskDefinition' || tag.uri !== ZEEBE) return
        const type = tag.attributes.type
        const value = typeof type === 'string' ? type : type?.value
        if (value) tasks.push({type: value, file: file.repoPath, ...start})
      })
      try {
        parser.write(file.text).close()
      } catch (error) {
        findings.push({
          rule: 'bpmn-invalid',
          severity: 'error',
          file: file.repoPath,
          line: parser.line,
          column: parser.column,
          message: `${file.rel} is not well-formed XML: ${(error as Error).message.split('\n')[0]}`,
          hint: 'Fix the file (open it in the Camunda Modeler, or check the reported line).',
        })
      }
    }
    const handlers = ctx.files.filter(isRegistry).flatMap(registeredJobTypes)
    const registered = new Set(handlers.map((h) => h.type))
    const used = new Set(tasks.map((t) => t.type))
    for (const task of tasks.filter((t) => !registered.has(t.type))) {
      const message = `Job type "${task.type}" has no handler in the worker registry: Zeebe would wait forever for a worker.`
      const hint = `Register a handler for "${task.type}" in internal/worker/registry.go (a constant for the type and an entry in NewRegistry).`
      findings.push(at(task, 'unhandled-job-type', 'error', message, hint))
    }
    const unused = 'Remove the handler, or add the service task that uses it to the BPMN.'
    for (const handler of handlers.filter((h) => !used.has(h.type))) {
      const message = `Handler for job type "${handler.type}" serves no zeebe:taskDefinition in the process's BPMN.`
      findings.push(at(handler, 'unused-handler', 'warning', message, unused))
    }
    return {findings}
  },
}

/** A finding at a job type's place (a BPMN task or a registry handler). */
const at = (
  site: JobType,
  rule: Finding['rule'],
  severity: Finding['severity'],
  message: string,
  hint: string,
): Finding => ({rule, severity, file: site.file, line: site.line, column: site.column, message, hint})

const isBpmn = (f: SourceFile) => f.rel.endsWith('.bpmn')
const isRegistry = (f: SourceFile) =>
  f.rel.startsWith('internal/worker/') && f.rel.endsWith('.go') && !f.rel.endsWith('_test.go')

/**
 * The job types a Go registry registers: the keys of `map[string]Handler{…}` literals, written as string literals or
 * as constants declared in the same file.
 */
function registeredJobTypes(file: SourceFile): JobType[] {
  const text = file.text ?? ''
  const constants = new Map<string, string>()
  for (const m of text.matchAll(/^\s*(?:const\s+)?([A-Za-z_]\w*)\s*(?:string\s*)?=\s*"([^"\n]+)"/gm))
    constants.set(m[1], m[2])
  const out: JobType[] = []
  for (const map of text.matchAll(/map\[string\]\w+\s*\{([^}]*)\}/g)) {
    const bodyStart = (map.index ?? 0) + map[0].indexOf('{') + 1
    for (const entry of map[1].matchAll(/^\s*("([^"\n]+)"|[A-Za-z_]\w*)\s*:/gm)) {
      const type = entry[2] ?? constants.get(entry[1])
      if (!type) continue
      const offset = bodyStart + (entry.index ?? 0) + entry[0].indexOf(entry[1])
      const {line, column} = lineIndexOf(file).position(offset)
      out.push({type, file: file.repoPath, line, column})
    }
  }
  return out
}
