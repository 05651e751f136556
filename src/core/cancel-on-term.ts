/**
 * A cancelled `ameide mcp` call is the parent's SIGTERM to the command's process. Until `writing()` the process ends
 * at once (it has only read); after it, `signal` aborts and the command stops at its next step, its writes whole, and
 * says what it left. Outside a parent (no IPC channel) SIGTERM keeps its default. `release` stops listening.
 */
export interface TermCancel {
  signal: AbortSignal
  /** The command is about to write (a push, a dispatch): from now on SIGTERM cancels instead of ending the process. */
  writing: () => void
  release: () => void
}

export function cancelOnTerm(): TermCancel {
  const cancel = new AbortController()
  let writing = false
  const onTerm = () => (writing ? cancel.abort() : process.exit(143))
  if (process.channel) process.on('SIGTERM', onTerm)
  return {
    signal: cancel.signal,
    writing: () => {
      writing = true
    },
    release: () => process.off('SIGTERM', onTerm),
  }
}
