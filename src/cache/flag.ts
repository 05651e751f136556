/**
 * The `--cache` flag of the commands that keep results in the checkout's git directory (./store.ts): on unless
 * `--no-cache`; each command says what it keeps and what `--no-cache` does.
 */
import {Flags} from '@oclif/core'

export const cacheFlag = (description: string) => Flags.boolean({description, default: true, allowNo: true})
