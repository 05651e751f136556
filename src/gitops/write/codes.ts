/** The error codes a GitOps overlay write can raise (set-image, promote), for the commands' help. */
import {GITOPS_ROOT_CODES} from '../flags/index.js'

export const WRITE_ERROR_CODES = {
  INVALID_IMAGE_REF: 'a ref is not <repository>:<tag>@sha256:<64 hex>, or carries a floating tag',
  CONFLICTING_REFS: 'two different refs for one repository',
  INVALID_ENVIRONMENT: 'an environment name is not a lowercase DNS label',
  ENVIRONMENT_NOT_FOUND: 'the environment overlay holds no YAML file',
  OVERLAY_NOT_YAML: 'a file of the overlay does not parse (nothing written)',
  AMBIGUOUS_REFERENCE: 'a reference written with escapes or as a block string (nothing written)',
  AMBIGUOUS_SOURCE: 'promote: the source overlay holds two refs for one repository',
  REWRITE_CHECK_FAILED: 'an edited file did not read back as planned (nothing written)',
  FILE_CHANGED: 'a file changed between planning and writing (nothing written)',
  UNSAFE_PATH: 'a target is a symbolic link or lies outside the repository (nothing written)',
  FILE_NOT_WRITABLE: 'a target file or its folder is not writable (nothing written)',
  CHECKOUT_LOCKED: 'another writer held the checkout longer than ameide waits (nothing written)',
  INTERRUPTED_WRITE_CONFLICT:
    'an interrupted write cannot be finished: a file it names was edited since (nothing written)',
  IMAGES_NOT_WIRED: '--require-all and an image has no reference in the environment (nothing written)',
  ...GITOPS_ROOT_CODES,
  CONFIG_INVALID: "the GitOps repository's ameide.yaml is invalid",
}
