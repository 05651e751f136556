/**
 * Git, as an external process. Every git call ameide makes goes through this module.
 * `execa` is imported on first use: commands that never call git (e.g. with --repo-root) do not pay for it.
 */
async function run(cwd: string, args: string[], reject: boolean) {
  const {execa} = await import('execa')
  return execa('git', args, {cwd, reject})
}

export async function gitTopLevel(cwd: string): Promise<string | null> {
  const result = await run(cwd, ['rev-parse', '--show-toplevel'], false)
  return result.exitCode === 0 ? result.stdout.trim() : null
}

export async function git(cwd: string, args: string[]): Promise<string> {
  return (await run(cwd, args, true)).stdout
}

export async function gitMaybe(cwd: string, args: string[]): Promise<{ok: boolean; stdout: string; stderr: string}> {
  const result = await run(cwd, args, false)
  return {ok: result.exitCode === 0, stdout: String(result.stdout), stderr: String(result.stderr)}
}
