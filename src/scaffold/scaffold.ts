import {realpath} from 'node:fs/promises'
import path from 'node:path'

import {loadConfig} from '../core/config.js'
import {usageError} from '../core/errors.js'
import {parseKind, parseLanguage, parseName, type Language, type Kind} from '../primitives/kinds.js'
import {applyScaffold} from './apply.js'
import {baseImages} from './base-images.js'
import {planScaffold, type FileAction} from './plan.js'

export interface ScaffoldInput {
  kind: Kind
  name: string
  language: Language
}

export interface ScaffoldRequest extends ScaffoldInput {
  repoRoot: string
  dryRun: boolean
  /** Tests only: pause in the middle of each file write (ms). */
  slowWriteMs?: number
}

/** Validates the user's kind, name and language (exit 2 on any problem); touches nothing. */
export function parseScaffoldInput(raw: {kind: string; name: string; lang?: string}): ScaffoldInput {
  const kind = parseKind(raw.kind)
  return {kind, name: parseName(raw.name), language: parseLanguage(kind, raw.lang)}
}

/** The `--json` result of `ameide primitive scaffold` (schemas/scaffold.schema.json). */
export interface ScaffoldResult {
  kind: Kind
  name: string
  language: Language
  path: string
  dryRun: boolean
  files: {path: string; action: FileAction}[]
  nextSteps: string[]
}

/** Plans the files and, unless a dry run, writes the missing ones. */
export async function scaffoldPrimitive(request: ScaffoldRequest): Promise<ScaffoldResult> {
  const {kind, name, language} = request

  const {config} = await loadConfig(request.repoRoot)
  const plan = await planScaffold(request.repoRoot, kind, name, baseImages(config.scaffold.baseImages))
  await assertInsideRepo(request.repoRoot, plan.path)
  const files = request.dryRun ? plan.files : await applyScaffold(request.repoRoot, plan, request.slowWriteMs)

  return {
    kind,
    name,
    language,
    path: plan.path,
    dryRun: request.dryRun,
    files: files.map((f) => ({path: f.path, action: f.action})),
    nextSteps: plan.nextSteps,
  }
}

/** Refuses to write through a symlinked `primitives/…` folder that leads outside the repository. */
async function assertInsideRepo(repoRoot: string, relative: string): Promise<void> {
  const root = await realpath(repoRoot)
  let probe = path.join(repoRoot, relative)
  for (;;) {
    const resolved = await realpath(probe).catch(() => null)
    if (resolved !== null) {
      if (resolved !== root && !resolved.startsWith(root + path.sep)) {
        throw usageError('PATH_OUTSIDE_REPOSITORY', `${relative} resolves outside the repository (${resolved}).`, [
          'Remove the symlink, or scaffold into a repository whose primitives/ folder is inside it.',
        ])
      }
      return
    }
    probe = path.dirname(probe)
  }
}
