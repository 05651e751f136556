/**
 * The second kept step (issue 97): an Application's resolved sources — its override files merged, its value files
 * resolved, the Helm, kustomize or directory deployable it makes (../argocd/application/sources.ts) — keyed by the
 * Application as given (its name, spec, file and line; for a generated one, what its ApplicationSet made) and this
 * build of the step, kept with the reads it recorded (./source-reads.ts) beside the expansions (./steps.ts: in memory
 * for the process, and in the stores attached while a command runs). A kept result is reused only when every recorded
 * read answers the same of the revision read now; so a pull request re-resolves only the Applications whose reads it
 * changed.
 */
import {createHash} from 'node:crypto'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import type {ApplicationDeployables} from '../argocd/application/folder-sources.js'
import {applicationDeployables} from '../argocd/application/sources.js'
import type {DeployablesContext} from '../model/context.js'
import type {ArgoApplication} from '../model/types.js'
import {fromKeptSources, keptSourcesText} from './kept-sources.js'
import {NotKept, recordSources, sourcesHold, type SourceAnswers} from './source-reads.js'
import {keep, keptFor} from './steps.js'

const FORMAT = 'ameide-step/application-sources/1'

/** This build of the step: the file this module was loaded from (in the bundle, a chunk named by its content's hash). */
const SOURCES_BUILD = path.basename(fileURLToPath(import.meta.url))

/** The answers of one revision's context (every Application of it asks many of the same). */
const askedOf = new WeakMap<DeployablesContext, SourceAnswers>()

/** `applicationDeployables(app, ctx)`, a kept result when its reads still hold. */
export function keptSources(app: ArgoApplication, ctx: DeployablesContext): ApplicationDeployables {
  const key = sourcesKey(app)
  if (key === undefined) return applicationDeployables(app, ctx)
  let asked = askedOf.get(ctx)
  if (asked === undefined) askedOf.set(ctx, (asked = new Map()))
  for (const kept of keptFor(key)) {
    if (!sourcesHold(kept.reads, ctx, app, asked)) continue
    const result = fromKeptSources(kept.result, ctx)
    if (result === undefined) continue
    keep(key, kept)
    return result
  }
  const recording = recordSources(ctx, app)
  let fresh: ApplicationDeployables
  try {
    fresh = applicationDeployables(recording.app, recording.ctx)
  } catch (e) {
    if (e instanceof NotKept) return applicationDeployables(app, ctx)
    throw e
  }
  const reads = recording.stop()
  // Another tree was asked for (and its refusal caught on the way): read again, unrecorded, and not kept.
  if (recording.notKept) return applicationDeployables(app, ctx)
  const text = keptSourcesText(fresh)
  if (text !== undefined) keep(key, {reads, result: text})
  return fresh
}

/** The key of an Application's sources: the Application as given (but its lines, recorded as reads) and this build. */
function sourcesKey(app: ArgoApplication): string | undefined {
  const {lineOf: _, ...given} = app
  let text: string
  try {
    text = JSON.stringify(given)
  } catch {
    return undefined
  }
  return createHash('sha256').update([FORMAT, SOURCES_BUILD, text].join('\0')).digest('hex')
}
