/**
 * The sandbox every renderer of a revision runs in (helm, kustomize): on Linux, bubblewrap — new user, mount, PID,
 * network, IPC and UTS namespaces, in which the only things that exist are the system's libraries (`/usr`, read-only),
 * the tool's own binary, the folders a call names read-only (the materialised revision, the render's wrapper) and its
 * private writable home, with a fresh `/proc`, `/dev` and `/tmp`. No `$HOME`, no checkout, no `.git`, no other
 * process, no network (not even DNS): whatever path or host a revision makes a tool ask for does not exist there.
 * Limits come with it (./limits.ts). This module only probes and builds the command line; effects/tools.ts runs it.
 */
import {existsSync, realpathSync} from 'node:fs'
import path from 'node:path'

/** What this machine offers. `none`: the reason it cannot sandbox and the command that would fix it. */
export type SandboxProbe =
  | {available: true; kind: 'bubblewrap'; binary: string; version: string}
  | {available: false; kind: 'none'; reason: string; fix: string}

/** What one sandboxed call may see: folders bound read-only at the same path, and folders it may write. */
export interface SandboxPaths {
  readOnly: readonly string[]
  writable: readonly string[]
}

/**
 * How a command treats the sandbox: `required` when the revision is untrusted (a commit, `--untrusted`, a pull
 * request's CI job): no sandbox means no tool run. Otherwise it is used when available.
 */
export interface Confinement {
  required: boolean
  sandbox: Promise<SandboxProbe>
}

/** The environment variables that make a run untrusted: a pull request's CI job, or the explicit switch. */
export function untrustedByEnvironment(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.AMEIDE_UNTRUSTED === '1' || env.AMEIDE_UNTRUSTED === 'true') return true
  return env.GITHUB_ACTIONS === 'true' && /^pull_request/.test(env.GITHUB_EVENT_NAME ?? '')
}

export const SANDBOX_FIX = {
  missing: 'apt-get install bubblewrap (Debian, Ubuntu; dnf install bubblewrap on Fedora)',
  userns:
    'Allow unprivileged user namespaces for bwrap: on Ubuntu 24.04 load an AppArmor profile granting `userns` to /usr/bin/bwrap (scripts/action/sandbox.sh does it on GitHub runners), or sysctl -w kernel.unprivileged_userns_clone=1',
  platform: 'Run ameide on Linux with bubblewrap (a container or CI runner) to render untrusted revisions',
} as const

let probed: Promise<SandboxProbe> | undefined

/** Probes once per process: bubblewrap on PATH that can make its namespaces here (it runs `true` inside). */
export function probeSandbox(): Promise<SandboxProbe> {
  probed ??= probe()
  return probed
}

/** For tests: forget the remembered probe. */
export function resetSandboxProbe(): void {
  probed = undefined
}

async function probe(): Promise<SandboxProbe> {
  if (process.platform !== 'linux')
    return {
      available: false,
      kind: 'none',
      reason: `no sandbox on ${process.platform}: ameide sandboxes its renderers with bubblewrap, on Linux only`,
      fix: SANDBOX_FIX.platform,
    }
  // AMEIDE_BWRAP names the bwrap to use (the job's setting, never the revision's); else the one on PATH.
  const configured = process.env.AMEIDE_BWRAP
  const binary = configured ? (existsSync(configured) ? configured : undefined) : findOnPath('bwrap')
  if (!binary)
    return {available: false, kind: 'none', reason: 'bubblewrap (bwrap) is not on PATH', fix: SANDBOX_FIX.missing}
  const {execFile} = await import('node:child_process')
  const run = (args: string[]) =>
    new Promise<{ok: boolean; out: string}>((resolve) => {
      execFile(binary, args, {env: {PATH: '/usr/bin:/bin'}, timeout: 10_000}, (error, stdout, stderr) =>
        resolve({ok: !error, out: `${String(stdout)}${String(stderr)}`.trim()}),
      )
    })
  const [version, tried] = await Promise.all([
    run(['--version']),
    run([...baseArgs({readOnly: [], writable: []}, {}), '--', '/usr/bin/true']),
  ])
  if (!tried.ok)
    return {
      available: false,
      kind: 'none',
      reason: `bubblewrap cannot make its namespaces here: ${tried.out.split('\n')[0] || 'it failed'}`,
      fix: SANDBOX_FIX.userns,
    }
  return {available: true, kind: 'bubblewrap', binary, version: version.out.replace(/^bubblewrap\s+/, '') || 'unknown'}
}

/** The file `name` runs as (a path as it is; a name found on PATH), or undefined. */
export function findOnPath(name: string): string | undefined {
  if (name.includes('/')) return existsSync(name) ? path.resolve(name) : undefined
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name)
    if (existsSync(candidate)) return candidate
  }
  for (const dir of ['/usr/bin', '/bin']) if (existsSync(path.join(dir, name))) return path.join(dir, name)
  return undefined
}

/** The system folders a tool may read: `/usr`, and the merged-/usr links (or folders) at the root. */
function systemArgs(): string[] {
  const args = ['--ro-bind', '/usr', '/usr']
  for (const top of ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']) {
    let target: string | undefined
    try {
      target = realpathSync(top)
    } catch {
      continue // not on this system
    }
    if (target === top) args.push('--ro-bind', top, top)
    else if (target.startsWith('/usr/')) args.push('--symlink', `usr/${target.slice('/usr/'.length)}`, top)
  }
  // The dynamic loader's cache; nothing else of /etc (no passwd, no resolv.conf, no credentials).
  if (existsSync('/etc/ld.so.cache')) args.push('--ro-bind', '/etc/ld.so.cache', '/etc/ld.so.cache')
  return args
}

/** bwrap's arguments up to (not including) `--` and the command: namespaces, the system, the call's folders. */
function baseArgs(paths: SandboxPaths, env: Record<string, string>, cwd?: string): string[] {
  const args = [
    '--unshare-all',
    '--die-with-parent',
    '--new-session',
    '--clearenv',
    ...systemArgs(),
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--tmpfs',
    '/tmp',
  ]
  // Parents before children, whichever kind: a folder bound later is not hidden by one bound over it.
  const binds = [
    ...paths.readOnly.map((p) => ['--ro-bind', p] as const),
    ...paths.writable.map((p) => ['--bind', p] as const),
  ].sort((a, b) => a[1].length - b[1].length)
  for (const [flag, p] of binds) args.push(flag, p, p)
  for (const [k, v] of Object.entries(env)) args.push('--setenv', k, v)
  if (cwd) args.push('--chdir', cwd)
  return args
}

/**
 * The command line that runs `binary args` in the sandbox: the binary resolved to its real file and bound read-only
 * beside the call's folders. Folders are bound at their real paths (and at the path given, when a link leads there).
 */
export function sandboxed(
  sandbox: Extract<SandboxProbe, {available: true}>,
  binary: string,
  args: readonly string[],
  options: {paths: SandboxPaths; env: Record<string, string>; cwd?: string},
): {file: string; args: string[]} {
  const tool = realpathSync(binary)
  // A folder given through a link is bound at both paths.
  const real = (list: readonly string[]) => [...new Set(list.flatMap((p) => [realpathSync(p), path.resolve(p)]))]
  const readOnly = real(options.paths.readOnly).filter((p) => p !== '/' && p !== '/usr' && !p.startsWith('/usr/'))
  const writable = real(options.paths.writable)
  const toolArgs = tool.startsWith('/usr/') ? [] : ['--ro-bind', tool, tool]
  return {
    file: sandbox.binary,
    args: [...baseArgs({readOnly, writable}, options.env, options.cwd), ...toolArgs, '--', tool, ...args],
  }
}

/**
 * The sandbox of one renderer call that reads `readOnly`: `{}` to run it unconfined (no sandbox here, none
 * required), the sandbox to run it in, or why it must not run at all (required, none available).
 */
export async function sandboxFor(
  confinement: Confinement | undefined,
  readOnly: readonly string[],
): Promise<{sandbox?: {probe: Extract<SandboxProbe, {available: true}>; paths: SandboxPaths}} | {unavailable: string}> {
  if (!confinement) return {}
  const probe = await confinement.sandbox
  if (probe.available) return {sandbox: {probe, paths: {readOnly, writable: []}}}
  if (!confinement.required) return {}
  return {
    unavailable: `the revision is untrusted and no sandbox can be made here (${probe.reason}), so no tool reads it; fix: ${probe.fix}`,
  }
}
