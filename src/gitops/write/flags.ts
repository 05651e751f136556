/**
 * The flags of an overlay write (gitops set-image, gitops promote), owned here so both commands show the same ones:
 * the checkout, `--dry-run`, and `--require-all` (an image with no reference where the write goes stops it).
 */
import {Flags} from '@oclif/core'

import {GITOPS_ROOT_FLAG} from '../flags/index.js'

/** The write's flags; `target` names where it writes in `--require-all`'s help (`--to`, `the environment`). */
export const writeFlags = (target: string) => ({
  ...GITOPS_ROOT_FLAG,
  'dry-run': Flags.boolean({description: 'Print the diff; write nothing.', default: false}),
  'require-all': Flags.boolean({
    description: `Exit 1 (IMAGES_NOT_WIRED) before any write when an image has no reference in ${target}.`,
    default: false,
  }),
})
