/**
 * Reads recorded by construction: a step is given a context that answers only what it records, each answer kept as
 * (what was asked, a digest of the answer). A kept result is reused only when every recorded read, asked again of
 * the real context, answers the same (Skyframe's and Salsa's rule): an input the step forgot cannot exist, since the
 * step can read nothing else — a property of its context it does not record throws.
 */
import {createHash} from 'node:crypto'

import {TemplateEngineFailure, TemplateEngineUnavailable} from '../../effects/gotemplate/index.js'
import type {TemplateEngine} from '../../effects/gotemplate/index.js'
import {NO_TEXT} from '../model/context.js'
import type {ExpansionContext, SpecPath} from '../model/types.js'

/** One read: its kind, the question (a file, a URL, a path as JSON; '' for a property) and the answer's digest. */
export type Read = [kind: ReadKind, question: string, answer: string]
export type ReadKind = 'text' | 'listing' | 'repository' | 'named' | 'maxApplications' | 'line'

type LineOf = (path: ReadonlyArray<string | number>) => number | undefined

/** What a step reads: the context and its ApplicationSet document's lines. */
export interface Inputs {
  ctx: ExpansionContext
  lineOf: LineOf
}

/** A step's inputs as a recorder hands them out, with what it recorded so far. */
export interface Recording extends Inputs {
  /** Ends the recording (what the step's result asks later is not its input) and returns its reads. */
  stop(): Read[]
  /** The template engine failed or could not start: the answer holds this run's trouble, never kept. */
  readonly engineFailed: boolean
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

/** The digest of a listing, once per list (a revision's tracked files do not change under it). */
const listings = new WeakMap<readonly string[], string>()
function listingDigest(files: readonly string[]): string {
  let digest = listings.get(files)
  if (digest === undefined) {
    digest = sha256(files.join('\0'))
    listings.set(files, digest)
  }
  return digest
}

/**
 * A text read's answer: the file's git blob id where the revision knows it (nothing read), else the text's sha256, or
 * `absent`. The two never answer alike (`blob ` before the id), so a kept answer holds only in the form it was made.
 */
export function textAnswer(ctx: Pick<ExpansionContext, 'readText' | 'textId'>, file: string): string {
  const id = ctx.textId?.(file)
  if (id !== undefined) return id === NO_TEXT ? 'absent' : `blob ${id}`
  const text = ctx.readText(file)
  return text === undefined ? 'absent' : sha256(text)
}

/** The answer to one read, asked of `inputs` (undefined: a kind this build does not know — never holds). */
export function answer(inputs: Inputs, kind: string, question: string): string | undefined {
  const {ctx} = inputs
  switch (kind) {
    case 'text':
      return textAnswer(ctx, question)
    case 'listing':
      return listingDigest(ctx.trackedFiles)
    case 'repository':
      return String(ctx.isThisRepository(question))
    case 'named':
      return String(ctx.named)
    case 'maxApplications':
      return String(ctx.maxApplications)
    case 'line':
      return String(inputs.lineOf(JSON.parse(question) as SpecPath))
    default:
      return undefined
  }
}

/** The properties of the recording context; any other one read throws (the step reached outside its recorder). */
const RECORDED = new Set<string>([
  'trackedFiles',
  'isThisRepository',
  'named',
  'readText',
  'templateEngine',
  'maxApplications',
  'pullRequest',
  'clusters',
  'scm',
])

/** Thrown when a step reads a property its recording context does not answer: a read the memo could not key. */
export class UnrecordedRead extends Error {}

/**
 * `inputs` behind a recorder: every answer the step gets is recorded once (the same question asked again is one
 * read). The servers' answers (pull request, clusters, SCM) are not given: a step that has them is not kept.
 */
export function record(inputs: Inputs): Recording {
  const reads = new Map<string, Read>()
  const state = {engineFailed: false, stopped: false}
  const note = (kind: ReadKind, question: string) => {
    if (state.stopped) return
    const id = `${kind}\0${question}`
    if (!reads.has(id)) reads.set(id, [kind, question, answer(inputs, kind, question)!])
  }
  const {ctx} = inputs
  const answers: Partial<ExpansionContext> = {
    readText: (file) => (note('text', file), ctx.readText(file)),
    isThisRepository: (url) => (note('repository', url), ctx.isThisRepository(url)),
    templateEngine: () => watched(() => ctx.templateEngine(), state)(),
  }
  const recorded = new Proxy(answers, {
    get(target, property) {
      if (typeof property !== 'string') return undefined
      if (!RECORDED.has(property))
        throw new UnrecordedRead(
          `the ApplicationSet expansion read ctx.${property}, which its recorder does not answer`,
        )
      if (property === 'trackedFiles') note('listing', '')
      if (property === 'named' || property === 'maxApplications') note(property, '')
      if (property === 'trackedFiles' || property === 'named' || property === 'maxApplications') return ctx[property]
      return target[property as keyof ExpansionContext]
    },
  }) as ExpansionContext
  const lineOf: LineOf = (path) => (note('line', JSON.stringify(path)), inputs.lineOf(path))
  return {
    ctx: recorded,
    lineOf,
    stop: () => ((state.stopped = true), [...reads.values()]),
    get engineFailed() {
      return state.engineFailed
    },
  }
}

/** The template engine, noting a call that failed or could not start (its answer is this run's, not the inputs'). */
function watched(open: () => TemplateEngine, state: {engineFailed: boolean}): () => TemplateEngine {
  const call =
    <A extends unknown[], R>(f: (...args: A) => R) =>
    (...args: A): R => {
      try {
        return f(...args)
      } catch (e) {
        if (e instanceof TemplateEngineFailure || e instanceof TemplateEngineUnavailable) state.engineFailed = true
        throw e
      }
    }
  return call(() => {
    const engine = open()
    return {
      render: call((r) => engine.render(r)),
      yaml: call((t) => engine.yaml(t)),
      sanitize: call((n) => engine.sanitize(n)),
      sprint: call((v) => engine.sprint(v)),
      paths: call((p) => engine.paths(p)),
      slug: call((n) => engine.slug(n)),
      match: call((p) => engine.match(p)),
    }
  })
}

/**
 * Whether every recorded read answers the same of `inputs` now; `asked` remembers the answers of one context (several
 * kept results of one ApplicationSet are tried against it).
 */
export function stillHolds(reads: readonly Read[], inputs: Inputs, asked: Map<string, string | undefined>): boolean {
  for (const [kind, question, recorded] of reads) {
    const id = `${kind}\0${question}`
    if (!asked.has(id))
      asked.set(
        id,
        safely(() => answer(inputs, kind, question)),
      )
    const now = asked.get(id)
    // A question this build cannot ask (an unknown kind, a path that does not parse) never holds.
    if (now === undefined || now !== recorded) return false
  }
  return true
}

/** An answer, or undefined when asking throws (a kept question that no longer parses): it never holds. */
export function safely(ask: () => string | undefined): string | undefined {
  try {
    return ask()
  } catch {
    return undefined
  }
}
