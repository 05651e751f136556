/** A child process's stdout read as lines, for a host that speaks one JSON line each way with it (./native.ts). */
import type {ChildProcessWithoutNullStreams} from 'node:child_process'

/** Lines of a child's stdout, one at a time, to whoever waits for the next; undefined once it has ended. */
export function lines(child: ChildProcessWithoutNullStreams) {
  // The current line's pieces: each chunk is searched once, however long the answer (up to the output limit).
  let pieces: string[] = []
  const ready: string[] = []
  let waiting: ((line: string | undefined) => void) | undefined
  let ended = false
  const deliver = (line: string) => {
    if (!waiting) return void ready.push(line)
    const w = waiting
    waiting = undefined
    w(line)
  }
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk: string) => {
    let start = 0
    let at: number
    while ((at = chunk.indexOf('\n', start)) >= 0) {
      pieces.push(chunk.slice(start, at))
      deliver(pieces.join(''))
      pieces = []
      start = at + 1
    }
    if (start < chunk.length) pieces.push(chunk.slice(start))
  })
  const end = () => {
    ended = true
    waiting?.(undefined)
    waiting = undefined
  }
  // Not on 'exit': that can come before the last chunk of stdout is read (a helper that says why it cannot confine
  // itself and ends at once); 'close' comes after every stream of the child has closed.
  child.stdout.on('end', end)
  child.on('close', end)
  return {
    next: () =>
      new Promise<string | undefined>((resolve) => {
        if (ready.length > 0) return resolve(ready.shift())
        if (ended) return resolve(undefined)
        waiting = resolve
      }),
    cancel: () => end(),
  }
}
