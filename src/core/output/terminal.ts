/**
 * What the terminal allows: spinners only when stderr is a TTY, not in --json, not under CI; colour
 * only on a TTY and never with NO_COLOR; prompts never when stdin is not a TTY.
 */
export interface TerminalFacts {
  stdoutIsTTY: boolean
  stderrIsTTY: boolean
  stdinIsTTY: boolean
  env: NodeJS.ProcessEnv
}

export function currentTerminal(): TerminalFacts {
  return {
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    stdinIsTTY: Boolean(process.stdin.isTTY),
    env: process.env,
  }
}

export function isCI(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.CI && env.CI !== 'false' && env.CI !== '0') || env.GITHUB_ACTIONS === 'true'
}

export function colorEnabled(facts: TerminalFacts, stream: 'stdout' | 'stderr'): boolean {
  if (facts.env.NO_COLOR !== undefined && facts.env.NO_COLOR !== '') return false
  if (facts.env.FORCE_COLOR && facts.env.FORCE_COLOR !== '0') return true
  return stream === 'stdout' ? facts.stdoutIsTTY : facts.stderrIsTTY
}

export function spinnersEnabled(facts: TerminalFacts, json: boolean): boolean {
  return !json && facts.stderrIsTTY && !isCI(facts.env)
}

export function promptsAllowed(facts: TerminalFacts, json: boolean): boolean {
  return !json && facts.stdinIsTTY && facts.stderrIsTTY && !isCI(facts.env)
}
