/** What a render asks of the render module, and what it answers: one request's commands and the folders they read. */
import type {LimitBreach, ToolLimits} from '../limits.js'
import type {ModuleCommand} from './commands.js'
import {requestTrees, SnapshotTooLarge} from './tree.js'
import type {CommandResult, ModuleRequest} from './worker.js'

export type ModuleRun =
  /** `cpuMs`: the CPU time the render took, as the limit counted it. */
  | {ok: true; results: CommandResult[]; cpuMs: number}
  | {ok: false; limit: LimitBreach; message: string}
  /** `unavailable`: nothing renders it here (no engine installed), not a failure of its inputs. */
  | {ok: false; message: string; unavailable?: true}

/** One request: the commands, and what they may read. */
export interface RenderRequest {
  /** Folders the commands may read: a revision in memory (sent to a thread once), or a folder of the host. */
  roots: string[]
  /** Folders read by this request only (a render's scratch folder). */
  transient?: string[]
  /** Extra files (absolute path → text), e.g. an Application's inline values. */
  files: Record<string, string>
  cwd: string
  /** The commands (./commands.ts); the next runs only if this one succeeded. */
  commands: ModuleCommand[]
  /**
   * What the thread keeps for the next request with the same key (a frozen chart folder: the files its loader read,
   * go/chart_files.go): a thread that holds it is preferred.
   */
  affinity?: string
}

/** One request to a thread that holds trees (./tree.ts): the trees it lacks sent with it, then its answer. */
export async function askThread(
  thread: {held: Set<string>; ask(request: ModuleRequest, limits: ToolLimits): Promise<ModuleRun>},
  request: RenderRequest,
  limits: ToolLimits,
): Promise<ModuleRun> {
  const {roots, transient, affinity: _, ...rest} = request
  let trees: ReturnType<typeof requestTrees>
  try {
    trees = requestTrees({roots, transient}, thread.held)
  } catch (error) {
    const message = `the render's files could not be read: ${(error as Error).message}`
    // A tree past the limits is what the inputs are; any other error is this process's, not the inputs': it says
    // nothing a cache may keep, and the next run reads them again.
    return error instanceof SnapshotTooLarge ? {ok: false, message} : {ok: false, message, unavailable: true}
  }
  return thread.ask({...rest, ...trees, id: 0, outputLimit: limits.outputBytes, objectLimit: limits.objects}, limits)
}
