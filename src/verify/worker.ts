// A worker thread of `primitive verify`: runs file-check jobs (src/verify/file-checks.ts) for the main thread.
import {workerData} from 'node:worker_threads'

import {serveTasks} from '../core/threads.js'
import {runFileJob, type FileJob} from './file-checks.js'
import type {VerifyTools} from './types.js'

const {repoRoot, tools} = workerData as {repoRoot: string; tools: VerifyTools}
serveTasks((job: FileJob) => runFileJob(repoRoot, tools, job))
