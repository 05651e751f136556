import {isDockerfile, isJson, isYaml, sourceLanguage} from '../classify.js'
import {scanDockerfile} from '../image-policy/dockerfile.js'
import {FLOATING, scanLines, type ImageFinding} from '../image-policy/findings.js'
import {scanYaml} from '../image-policy/yaml.js'
import {goStrings} from '../lexers/go.js'
import {pythonStrings, pythonTokens} from '../lexers/python.js'
import type {StringLiteral} from '../lexers/types.js'
import {typescriptStrings, typescriptTokens} from '../lexers/typescript.js'
import type {Check, Finding, SourceFile} from '../types.js'

/** Documentation and lock files are not scanned for image references. */
const NOT_SCANNED = /\.(?:md|markdown|rst|txt|adoc|lock|sum|svg|bpmn|xml|html|css)$/i

/** Cheap test before any parsing: could this text hold an image reference, a pull policy or a tag? */
const PREFILTER = new RegExp(`image|:(?:${FLOATING})\\b|pull_?policy|\\btag\\s*:|^\\s*FROM\\s`, 'im')

/** What a string literal must contain to be scanned (scanStrings). */
const LITERAL_PREFILTER = new RegExp(`image|:(?:${FLOATING})|policy|tag`, 'i')

export const imagePolicyCheck: Check = {
  id: 'image-policy',
  summary: 'no floating (:dev/:main/:latest) or untagged images, base images pinned by digest, no pullPolicy Always',
  skipReason: () => null,
  async run(ctx) {
    let yaml: typeof import('yaml') | null = null
    const findings: Finding[] = []
    for (const file of ctx.files) {
      const text = file.text
      if (text === null || NOT_SCANNED.test(file.rel)) continue
      const docker = isDockerfile(file.rel)
      const data = !docker && (isYaml(file.rel) || isJson(file.rel))
      const language = docker || data ? null : sourceLanguage(file.rel)
      // Source files are judged by their string literals only, and every literal is a substring of the
      // text (except TypeScript template text joined around `${…}`): no trigger in the text, no finding.
      if (language && !LITERAL_PREFILTER.test(text) && !(language === 'typescript' && text.includes('${'))) continue
      if (!docker && !PREFILTER.test(text)) continue
      let found: ImageFinding[]
      if (docker) found = scanDockerfile(text)
      else if (data) {
        yaml ??= await import('yaml')
        found = scanYaml(yaml, text, `in ${file.rel}`)
      } else {
        found = language
          ? scanStrings(stringsOf(language, file), `in a string literal`)
          : scanLines(text, (k, column) => ({line: k + 1, column}), '')
      }
      for (const f of found) findings.push(toFinding(file, f))
    }
    return {findings: dedupe(findings)}
  },
}

/** Tokens are shared with the imports check (tokenized once per file). */
function stringsOf(language: 'go' | 'python' | 'typescript', file: SourceFile): StringLiteral[] {
  const text = file.text!
  if (language === 'go') return goStrings(text)
  if (language === 'python') return pythonStrings(text, pythonTokens(file))
  return typescriptStrings(text, typescriptTokens(file))
}

/** String literals are scanned like YAML text: manifests embedded in source are where floating tags hide. */
function scanStrings(literals: StringLiteral[], where: string): ImageFinding[] {
  const out: ImageFinding[] = []
  for (const lit of literals) {
    if (!LITERAL_PREFILTER.test(lit.value)) continue
    const toFile = (k: number, column: number) =>
      k === 0 ? {line: lit.line, column: lit.column + column - 1} : {line: lit.line + k, column}
    for (const f of scanLines(lit.value, toFile, where)) out.push(f)
  }
  return out
}

function toFinding(file: SourceFile, f: ImageFinding): Finding {
  return {
    rule: f.rule,
    severity: f.severity,
    file: file.repoPath,
    line: f.line,
    column: f.column,
    message: f.message.replace(/ +$/, ''),
    hint: f.hint,
  }
}

/** One finding per (file, line, column, rule): an `image:` value is also free text. */
function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>()
  return findings.filter((f) => {
    const key = `${f.file}:${f.line}:${f.column}:${f.rule}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}
