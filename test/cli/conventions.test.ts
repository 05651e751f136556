import {Config} from '@oclif/core'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'

import {runCli} from '../support/cli.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

describe('every command follows the shared conventions (real oclif config)', async () => {
  const config = await Config.load(root)
  const commands = config.commands.filter((c) => c.pluginName === 'ameide')

  it('has the primitive commands under a space-separated topic', () => {
    expect(config.topicSeparator).toBe(' ')
    expect(config.bin).toBe('ameide')
    expect(commands.map((c) => c.id)).toContain('primitive:scaffold')
  })

  // `mcp` is a protocol server, not a command with one result: stdout is JSON-RPC, so it has no --json, and its tools
  // name their checkout with the `root` argument. Its help still carries the exit and error codes.
  const SERVERS = new Set(['mcp'])

  /** oclif's load() gives the bundle's index entry, a stand-in whose load() imports the command's real class. */
  async function loadReal(id: string): Promise<{enableJsonFlag?: boolean}> {
    type Loaded = {enableJsonFlag?: boolean; load?: () => Promise<{enableJsonFlag?: boolean}>}
    const entry = (await config.findCommand(id)!.load()) as Loaded
    return entry.load ? await entry.load() : entry
  }

  it('mcp: a server on stdio, no --json and no checkout flag, exit and error codes in help', async () => {
    const command = config.findCommand('mcp')!
    expect((await loadReal('mcp')).enableJsonFlag).toBeFalsy()
    expect(Object.keys(command.flags)).toEqual(['read-only', 'tools'])
    expect(command.description).toMatch(/EXIT CODES[\s\S]*ERROR CODES[\s\S]*ROOT_OUTSIDE_ROOTS: exit 2/)
    expect(command.description).toMatch(/INVALID_TOOLS: exit 2/)
  })

  it.each(commands.filter((c) => !SERVERS.has(c.id)).map((c) => [c.id]))(
    '%s: --json, --repo-root, exit codes and error codes in help',
    async (id) => {
      const command = config.findCommand(id)!
      expect((await loadReal(id)).enableJsonFlag).toBe(true)
      // One name for the checkout per command: --root on a GitOps checkout (with --repo-root as its alias), else --repo-root.
      const rootFlag = id.startsWith('gitops:') ? 'root' : 'repo-root'
      expect(Object.keys(command.flags)).toEqual(expect.arrayContaining(['json', rootFlag]))
      if (rootFlag === 'root') expect(command.flags.root.aliases).toEqual(['repo-root'])
      else expect(Object.keys(command.flags)).not.toContain('root')
      for (const line of [
        '0  success',
        '1  the command ran',
        '2  invalid usage',
        '3  missing prerequisite',
        '4  a remote service',
      ]) {
        expect(command.description).toContain(line)
      }
      expect(command.description).toMatch(/ERROR CODES[\s\S]*[A-Z_]+: exit [1-4]/)
      const help = await runCli([...id.split(':'), '--help'])
      expect(help.exitCode).toBe(0)
      expect(help.stdout).toContain('EXIT CODES')
    },
  )

  it('the --version fast path prints exactly what oclif would', async () => {
    const run = await runCli(['--version'])
    expect(run.exitCode).toBe(0)
    expect(run.stdout.trim()).toBe(config.userAgent)
  })

  it('includes the help, autocomplete and not-found plugins', () => {
    const plugins = [...config.plugins.keys()]
    expect(plugins).toEqual(
      expect.arrayContaining(['@oclif/plugin-help', '@oclif/plugin-autocomplete', '@oclif/plugin-not-found']),
    )
  })
})
