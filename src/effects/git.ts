import {execa} from 'execa'

/**
 * Git, as an external process. Every git call ameide makes goes through this module.
 */
export async function gitTopLevel(cwd: string): Promise<string | null> {
  const result = await execa('git', ['rev-parse', '--show-toplevel'], {cwd, reject: false})
  return result.exitCode === 0 ? result.stdout.trim() : null
}

export async function git(cwd: string, args: string[]): Promise<string> {
  const result = await execa('git', args, {cwd})
  return result.stdout
}

export async function gitMaybe(cwd: string, args: string[]): Promise<{ok: boolean; stdout: string; stderr: string}> {
  const result = await execa('git', args, {cwd, reject: false})
  return {ok: result.exitCode === 0, stdout: String(result.stdout), stderr: String(result.stderr)}
}
