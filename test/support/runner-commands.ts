/**
 * The workflow commands a GitHub Actions runner would act on in a step's output, read as the runner reads them
 * (actions/runner ActionCommandManager and ActionCommand): line by line (LF, CR and CRLF end a line); `::name …::data`
 * once leading white space is trimmed, `##[name …]data` anywhere in a line; after `::stop-commands::<token>` nothing
 * until `::<token>::`. Stricter than the runner in one way: any name counts, registered or not.
 */
export function runnerCommands(text: string): string[] {
  const found: string[] = []
  let stopToken: string | null = null
  for (const line of text.split(/\r\n|\r|\n/)) {
    const command = parseV2(line) ?? parseV1(line)
    if (!command) continue
    if (stopToken !== null) {
      if (command.name.toLowerCase() === stopToken.toLowerCase()) stopToken = null
      continue
    }
    if (command.name.toLowerCase() === 'stop-commands') {
      stopToken = command.data
      continue
    }
    found.push(line)
  }
  return found
}

/** `::name props::data` after .NET's TrimStart (Unicode white space, NEL included). */
function parseV2(line: string): {name: string; data: string} | undefined {
  const message = line.replace(/^[\s\u0085]+/, '')
  if (!message.startsWith('::')) return undefined
  const end = message.indexOf('::', 2)
  if (end < 0) return undefined
  const name = message.slice(2, end).split(' ')[0]
  return name ? {name, data: message.slice(end + 2)} : undefined
}

/** `##[name props]data` anywhere (the first `##[` and the first `]` after it). */
function parseV1(line: string): {name: string; data: string} | undefined {
  const at = line.indexOf('##[')
  if (at < 0) return undefined
  const end = line.indexOf(']', at)
  if (end < 0) return undefined
  const name = line.slice(at + 3, end).split(' ')[0]
  return name ? {name, data: line.slice(end + 1)} : undefined
}
