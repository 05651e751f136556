import {accessSync, constants} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

/** Repository root (this file lives in <root>/test/support). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** Project-local tool dir filled by scripts/ci/install-toolchain.sh (gitignored). */
export const TOOLS_DIR = process.env.AMEIDE_TOOLS_DIR ?? path.join(REPO_ROOT, '.tools')

/**
 * The cosign a test run uses: Debian's cosign 2.5 in .tools/bin by default; cosign 3 (.tools/cosign3/bin, first on
 * every PATH the tests build) in the `cosign 3` project of vitest.config.ts, which sets AMEIDE_TEST_COSIGN=3.
 */
export const COSIGN_UNDER_TEST: 2 | 3 = process.env.AMEIDE_TEST_COSIGN === '3' ? 3 : 2
export const COSIGN3_DIR = path.join(TOOLS_DIR, 'cosign3', 'bin')

/** Where install-toolchain.sh puts tools that are not apt packages: cosign, oras (bin) and cdxgen (npm prefix). */
export const PROJECT_TOOL_DIRS: readonly string[] = [
  ...(COSIGN_UNDER_TEST === 3 ? [COSIGN3_DIR] : []),
  path.join(TOOLS_DIR, 'bin'),
  path.join(TOOLS_DIR, 'cdxgen', 'node_modules', '.bin'),
]

export const INSTALL_SCRIPT = 'scripts/ci/install-toolchain.sh'

/** Thrown when a tool the tests need is not installed. Tests must fail (not skip) on a missing tool. */
export class MissingToolError extends Error {
  constructor(
    readonly tool: string,
    searched: readonly string[],
  ) {
    super(
      `Required tool "${tool}" was not found (searched ${searched.join(':')}).\n` +
        `Install the test toolchain as root:  bash ${INSTALL_SCRIPT}\n` +
        `then re-run the tests (the helpers find .tools/bin by themselves; see docs/toolchain.md).`,
    )
    this.name = 'MissingToolError'
  }
}

const resolved = new Map<string, string>()

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** The search path: project tool dirs first, then the inherited PATH. */
export function toolPath(basePath: string | undefined = process.env.PATH): string {
  return [...PROJECT_TOOL_DIRS, ...(basePath ?? '').split(path.delimiter).filter(Boolean)].join(path.delimiter)
}

/**
 * Absolute path of an executable from .tools/bin, .tools/cdxgen/node_modules/.bin or PATH.
 * Throws MissingToolError (naming the install script) when it is not there.
 */
export function requireTool(name: string): string {
  const cached = resolved.get(name)
  if (cached) return cached
  // The cosign 3 project must run cosign 3: never the cosign 2 behind it.
  const dirs = name === 'cosign' && COSIGN_UNDER_TEST === 3 ? [COSIGN3_DIR] : toolPath().split(path.delimiter)
  for (const dir of dirs) {
    const candidate = path.join(dir, name)
    if (isExecutable(candidate)) {
      resolved.set(name, candidate)
      return candidate
    }
  }
  throw new MissingToolError(name, dirs)
}

/** Resolves several tools at once, so a test fails early with the first missing one. */
export function requireTools(...names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [name, requireTool(name)]))
}

/** process.env (or `base`) with PATH extended by the project tool dirs, plus `extra`. */
export function toolEnv(
  extra: Record<string, string | undefined> = {},
  base: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries({...base, ...extra})) if (value !== undefined) env[key] = value
  env.PATH = toolPath(base.PATH)
  return env
}
