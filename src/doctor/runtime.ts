/** The runtime every command needs: Node.js (the one running ameide) and git. */
import {readFileSync} from 'node:fs'

import {packagePath} from '../core/package-root.js'
import {compareVersions, probe} from './probe.js'
import type {ProbedCheck} from './types.js'

type Line = ProbedCheck

/** package.json's engines.node (`>=22.12`) as a version. */
function enginesMinimum(): string {
  const pkg = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as {engines?: {node?: string}}
  return /(\d+\.\d+(?:\.\d+)?)/.exec(pkg.engines?.node ?? '')?.[1] ?? '22.12'
}

/** The Node.js running ameide (bin/run.js has already refused an older one; a second `node` on PATH is not ours). */
export function checkNode(): Line {
  const min = enginesMinimum()
  const version = process.versions.node
  const ok = compareVersions(version, min) >= 0
  return {
    id: 'node',
    title: 'Node.js',
    status: ok ? 'ok' : 'unusable',
    version,
    detail: `${version} at ${process.execPath} (ameide needs ${min} or newer)`,
    fix: ok ? null : 'Install a current Node.js LTS (22, 24 or 26) from https://nodejs.org',
  }
}

export async function checkGit(env: Record<string, string | undefined>): Promise<Line> {
  const found = await probe('git', ['--version'], {env})
  return {
    id: 'git',
    title: 'git',
    ...found,
    fix: found.status === 'ok' ? null : 'apt-get install --no-install-recommends git (macOS: xcode-select --install)',
  }
}
