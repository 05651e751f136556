/**
 * Exit codes shared by every command. They are part of the public contract: agents and CI
 * branch on them, so a value never changes meaning.
 */
export const ExitCode = {
  /** The command did what was asked. */
  Success: 0,
  /** The command ran and found or met a failure (checks failed, a component failed, a run failed). */
  Failure: 1,
  /** Invalid usage or input: a bad flag, an invalid name, an unknown kind. */
  Usage: 2,
  /** A missing prerequisite, configuration or credential: a tool, a git repository, a token, a permission. */
  Prerequisite: 3,
  /** A remote service (registry, GitHub) kept failing after retries, or a wait timed out. */
  Remote: 4,
} as const

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

/** The exit-code table printed in every command's help. */
export const EXIT_CODES_HELP = [
  '0  success',
  '1  the command ran and found or met a failure',
  '2  invalid usage or input (bad flag, invalid name, unknown kind)',
  '3  missing prerequisite, configuration or credentials',
  '4  a remote service kept failing after retries (registry, GitHub), or a wait timed out',
].join('\n')
