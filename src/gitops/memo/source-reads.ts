/**
 * The recorder of an Application's resolved sources (./sources.ts), as ./reads.ts is the ApplicationSet expansion's:
 * the step is given a context (`DeployablesContext`) and an Application whose every answer is recorded as (what was
 * asked, a digest of the answer) — the revision's files asked one by one (`files.has`) or listed whole (a digest of
 * the list), texts (`readText`, `docsOf`: the text's sha256, or `absent`), paths confined, environments, whether a URL
 * names this repository, the pins of target revisions, the Application's lines. Another tree asked for (a pinned
 * commit the clone holds, a mapped repository) ends the recording: such a source is read fresh, never kept. Any other
 * property read throws `UnrecordedRead`.
 */
import {createHash} from 'node:crypto'

import type {DeployablesContext} from '../model/context.js'
import type {ArgoApplication, SpecPath} from '../model/types.js'
import {safely, textAnswer, UnrecordedRead, type Read} from './reads.js'

/** The kinds of read of the sources step. */
export type SourceReadKind =
  'has' | 'files' | 'text' | 'confined' | 'env' | 'repository' | 'named' | 'pinned' | 'mapped' | 'tree' | 'line'

/** Thrown inside a recorded step that asked for another tree: its result is not kept, the step runs unrecorded. */
export class NotKept extends Error {}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

/** The digest of a revision's files, once per set (a revision's files do not change under it). */
const listings = new WeakMap<ReadonlySet<string>, string>()
function filesDigest(files: ReadonlySet<string>): string {
  let digest = listings.get(files)
  if (digest === undefined) {
    digest = sha256([...files].join('\0'))
    listings.set(files, digest)
  }
  return digest
}

const json = (v: unknown) => JSON.stringify(v ?? null)

/** The answer to one read of the sources step, asked of `ctx` and `app` (undefined: a kind this build does not know). */
export function sourceAnswer(
  ctx: DeployablesContext,
  app: Pick<ArgoApplication, 'lineOf'>,
  kind: string,
  question: string,
): string | undefined {
  switch (kind) {
    case 'has':
      return String(ctx.files.has(question))
    case 'files':
      return filesDigest(ctx.files)
    case 'text':
      return textAnswer(ctx, question)
    case 'confined':
      return json(ctx.confined(question))
    case 'env':
      return json(ctx.envOf(question))
    case 'repository':
      return String(ctx.isThisRepository(question))
    case 'named':
      return String(ctx.named)
    case 'pinned':
      return json(ctx.pinned?.((JSON.parse(question) as [string | null])[0] ?? undefined))
    case 'mapped':
      return otherTree(ctx, kind, question)
    case 'tree':
      return otherTree(ctx, kind, question)
    case 'line':
      return String(app.lineOf(JSON.parse(question) as SpecPath))
    default:
      return undefined
  }
}

/** Whether another tree answers (`some`) or not (`none`): a mapped repository at a revision, this one at a pin. */
function otherTree(ctx: DeployablesContext, kind: 'mapped' | 'tree', question: string): string {
  const q = JSON.parse(question) as unknown[]
  const found =
    kind === 'mapped'
      ? ctx.sourceRepository?.(q[0] as string, (q[1] as string | null) ?? undefined)
      : ctx.pinnedTree?.(q[0] as Parameters<NonNullable<DeployablesContext['pinnedTree']>>[0])
  return found === undefined ? 'none' : 'some'
}

/** What the sources step is given, behind its recorder, and what it recorded. */
export interface SourcesRecording {
  ctx: DeployablesContext
  app: ArgoApplication
  /** Ends the recording (what the result asks later, a lazy value layer, is not the step's input); its reads. */
  stop(): Read[]
  /** Another tree was asked for: the result is not kept (the step is run again, unrecorded). */
  readonly notKept: boolean
}

/** The properties the recorder passes through unrecorded: the build's YAML module (code, not an input). */
const CODE = new Set<string>(['yaml'])

/** `ctx` and `app` behind a recorder: every answer the step gets is recorded once. */
export function recordSources(ctx: DeployablesContext, app: ArgoApplication): SourcesRecording {
  const reads = new Map<string, Read>()
  const state = {notKept: false, stopped: false}
  /** Records a read once, its answer given as the step got it (or asked of `ctx`, as a kept read is asked again). */
  const note = (kind: SourceReadKind, question: string, given?: () => string) => {
    if (state.stopped) return
    const id = `${kind}\0${question}`
    if (!reads.has(id)) reads.set(id, [kind as Read[0], question, given?.() ?? sourceAnswer(ctx, app, kind, question)!])
  }
  const answered = <T>(kind: SourceReadKind, question: string, found: T, as: (found: T) => string): T => {
    note(kind, question, () => as(found))
    return found
  }
  const noTree = <T>(kind: 'mapped' | 'tree', question: unknown[], found: T): T => {
    if (found !== undefined && !state.stopped) {
      state.notKept = true
      throw new NotKept(`the sources read another tree (${kind})`)
    }
    note(kind, JSON.stringify(question), () => 'none')
    return found
  }
  const answers: Partial<DeployablesContext> = {
    files: recordedFiles(ctx.files, note),
    readText: (file) => (note('text', file), ctx.readText(file)),
    docsOf: (file) => (note('text', file), ctx.docsOf(file)),
    confined: (p) => answered('confined', p, ctx.confined(p), json),
    envOf: (file) => answered('env', file, ctx.envOf(file), json),
    isThisRepository: (url) => answered('repository', url, ctx.isThisRepository(url), String),
    pinned: (rev) => answered('pinned', JSON.stringify([rev ?? null]), ctx.pinned?.(rev), json),
    sourceRepository: (url, rev) => noTree('mapped', [url, rev ?? null], ctx.sourceRepository?.(url, rev)),
    pinnedTree: (pin) => noTree('tree', [pin], ctx.pinnedTree?.(pin)),
  }
  const recorded = new Proxy(answers, {
    get(target, property) {
      if (typeof property !== 'string') return undefined
      if (CODE.has(property)) return ctx[property as keyof DeployablesContext]
      if (property === 'named') return (note('named', ''), ctx.named)
      if (!(property in target))
        throw new UnrecordedRead(`an Application's sources read ctx.${property}, which their recorder does not answer`)
      return target[property as keyof DeployablesContext]
    },
  }) as DeployablesContext
  const lineOf = (p: SpecPath) => answered('line', JSON.stringify(p), app.lineOf(p), String)
  return {
    ctx: recorded,
    app: {...app, lineOf},
    stop: () => ((state.stopped = true), [...reads.values()]),
    get notKept() {
      return state.notKept
    },
  }
}

/** The revision's files, `has` recorded file by file and anything else (a listing, the size) as the whole list. */
function recordedFiles(
  files: ReadonlySet<string>,
  note: (kind: SourceReadKind, question: string, given?: () => string) => void,
): ReadonlySet<string> {
  return new Proxy(files, {
    get(target, property) {
      if (property === 'has') {
        return (file: string) => {
          const found = target.has(file)
          note('has', file, () => String(found))
          return found
        }
      }
      note('files', '')
      const value = Reflect.get(target, property, target) as unknown
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
    },
  })
}

/** The answers of one context by kind of read, then question. */
export type SourceAnswers = Map<string, Map<string, string | undefined>>

/**
 * Whether every recorded read answers the same of `ctx` and `app` now; `asked` remembers the answers of one context
 * but the Application's lines (the kept results of every Application of a revision are tried against it).
 */
export function sourcesHold(
  reads: readonly Read[],
  ctx: DeployablesContext,
  app: Pick<ArgoApplication, 'lineOf'>,
  asked: SourceAnswers,
): boolean {
  for (const [kind, question, recorded] of reads) {
    let now: string | undefined
    if (kind === ('line' as string)) now = safely(() => sourceAnswer(ctx, app, kind, question))
    else {
      let answers = asked.get(kind)
      if (answers === undefined) asked.set(kind, (answers = new Map()))
      if (!answers.has(question))
        answers.set(
          question,
          safely(() => sourceAnswer(ctx, app, kind, question)),
        )
      now = answers.get(question)
    }
    // A question this build cannot ask (an unknown kind, a question that does not parse) never holds.
    if (now === undefined || now !== recorded) return false
  }
  return true
}
