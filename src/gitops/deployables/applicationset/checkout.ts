/** The `--print-layout` view of the checkout's ApplicationSets: what each generates, evaluated offline. */
import {readFileSync, statSync} from 'node:fs'
import path from 'node:path'

import type {ExpansionContext} from '../types.js'
import {expandApplicationSet} from './index.js'
import {documentLineOf} from './lines.js'
import {isObject} from './merge.js'

/** One generated Application as `--print-layout` lists it. */
export interface GeneratedApplicationView {
  name: string
  environment: string | null
  sources: Array<{repoURL: string | null; path?: string; chart?: string; valueFiles: string[]}>
}

export interface ApplicationSetView {
  file: string
  line: number
  name: string
  applications: GeneratedApplicationView[]
  notRendered: Array<{line: number; generator: string; why: string}>
  errors: Array<{line: number; message: string}>
}

const YAML_FILE = /\.ya?ml$/i

/** Every `argoproj.io` ApplicationSet in the YAML files of the checkout, evaluated offline. */
export async function describeApplicationSets(
  ctx: ExpansionContext,
  files: readonly string[],
  options: {maxFileBytes: number},
): Promise<ApplicationSetView[]> {
  const {root} = ctx
  const candidates: Array<{file: string; text: string}> = []
  for (const file of files) {
    if (!YAML_FILE.test(file)) continue
    const abs = path.join(root, file)
    try {
      if (statSync(abs).size > options.maxFileBytes) continue
      const text = readFileSync(abs, 'utf8')
      if (/^\s*kind:\s*["']?ApplicationSet\b/m.test(text)) candidates.push({file, text})
    } catch {
      continue
    }
  }
  if (candidates.length === 0) return []
  const yaml = await import('yaml')
  const out: ApplicationSetView[] = []
  for (const {file, text} of candidates) {
    const lineCounter = new yaml.LineCounter()
    for (const doc of yaml.parseAllDocuments(text, {lineCounter})) {
      if (doc.errors.length > 0) continue
      let value: unknown
      try {
        value = doc.toJS({maxAliasCount: 100})
      } catch {
        continue
      }
      if (!isObject(value) || value.kind !== 'ApplicationSet') continue
      if (typeof value.apiVersion !== 'string' || !value.apiVersion.startsWith('argoproj.io/')) continue
      const lineOf = documentLineOf(doc, lineCounter)
      const expansion = expandApplicationSet(ctx, file, value, lineOf)
      const name = isObject(value.metadata) && typeof value.metadata.name === 'string' ? value.metadata.name : ''
      out.push({
        file,
        line: lineOf([]) ?? 1,
        name,
        applications: expansion.applications.map((a) => ({
          name: a.name,
          environment: a.environment ?? null,
          sources: sourcesOf(a.spec),
        })),
        notRendered: expansion.notRendered.map((n) => ({line: n.line, generator: n.generator, why: n.why})),
        errors: expansion.errors.map((e) => ({line: e.line, message: e.message})),
      })
    }
  }
  return out
}

function sourcesOf(spec: Record<string, unknown>): GeneratedApplicationView['sources'] {
  const list = Array.isArray(spec.sources) ? spec.sources : isObject(spec.source) ? [spec.source] : []
  return list.filter(isObject).map((s) => {
    const helm = isObject(s.helm) ? s.helm : {}
    const view: GeneratedApplicationView['sources'][number] = {
      repoURL: typeof s.repoURL === 'string' ? s.repoURL : null,
      valueFiles: Array.isArray(helm.valueFiles) ? helm.valueFiles.map(String) : [],
    }
    if (typeof s.path === 'string') view.path = s.path
    if (typeof s.chart === 'string') view.chart = s.chart
    return view
  })
}
