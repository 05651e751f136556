import {redact} from '../secrets.js'
import {humanOutput, terminalSafe} from './untrusted.js'

/**
 * Progress reporting on stderr. On an interactive terminal it is an `ora` spinner (imported only
 * then, to keep start-up fast); otherwise plain lines, or nothing at all in --json mode.
 */
export interface Progress {
  start(text: string): void
  update(text: string): void
  succeed(text?: string): void
  fail(text?: string): void
  info(text: string): void
  stop(): void
}

type Mode = 'spinner' | 'lines' | 'silent' | 'channel'

export async function createProgress(mode: Mode): Promise<Progress> {
  if (mode === 'silent') return silentProgress
  if (mode === 'channel') return channelProgress()
  if (mode === 'lines') return lineProgress()
  const {default: ora} = await import('ora')
  // Only on an interactive terminal outside CI (no runner reads it): controls escaped, secrets redacted.
  const safe = (text: string) => terminalSafe(redact(text))
  const spinner = ora({stream: process.stderr})
  return {
    start: (text) => void spinner.start(safe(text)),
    update: (text) => void (spinner.text = safe(text)),
    succeed: (text) => void spinner.succeed(text === undefined ? undefined : safe(text)),
    fail: (text) => void spinner.fail(text === undefined ? undefined : safe(text)),
    info: (text) => void spinner.info(safe(text)),
    stop: () => void spinner.stop(),
  }
}

const silentProgress: Progress = {
  start() {},
  update() {},
  succeed() {},
  fail() {},
  info() {},
  stop() {},
}

function lineProgress(): Progress {
  let current = ''
  const line = (prefix: string, text: string) => process.stderr.write(`${humanOutput(`${prefix} ${text}`)}\n`)
  return {
    start: (text) => {
      current = text
    },
    update: (text) => {
      current = text
    },
    succeed: (text) => line('✓', text ?? current),
    fail: (text) => line('✗', text ?? current),
    info: (text) => line('-', text),
    stop() {},
  }
}

/**
 * `--json` under a parent that gave the process an IPC channel (`ameide mcp` runs each tool so): each line is a
 * message `{progress: text}` on the channel, which the server relays as MCP progress; stdout keeps only the document.
 */
function channelProgress(): Progress {
  const send = (text: string) => {
    if (process.connected) process.send?.({progress: redact(text)})
  }
  return {
    start: send,
    update: send,
    succeed: (text) => text && send(text),
    fail: (text) => text && send(text),
    info: send,
    stop() {},
  }
}
