/**
 * The diff as several pull-request comments instead of one cut at GitHub's limit: the summary first (as in
 * ./markdown.ts), then every deployable's diffs, each comment at most the limit less the room its marker takes. A
 * deployable's diffs longer than one comment are split at lines into folded parts, each fenced on its own. Nothing
 * is left out, unless the summary alone passes a comment (then it is cut as ./markdown.ts cuts it, with its note).
 */
import {htmlText, mdFence} from '../../core/output/markdown.js'
import {block, COMMENT_LIMIT, deployableTitle, renderMarkdown, summary} from './markdown.js'
import type {DeployableDiff, GitopsDiffResult} from './types.js'

/** Room kept in each comment for its marker and its `part k of n` line. */
export const PART_ROOM = 400
const CONTINUED = '## ameide gitops diff (continued)\n\n'
/** Room kept in a split block for its folding, fence and title. */
const BLOCK_ROOM = 600

/** The comments, each at most `limit − PART_ROOM` characters; one when it all fits. */
export function renderMarkdownParts(r: GitopsDiffResult, limit = COMMENT_LIMIT): string[] {
  const room = limit - PART_ROOM
  const head = `${summary(r).join('\n')}\n`
  // A summary longer than a comment is cut as the one-comment Markdown cuts it (a note says so).
  const parts = [head.length > room ? renderMarkdown(r, room).markdown : head]
  const withDiffs = r.deployables.filter((d) => d.objects.length > 0)
  if (withDiffs.length > 0) parts[0] += '### Object diffs\n\n'
  for (const d of withDiffs) {
    for (const b of blocksOf(d, room - CONTINUED.length)) {
      if (parts[parts.length - 1].length + b.length > room) parts.push(CONTINUED)
      parts[parts.length - 1] += b
    }
  }
  if (parts.length === 1) return parts
  return parts.map((p, i) => `${p}\n<sub>part ${i + 1} of ${parts.length}</sub>\n`)
}

/** One deployable's diffs as blocks of at most `max` characters: whole, or split at lines into folded parts. */
function blocksOf(d: DeployableDiff, max: number): string[] {
  const whole = block(d)
  if (whole.length <= max) return [whole]
  const lines = d.objects
    .map((o) => o.diff)
    .join('')
    .replace(/\n$/, '')
    .split('\n')
  const chunks: string[] = []
  let chunk: string[] = []
  let size = 0
  for (const raw of lines) {
    // A line longer than a block (a minified value) is cut into pieces of a block each.
    for (let i = 0; i === 0 || i < raw.length; i += max - BLOCK_ROOM) {
      const line = raw.slice(i, i + max - BLOCK_ROOM)
      if (size + line.length + 1 > max - BLOCK_ROOM && chunk.length > 0) {
        chunks.push(chunk.join('\n'))
        chunk = []
        size = 0
      }
      chunk.push(line)
      size += line.length + 1
    }
  }
  if (chunk.length > 0) chunks.push(chunk.join('\n'))
  const title = `${d.environment ?? '(none)'} · ${deployableTitle(d)} · ${d.change}`
  return chunks.map(
    (c, i) =>
      `<details><summary>${htmlText(title)} · part ${i + 1} of ${chunks.length}</summary>\n\n${mdFence(c, 'diff')}\n\n</details>\n\n`,
  )
}
