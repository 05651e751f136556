/** The processes of an `ameide mcp` server, as Linux's /proc shows them (the MCP tests). */
import {readdirSync, readFileSync} from 'node:fs'

/** A process's children (Linux /proc), each with what `ameide mcp` asked it to start ahead (AMEIDE_MCP_PREFORK). */
export function children(pid: number): Array<{pid: number; ahead: string | undefined; threads: number}> {
  const found = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== pid) continue
      const environ = readFileSync(`/proc/${name}/environ`, 'utf8').split('\0')
      const ahead = environ.find((e) => e.startsWith('AMEIDE_MCP_PREFORK='))?.split('=')[1]
      const threads = Number(/^Threads:\s+(\d+)/m.exec(readFileSync(`/proc/${name}/status`, 'utf8'))![1])
      found.push({pid: Number(name), ahead, threads})
    } catch {
      // ended while being read
    }
  }
  return found
}

/** `what()` once it is defined, asked every 50 ms; an error after `ms`. */
export async function until<T>(what: () => T | undefined, ms = 15_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const value = what()
    if (value !== undefined) return value
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 50))
  }
}
