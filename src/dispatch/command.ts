/**
 * What the two dispatching commands share above the pipeline: the flags with one meaning in both, and running a
 * dispatch with its progress display, the exit code of a failed run and the human output.
 */
import {Flags} from '@oclif/core'

import {API_URL_FLAG} from '../core/api-url-flag.js'
import {AmeideCommand} from '../core/base-command.js'
import {cancelOnTerm} from '../core/cancel-on-term.js'
import {formatDispatch} from './format.js'
import {dispatchProgress} from './target.js'
import {runFailed, type DispatchDeps, type DispatchOutcome, type DispatchResult, type Emit} from './types.js'

export const DISPATCH_FLAGS = {
  repo: Flags.string({
    description: 'GitOps repository. Default: gitops.repository in ameide.yaml, else ameideio/ameide-gitops.',
    helpValue: 'OWNER/NAME',
  }),
  ref: Flags.string({
    description: 'Branch the workflow runs on. Default: gitops.ref, else main.',
    helpValue: 'BRANCH',
  }),
  timeout: Flags.string({description: 'Longest --wait, e.g. 90s, 15m, 1h.', default: '30m', helpValue: 'DURATION'}),
  'api-url': API_URL_FLAG,
  'dry-run': Flags.boolean({description: 'Validate and print the exact request; send nothing.', default: false}),
}

export abstract class DispatchCommand extends AmeideCommand<DispatchResult> {
  /**
   * Runs `start` with progress lines (and, with --wait, the run's status); exit 1 when the run failed. Under
   * `ameide mcp` a cancelled call (SIGTERM) ends the process at once until the dispatch is sent, then cancels through
   * `signal`: the dispatch request is answered whole, the follow stops, the call ends CANCELLED naming the run.
   */
  protected async dispatchAndShow(
    wait: boolean,
    start: (deps: Required<Pick<DispatchDeps, 'onEvent' | 'signal'>>) => Promise<DispatchOutcome>,
  ): Promise<DispatchResult> {
    const progress = await this.progress()
    const termination = cancelOnTerm()
    const show = dispatchProgress(progress, wait)
    const onEvent: Emit = (event) => {
      if (event.type === 'dispatching') termination.writing()
      show(event)
    }
    const outcome = await start({onEvent, signal: termination.signal}).finally(() => {
      progress.stop()
      termination.release()
    })
    const {result} = outcome
    if (runFailed(result)) this.setExitCode(1)
    if (!this.jsonEnabled()) this.log(formatDispatch(result, outcome.request, this.style))
    return result
  }
}
