import {execa} from 'execa'
import {cp, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, describe, expect, it} from 'vitest'

import {CLI, runCli} from '../support/cli.js'
import {gitopsRepo} from '../support/gitops-fixture.js'
import {makeTempDir, runCleanups} from '../support/tmp.js'
import {TOOLS} from '../../src/mcp/catalogue.js'

afterAll(runCleanups)

/** The MCP Inspector's CLI mode: a second client, written by the protocol's maintainers. */
const INSPECTOR = fileURLToPath(
  new URL('../../node_modules/@modelcontextprotocol/inspector-cli/build/index.js', import.meta.url),
)

/**
 * Runs the inspector against `ameide mcp` started in `cwd` (the server's only root). inspector-cli 1.0.3 looks for
 * its own package.json at `../package.json` relative to the working directory, so `cwd`'s parent holds one.
 */
const inspect = (cwd: string, args: string[]) =>
  execa(process.execPath, [INSPECTOR, process.execPath, CLI, 'mcp', ...args], {
    cwd,
    reject: false,
    env: {NO_COLOR: '1', CI: 'true'},
    timeout: 120_000,
  })

describe('ameide mcp under the MCP Inspector CLI', () => {
  it('lists the tools, calls gitops_verify (the CLI --json) and reports invalid arguments as invalid params', async () => {
    const parent = await makeTempDir('ameide-mcp-inspector-')
    await writeFile(path.join(parent, 'package.json'), '{}\n')
    const repo = path.join(parent, 'gitops')
    await cp(await gitopsRepo(), repo, {recursive: true})

    const listed = await inspect(repo, ['--method', 'tools/list'])
    expect(listed.exitCode, listed.stderr).toBe(0)
    const names = (JSON.parse(listed.stdout) as {tools: Array<{name: string}>}).tools.map((t) => t.name)
    expect(names).toContain('gitops_verify')
    expect(names).toHaveLength(TOOLS.length)

    const called = await inspect(repo, [
      '--method',
      'tools/call',
      '--tool-name',
      'gitops_verify',
      '--tool-arg',
      'cache=false',
    ])
    expect(called.exitCode, called.stderr).toBe(0)
    const result = JSON.parse(called.stdout) as {structuredContent: unknown; isError?: boolean}
    expect(result.isError).toBeFalsy()
    const cli = await runCli(['gitops', 'verify', '--no-cache', '--json'], {cwd: repo})
    expect(result.structuredContent).toEqual(cli.json())

    const bad = await inspect(repo, [
      ...['--method', 'tools/call', '--tool-name', 'primitive_scaffold'],
      ...['--tool-arg', 'kind=widget', 'name=x'],
    ])
    expect(bad.exitCode).not.toBe(0)
    expect(bad.stdout + bad.stderr).toMatch(
      /-32602: primitive_scaffold: kind must be equal to one of the allowed values/,
    )
  })
})
