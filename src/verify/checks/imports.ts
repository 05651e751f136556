import {KINDS} from '../../primitives/kinds.js'
import {isTestSupportFile, sourceLanguage} from '../classify.js'
import {goImports} from '../lexers/go.js'
import {mayImportAny} from '../imports/prefilter.js'
import {pythonImports} from '../lexers/python.js'
import type {ImportRef} from '../lexers/types.js'
import type {Check, Finding, PrimitiveContext} from '../types.js'

interface Rule {
  rule: string
  test: (specifier: string) => boolean
  /** Texts every specifier this rule rejects contains (the TS/JS prefilter parses only files holding one). */
  needles: readonly string[]
  message: (specifier: string) => string
  hint: string
}

const SDK_HINT =
  'Use the SDK instead: Go github.com/ameideio/ameide-sdk-go/..., TypeScript @ameideio/ameide-sdk-ts (proto via its proto.js barrel), Python ameide_sdk.'

/** Forbidden in every runtime file of every language: core protos and generated code, reached directly. */
const FORBIDDEN: Rule[] = [
  ...['packages/ameide_core_proto', 'buf.build/gen/', '@ameide/core-proto', '@buf/', 'ameide_core_proto'].map(
    (needle): Rule => ({
      rule: 'sdk-only',
      test: (s) => s.includes(needle),
      needles: [needle],
      message: (s) =>
        `Import of ${JSON.stringify(s)}: runtime code reaches Ameide contracts only through the SDK (${needle} is forbidden).`,
      hint: SDK_HINT,
    }),
  ),
  {
    rule: 'sdk-internal',
    test: (s) => /(^|[/.])_proto([/.]|$)/.test(s) || /ameide[-_]sdk[-_](go|ts|python)\/(internal|src)\//.test(s),
    needles: [
      '_proto',
      ...['-', '_'].flatMap((sep) =>
        ['go', 'ts', 'python'].flatMap((l) => [`sdk${sep}${l}/internal/`, `sdk${sep}${l}/src/`]),
      ),
    ],
    message: (s) => `Import of ${JSON.stringify(s)}: a deep import of the SDK's internal generated code.`,
    hint: "Import the SDK's public surface (e.g. @ameideio/ameide-sdk-ts/proto.js, ameide-sdk-go/proto/..., ameide_sdk), never its generated internals.",
  },
]

const KIND_ALTERNATION = KINDS.join('|')
const TS_CROSS = new RegExp(`(^|/)primitives/(${KIND_ALTERNATION})/`)
/** The needles of every rule a TS/JS specifier can break. */
export const TS_NEEDLES: readonly string[] = [...FORBIDDEN.flatMap((r) => r.needles), 'primitives/']
/** The rules a TS/JS specifier can break, for tests of the needles: each rejects only specifiers holding a needle. */
export const TS_RULE_TESTS: readonly ((specifier: string) => boolean)[] = [
  ...FORBIDDEN.map((r) => r.test),
  (s) => TS_CROSS.test(s),
]
const PY_CROSS = new RegExp(`(^|\\.)primitives\\.(${KIND_ALTERNATION})(\\.|$)`)
const GO_PRIMITIVES = 'github.com/ameideio/ameide/primitives/'

/** Message brokers that domain handlers must not import (they publish through the outbox port). */
const BROKERS = [
  'github.com/ThreeDotsLabs/watermill',
  'github.com/segmentio/kafka-go',
  'github.com/IBM/sarama',
  'github.com/Shopify/sarama',
  'github.com/confluentinc/confluent-kafka-go',
  'github.com/nats-io/',
]

export const importsCheck: Check = {
  id: 'imports',
  summary: 'SDK-only, no cross-primitive imports, no broker in domain handlers (runtime files; tests exempt)',
  skipReason: () => null,
  async run(ctx) {
    const goModule = readGoModule(ctx)
    const findings: Finding[] = []
    let scanned = 0
    let parsed = 0
    const withErrors: string[] = []
    // The parser (the TypeScript compiler) is loaded only when some file needs it.
    let parser: typeof import('../imports/typescript-parser.js') | undefined
    for (const file of ctx.files) {
      const language = sourceLanguage(file.rel)
      if (!language || file.text === null || isTestSupportFile(file.rel)) continue
      scanned++
      const text = file.text
      let refs: ImportRef[]
      if (language === 'go') refs = goImports(text)
      // Python: lazily, building only the tokens of import statements (image-policy rarely needs all of them).
      else if (language === 'python') refs = text.includes('import') ? pythonImports(text) : []
      else if (!mayImportAny(text, TS_NEEDLES)) refs = []
      else {
        parser ??= await import('../imports/typescript-parser.js')
        parsed++
        let read
        try {
          read = parser.readTypescriptImports(text, file.rel)
        } catch (error) {
          // Nesting deeper than the compiler's own recursion allows: a gap in the gate is a finding, never a pass.
          if (!(error instanceof RangeError)) throw error
          findings.push({
            rule: 'unparsable',
            severity: 'error',
            file: file.repoPath,
            line: 0,
            message: `${file.rel} names a forbidden path but could not be parsed (${error.message}); its imports were not checked.`,
            hint: 'Split or simplify the file, or move generated code out of the runtime sources.',
          })
          continue
        }
        if (read.syntaxErrors > 0) withErrors.push(file.rel)
        refs = read.imports
      }
      for (const ref of refs) {
        const problem = judge(ctx, file, language, ref.specifier, goModule)
        if (problem)
          findings.push({...problem, severity: 'error', file: file.repoPath, line: ref.line, column: ref.column})
      }
    }
    const notes = [`${scanned} runtime source file(s) read`]
    if (parsed > 0) notes.push(`${parsed} TS/JS file(s) naming a forbidden path parsed`)
    if (withErrors.length > 0)
      notes.push(
        `with syntax errors (read from the parser's recovered tree): ${withErrors.slice(0, 5).join(', ')}${withErrors.length > 5 ? ', …' : ''}`,
      )
    return {findings, note: notes.join('; ')}
  },
}

function judge(
  ctx: PrimitiveContext,
  file: {rel: string},
  language: 'go' | 'python' | 'typescript',
  spec: string,
  goModule: string | null,
): Omit<Finding, 'severity' | 'file' | 'line' | 'column'> | null {
  for (const rule of FORBIDDEN) {
    if (rule.test(spec)) return {rule: rule.rule, message: rule.message(spec), hint: rule.hint}
  }
  const crossHint = `Call the other primitive through its SDK client (an outbound port + adapter in ${ctx.path}), never import its code.`
  if (language === 'go' && spec.startsWith(GO_PRIMITIVES)) {
    const own = goModule !== null && (spec === goModule || spec.startsWith(`${goModule}/`))
    if (!own) {
      return {
        rule: 'cross-primitive',
        message:
          goModule === null
            ? `Import of ${JSON.stringify(spec)} under ${GO_PRIMITIVES} but ${ctx.path}/go.mod declares no module, so it cannot be this primitive's own package.`
            : `Import of ${JSON.stringify(spec)}: another primitive's code (this module is ${goModule}).`,
        hint: goModule === null ? `Declare \`module ${GO_PRIMITIVES}${ctx.kind}/${ctx.name}\` in go.mod.` : crossHint,
      }
    }
  }
  if (language === 'typescript' && TS_CROSS.test(spec)) {
    return {
      rule: 'cross-primitive',
      message: `Import of ${JSON.stringify(spec)}: another primitive's code.`,
      hint: crossHint,
    }
  }
  if (language === 'python' && PY_CROSS.test(spec)) {
    return {
      rule: 'cross-primitive',
      message: `Import of ${JSON.stringify(spec)}: another primitive's code.`,
      hint: crossHint,
    }
  }
  if (language === 'go' && ctx.kind === 'domain' && file.rel.startsWith('internal/handlers/')) {
    const broker = BROKERS.find((b) => spec.startsWith(b.replace(/\/$/, '')))
    if (broker) {
      return {
        rule: 'handler-broker',
        message: `Domain handler imports the message broker ${JSON.stringify(spec)}.`,
        hint: 'Handlers append events through the outbox port (internal/ports/outbox.go); only the dispatcher talks to the broker.',
      }
    }
  }
  return null
}

/** The `module` path declared in the primitive's go.mod, or null. */
export function readGoModule(ctx: PrimitiveContext): string | null {
  const text = ctx.byRel.get('go.mod')?.text
  if (!text) return null
  const match = /^\s*module\s+("?)([^\s"/]+(?:\/[^\s"]+)*)\1\s*(?:\/\/.*)?$/m.exec(text)
  return match ? match[2] : null
}
