import fc from 'fast-check'
import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import YAML from 'yaml'

import {DEFAULT_GITOPS_POLICY} from '../../../src/core/config.js'
import {desiredFromRefs} from '../../../src/gitops/write/input.js'
import {planWrite} from '../../../src/gitops/write/plan.js'
import {makeTempDir, runCleanups} from '../../support/tmp.js'

/**
 * Property: for random documents in every style the writer accepts — block and flow maps, plain / single / double
 * quotes, anchors and aliases, comments, LF or CRLF, 2- or 4-space indentation, with or without a final newline —
 * and a random set of refs to write, the planned text is exactly the document with only the rewritten values
 * replaced (every other byte unchanged), and parsed again each value is what was asked (through aliases too).
 */
afterAll(runCleanups)

const REPOS = ['ghcr.io/ameideio/alpha', 'ghcr.io/ameideio/beta', 'ghcr.io/ameideio/decoy'] as const
type Repo = 0 | 1 | 2
type Quote = 'plain' | 'single' | 'double'
type Shape = 'block-ref' | 'flow-ref' | 'anchored-map' | 'anchored-scalar' | 'list-ref' | 'image-map'
interface Entry {
  shape: Shape
  repo: Repo
  quote: Quote
  comment: boolean
}

/** A value slot in the template: what it holds depends on the refs asked. */
type Slot = {repo: Repo; part: 'ref' | 'tag' | 'digest'; quote: Quote}
type Piece = string | Slot

interface Asked {
  tag: string
  digest: string
}

const quoted = (q: Quote, v: string) => (q === 'plain' ? v : q === 'single' ? `'${v}'` : `"${v}"`)
const OLD_TAG = '1.0.0'
const OLD_DIGEST = `sha256:${'0'.repeat(64)}`

function value(slot: Slot, asked: Array<Asked | undefined>): string {
  const a = asked[slot.repo]
  const tag = a?.tag ?? OLD_TAG
  if (slot.part === 'tag') return tag
  if (slot.part === 'digest') return a?.digest ?? OLD_DIGEST
  return a ? `${REPOS[slot.repo]}:${a.tag}@${a.digest}` : `${REPOS[slot.repo]}:${OLD_TAG}`
}

/** The document as pieces, and for each entry the path(s) where its value reads back. */
function template(entries: Entry[], indent: number, eol: string): Piece[] {
  const sp = (n: number) => ' '.repeat(indent * n)
  const out: Piece[] = ['# generated document', eol]
  entries.forEach((e, i) => {
    const slot = (part: Slot['part'] = 'ref'): Slot => ({repo: e.repo, part, quote: e.quote})
    const note = e.comment ? ` # note ${i}` : ''
    if (e.comment) out.push(`# entry ${i}`, eol)
    switch (e.shape) {
      case 'block-ref':
        out.push(`e${i}:`, eol, `${sp(1)}image:`, eol, `${sp(2)}ref: `, slot(), note, eol)
        break
      case 'flow-ref':
        out.push(`e${i}: {image: {ref: `, slot(), `}}${note}`, eol)
        break
      case 'anchored-map':
        out.push(`e${i}:`, eol, `${sp(1)}image: &m${i}`, eol, `${sp(2)}ref: `, slot(), note, eol)
        out.push(`x${i}: *m${i}`, eol)
        break
      case 'anchored-scalar':
        out.push(`e${i}:`, eol, `${sp(1)}image:`, eol, `${sp(2)}ref: &s${i} `, slot(), note, eol)
        out.push(`x${i}: *s${i}`, eol)
        break
      case 'list-ref':
        out.push(`e${i}:`, eol, `${sp(1)}- image: {ref: `, slot(), `}${note}`, eol)
        break
      case 'image-map':
        out.push(`e${i}:`, eol, `${sp(1)}image:`, eol, `${sp(2)}repository: ${REPOS[e.repo]}`, eol)
        out.push(`${sp(2)}tag: `, slot('tag'), note, eol, `${sp(2)}digest: `, slot('digest'), eol)
        break
    }
  })
  return out
}

const render = (pieces: Piece[], asked: Array<Asked | undefined>) =>
  pieces.map((p) => (typeof p === 'string' ? p : quoted(p.quote, value(p, asked)))).join('')

/** Where each entry's value reads back in the parsed document (aliases resolve to the anchored node). */
function readBack(doc: any, e: Entry, i: number): string[] {
  switch (e.shape) {
    case 'block-ref':
    case 'flow-ref':
      return [doc[`e${i}`].image.ref]
    case 'anchored-map':
      return [doc[`e${i}`].image.ref, doc[`x${i}`].ref]
    case 'anchored-scalar':
      return [doc[`e${i}`].image.ref, doc[`x${i}`]]
    case 'list-ref':
      return [doc[`e${i}`][0].image.ref]
    case 'image-map':
      return [`${doc[`e${i}`].image.repository}:${doc[`e${i}`].image.tag}@${doc[`e${i}`].image.digest}`]
  }
}

const entryArb: fc.Arbitrary<Entry> = fc.record({
  shape: fc.constantFrom<Shape>('block-ref', 'flow-ref', 'anchored-map', 'anchored-scalar', 'list-ref', 'image-map'),
  repo: fc.constantFrom<Repo>(0, 1, 2),
  quote: fc.constantFrom<Quote>('plain', 'single', 'double'),
  comment: fc.boolean(),
})
const askedArb: fc.Arbitrary<Asked> = fc.record({
  tag: fc.stringMatching(/^v?[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{1,2}(-[a-z]{1,4})?$/),
  digest: fc.stringMatching(/^[a-f0-9]{64}$/).map((hex) => `sha256:${hex}`),
})

let root: string
const FILE = 'sources/values/env/local/values.yaml'

beforeAll(async () => {
  root = await makeTempDir('ameide-write-prop-')
  await mkdir(path.join(root, path.dirname(FILE)), {recursive: true})
})

describe('the overlay writer, property-based', () => {
  it('changes exactly the asked values, in every style, and nothing else', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(entryArb, {minLength: 1, maxLength: 8}),
        fc.tuple(fc.option(askedArb, {nil: undefined}), fc.option(askedArb, {nil: undefined})),
        fc.constantFrom('\n', '\r\n'),
        fc.constantFrom(2, 4),
        fc.boolean(),
        async (entries, [alpha, beta], eol, indent, finalNewline) => {
          // The map shape rejects a plain tag that reads as a number; the tags asked always read as strings.
          const asked: Array<Asked | undefined> = [alpha, beta, undefined] // the decoy is never asked for
          const pieces = template(entries, indent, eol)
          if (!finalNewline) pieces.pop()
          const before = render(pieces, [])
          const expected = render(pieces, asked)
          await writeFile(path.join(root, FILE), before)
          const refs = asked.flatMap((a, r) => (a ? [`${REPOS[r]}:${a.tag}@${a.digest}`] : []))
          if (refs.length === 0) return
          const plan = await planWrite(root, DEFAULT_GITOPS_POLICY, 'local', desiredFromRefs(refs))
          const edited = entries.filter((e) => asked[e.repo] !== undefined)
          expect(plan.changes).toHaveLength(edited.length)
          if (edited.length === 0) {
            expect(plan.edits).toEqual([])
            return
          }
          expect(plan.edits).toHaveLength(1)
          // Every byte: the document with only the asked values replaced (quotes, comments, EOLs, indentation kept).
          expect(plan.edits[0].after).toBe(expected)
          const doc = YAML.parse(plan.edits[0].after, {merge: false})
          entries.forEach((e, i) => {
            const part = (p: Slot['part']) => value({repo: e.repo, part: p, quote: 'plain'}, asked)
            const want = e.shape === 'image-map' ? `${REPOS[e.repo]}:${part('tag')}@${part('digest')}` : part('ref')
            for (const got of readBack(doc, e, i)) expect(got, `entry ${i} (${e.shape})`).toBe(want)
          })
        },
      ),
      {numRuns: 150},
    )
  }, 120_000)
})
