// A worker thread of `gitops verify`: runs chunks of per-file tasks (src/gitops/verify/scan.ts) for the main thread.
import {workerData} from 'node:worker_threads'

import {serveTasks} from '../../core/threads.js'
import {scanFiles, type FileTask, type ScanOptions} from './scan.js'

const options = workerData as ScanOptions
serveTasks((tasks: FileTask[]) => scanFiles(options, tasks))
