import {execa} from 'execa'
import {fileURLToPath} from 'node:url'

/** The built CLI entry point; tests run the real binary as a subprocess, as users and CI do. */
export const CLI = fileURLToPath(new URL('../../bin/run.js', import.meta.url))

export interface CliRun {
  stdout: string
  stderr: string
  exitCode: number
  /** stdout parsed as JSON (throws if it is not exactly one JSON document). */
  json<T = any>(): T
}

export interface CliOptions {
  cwd?: string
  env?: Record<string, string | undefined>
  /** Replace the environment entirely instead of extending process.env. */
  extendEnv?: boolean
  input?: string
  timeoutMs?: number
  /** Another build's bin/run.js (default: this checkout's, {@link CLI}). */
  cli?: string
  /** A launcher that execs its arguments (`<launcher> node bin/run.js …`), e.g. one that confines the process. */
  launcher?: string
}

/** Runs `ameide <args>` and never throws on a non-zero exit. NO_COLOR and CI are set unless overridden. */
export async function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  const argv = [process.execPath, options.cli ?? CLI, ...args]
  const result = await execa(options.launcher ?? argv[0]!, options.launcher ? argv : argv.slice(1), {
    cwd: options.cwd,
    env: {NO_COLOR: '1', CI: 'true', ...options.env},
    extendEnv: options.extendEnv ?? true,
    input: options.input,
    reject: false,
    timeout: options.timeoutMs ?? 120_000,
  })
  const stdout = String(result.stdout)
  return {
    stdout,
    stderr: String(result.stderr),
    exitCode: result.exitCode ?? -1,
    json: () => JSON.parse(stdout),
  }
}
