/** The repository doctor runs in: what it is (monorepo, GitOps checkout), and its ameide.yaml, valid or the error. */
import {readFileSync, statSync} from 'node:fs'
import path from 'node:path'

import {CONFIG_FILE_NAME, DEFAULT_CONFIG, loadConfig, type AmeideConfig} from '../core/config.js'
import {AmeideError} from '../core/errors.js'
import type {ProbedCheck, RepositoryKind} from './types.js'

export interface RepositoryFacts {
  kind: RepositoryKind
  /** The configuration the commands would use (the defaults when ameide.yaml is absent or invalid). */
  config: AmeideConfig
  source: string | null
  check: ProbedCheck
}

const TITLE = 'ameide.yaml'
const FIX = `Fix ${CONFIG_FILE_NAME} at the repository root (keys: docs/configuration.md), then rerun ameide doctor.`

export async function inspectRepository(root: string | null): Promise<RepositoryFacts> {
  if (root === null) {
    return {
      kind: 'none',
      config: DEFAULT_CONFIG,
      source: null,
      check: {
        id: 'config',
        title: TITLE,
        status: 'missing',
        version: null,
        detail: 'not inside a git repository: only this machine is checked',
        fix: 'cd into the monorepo or the GitOps checkout, or pass --repo-root DIR',
      },
    }
  }
  let config = DEFAULT_CONFIG
  let source: string | null = null
  let check: RepositoryFacts['check']
  try {
    ;({config, source} = await loadConfig(root))
    check = {
      id: 'config',
      title: TITLE,
      status: 'ok',
      version: null,
      detail: source
        ? `${source} is valid`
        : `no ${CONFIG_FILE_NAME}: the defaults apply (registry ${config.registry})`,
      fix: null,
    }
  } catch (error) {
    if (!(error instanceof AmeideError)) throw error
    source = CONFIG_FILE_NAME
    check = {id: 'config', title: TITLE, status: 'unusable', version: null, detail: error.message, fix: FIX}
  }
  return {kind: kindOf(root, config), config, source, check}
}

/**
 * A monorepo holds primitives/ or configures a registry in ameide.yaml (where `primitive publish` pushes: publish is
 * configured, so its builder, cosign and SBOM tool are needed); a GitOps checkout sets gitopsPolicy in ameide.yaml or
 * has its overlay folders.
 */
function kindOf(root: string, config: AmeideConfig): RepositoryKind {
  const text = readSafely(path.join(root, CONFIG_FILE_NAME))
  const monorepo = isDir(path.join(root, 'primitives')) || /^registry\s*:/m.test(text)
  const policy = /^gitopsPolicy\s*:/m.test(text)
  const overlays = config.gitopsPolicy.overlays.some((pattern) => {
    const literal = pattern.split('/').filter((s) => s !== '')
    const wild = literal.findIndex((s) => /[*{?[]/.test(s))
    const fixed = wild === -1 ? literal : literal.slice(0, wild)
    return fixed.length > 0 && isDir(path.join(root, ...fixed))
  })
  const gitops = policy || overlays
  return monorepo && gitops ? 'both' : monorepo ? 'monorepo' : gitops ? 'gitops' : 'none'
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory()
  } catch {
    return false
  }
}

/** The file's text when it is a regular file of a sane size (a FIFO would block the read), else ''. */
function readSafely(file: string): string {
  try {
    const info = statSync(file)
    return info.isFile() && info.size <= 1024 * 1024 ? readFileSync(file, 'utf8') : ''
  } catch {
    return ''
  }
}
