/**
 * What the two dispatching commands share above the pipeline: the flags with one meaning in both, and running a
 * dispatch with its progress display, the exit code of a failed run and the human output.
 */
import {Flags} from '@oclif/core'

import {API_URL_FLAG} from '../core/api-url-flag.js'
import {AmeideCommand} from '../core/base-command.js'
import {formatDispatch} from './format.js'
import {dispatchProgress} from './target.js'
import {runFailed, type DispatchOutcome, type DispatchResult, type Emit} from './types.js'

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
  /** Runs `start` with progress lines (and, with --wait, the run's status); exit 1 when the run failed. */
  protected async dispatchAndShow(
    wait: boolean,
    start: (onEvent: Emit) => Promise<DispatchOutcome>,
  ): Promise<DispatchResult> {
    const progress = await this.progress()
    try {
      const outcome = await start(dispatchProgress(progress, wait))
      progress.stop()
      const {result} = outcome
      if (runFailed(result)) this.setExitCode(1)
      if (!this.jsonEnabled()) this.log(formatDispatch(result, outcome.request, this.style))
      return result
    } catch (error) {
      progress.stop()
      throw error
    }
  }
}
