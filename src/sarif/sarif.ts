import {createHash} from 'node:crypto'

import type {Log, ReportingDescriptor, Result, Run} from 'sarif'

import {mdText} from '../core/output/markdown.js'

/**
 * SARIF 2.1.0 for GitHub code scanning, built from a neutral finding model that `primitive verify` and
 * `gitops verify` both map to (src/verify/sarif.ts, src/gitops/verify/sarif.ts). Pure: the text of the lines the
 * fingerprints need comes from a function the caller passes (src/sarif/write.ts reads the files).
 */

/** The project's home; rule `helpUri`s point into its docs. */
export const REPOSITORY_URL = 'https://github.com/ameideio/ameide-cli'

/** A docs page anchor: `docs/commands/<page>#<anchor>` on the main branch. */
export function docsUrl(page: string, anchor: string): string {
  return `${REPOSITORY_URL}/blob/main/docs/commands/${page}#${anchor}`
}

/** The key of our fingerprint in `partialFingerprints` (versioned: a new algorithm takes a new key). */
export const FINGERPRINT_KEY = 'ameideFindingHash/v1'

export type SarifLevel = 'error' | 'warning'

/** One rule as code scanning shows it. */
export interface SarifRule {
  /** Stable id (never changes meaning: alerts are keyed by it). */
  id: string
  /** Readable PascalCase name; defaults to the id's words (`secrets/github-pat` → `SecretsGithubPat`). */
  name?: string
  /** One line: what the rule finds. */
  title: string
  /** Longer description (where it comes from, which check runs it); defaults to the title. */
  description?: string
  /** How to fix a finding of this rule (the general hint). */
  help: string
  helpUri: string
  level: SarifLevel
  tags?: string[]
  /** GitHub's 0.0–10.0 score for security rules (with the `security` tag). */
  securitySeverity?: string
}

/** One finding, as both verify commands report it. */
export interface SarifFinding {
  ruleId: string
  level: SarifLevel
  /** Repository-relative path with forward slashes (a folder ends with `/`). */
  file: string
  /** 1-based; 0 when the finding is about the whole file or folder (no region). */
  line: number
  /** 1-based, UTF-16 code units; absent or 0 when unknown. */
  column?: number
  message: string
  /** The finding's own hint; added to the message when it says more than the rule's help. */
  hint?: string
  /**
   * What the fingerprint hashes besides rule and path: the offending line's text (default; stable when lines are
   * added above), or the message (findings whose line holds a secret: never hash a secret; whole-file findings).
   */
  fingerprintFrom?: 'line' | 'message'
}

/** The fields every ameide finding has (primitive verify's and gitops verify's alike). */
export interface FindingFields {
  severity: SarifLevel
  file: string
  line: number
  column?: number
  message: string
  hint?: string
}

/** One finding in the neutral model, under its SARIF rule id. */
export function sarifFinding(
  f: FindingFields,
  ruleId: string,
  fingerprintFrom: SarifFinding['fingerprintFrom'],
): SarifFinding {
  const {severity: level, file, line, column, message, hint} = f
  return {ruleId, level, file, line, column, message, hint, fingerprintFrom}
}

export interface SarifTool {
  /** e.g. `ameide`. */
  name: string
  version: string
  /** `runs[].automationDetails.id`: `<category>/` keeps the two commands' analyses apart in code scanning. */
  automationId: string
}

export interface SarifInput {
  tool: SarifTool
  /** Every rule the run applied, in a stable order; rules of findings missing here are added from the findings. */
  rules: SarifRule[]
  findings: SarifFinding[]
  /** The text of a 1-based line of a repository file, or undefined when it cannot be read. */
  lineText: (file: string, line: number) => string | undefined
  /** False when the tool could not do its work (e.g. a missing tool); findings still count. */
  executionSuccessful?: boolean
}

/** White space collapsed and trimmed: re-indenting a line keeps its fingerprint. */
export function normaliseLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

/** A repository-relative path as a relative URI reference (each segment percent-encoded). */
export function relativeUri(file: string): string {
  return file
    .replace(/\\/g, '/')
    .replace(/^\.\//, '')
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/')
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/**
 * A rule's readable name: the id's words in PascalCase. SARIF (§3.49.7) wants `name` readable and different from
 * the opaque `id`; the Multitool's SARIF1001 flags a name equal to the id.
 */
export function ruleName(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('')
}

function ruleDescriptor(rule: SarifRule): ReportingDescriptor {
  const tags = rule.tags ?? []
  const properties = {
    ...(tags.length > 0 ? {tags} : {}),
    ...(rule.securitySeverity ? {'security-severity': rule.securitySeverity} : {}),
  }
  return {
    id: rule.id,
    name: rule.name ?? ruleName(rule.id),
    shortDescription: {text: rule.title},
    fullDescription: {text: rule.description ?? rule.title},
    help: {text: rule.help, markdown: `${mdText(rule.help)}\n\n[Documentation](${rule.helpUri})`},
    helpUri: rule.helpUri,
    defaultConfiguration: {level: rule.level},
    ...(Object.keys(properties).length > 0 ? {properties} : {}),
  }
}

/** Builds the SARIF log: one run, one rule per rule id, one result per finding, in the given order. */
export function buildSarif(input: SarifInput): Log {
  const rules = [...input.rules]
  const index = new Map(rules.map((r, i) => [r.id, i]))
  for (const f of input.findings) {
    if (index.has(f.ruleId)) continue
    // A rule the catalogue does not know yet: described by its finding, never dropped.
    index.set(f.ruleId, rules.length)
    rules.push({id: f.ruleId, title: f.ruleId, help: f.hint ?? f.message, helpUri: REPOSITORY_URL, level: f.level})
  }

  const occurrences = new Map<string, number>()
  const results: Result[] = input.findings.map((f) => {
    const ruleIndex = index.get(f.ruleId)!
    const rule = rules[ruleIndex]
    const lineText = f.line > 0 && f.fingerprintFrom !== 'message' ? input.lineText(f.file, f.line) : undefined
    const basis = lineText !== undefined ? `line:${normaliseLine(lineText)}` : `message:${normaliseLine(f.message)}`
    const key = [f.ruleId, f.file, basis].join('\0')
    // Identical lines with the same rule in one file stay distinct alerts: the n-th occurrence is part of the hash.
    const n = occurrences.get(key) ?? 0
    occurrences.set(key, n + 1)
    const hint = f.hint && f.hint !== rule.help ? ` Hint: ${f.hint}` : ''
    // A finding about a whole file or folder (line 0) points at line 1, marked `properties.wholeFile`: code scanning
    // shows a result only with a region (the Multitool's SARIF2017). Its fingerprint still comes from the message.
    const region =
      f.line > 0 ? {startLine: f.line, ...(f.column && f.column > 0 ? {startColumn: f.column} : {})} : {startLine: 1}
    return {
      ruleId: f.ruleId,
      ruleIndex,
      level: f.level,
      message: {text: `${f.message}${hint}`},
      locations: [
        {
          physicalLocation: {
            artifactLocation: {uri: relativeUri(f.file), uriBaseId: '%SRCROOT%'},
            region,
          },
        },
      ],
      partialFingerprints: {[FINGERPRINT_KEY]: sha256(`${key}\0${n}`)},
      ...(f.line > 0 ? {} : {properties: {wholeFile: true}}),
    }
  })

  const run: Run = {
    tool: {
      driver: {
        name: input.tool.name,
        version: input.tool.version,
        ...(/^\d+\.\d+\.\d+/.test(input.tool.version) ? {semanticVersion: input.tool.version} : {}),
        informationUri: REPOSITORY_URL,
        rules: rules.map(ruleDescriptor),
      },
    },
    automationDetails: {id: input.tool.automationId},
    columnKind: 'utf16CodeUnits',
    invocations: [{executionSuccessful: input.executionSuccessful ?? true}],
    results,
  }
  return {$schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs: [run]}
}
