/**
 * Which refs count as the revision under review besides the branch checked out: the branches a GitHub Actions job
 * reviews (a pull request's base and head, a push's branch; never a tag's name), and outside a git clone no ref is a
 * pin (the folder is what is read).
 */
import {afterAll, describe, expect, it} from 'vitest'

import {reviewedBranches} from '../../../src/effects/actions.js'
import {pinnedRevisions} from '../../../src/gitops/revision/pinned.js'
import {makeTempDir, runCleanups} from '../../support/tmp.js'

afterAll(runCleanups)

const job = (env: Record<string, string>) => ({GITHUB_ACTIONS: 'true', ...env})

describe('reviewedBranches', () => {
  it("a pull request's base and head; a push's branch; nothing for a tag, another event or outside Actions", () => {
    const pr = {GITHUB_BASE_REF: 'main', GITHUB_HEAD_REF: 'feature/x', GITHUB_REF_NAME: '7/merge'}
    expect(reviewedBranches(job({GITHUB_EVENT_NAME: 'pull_request', ...pr}))).toEqual(['main', 'feature/x'])
    expect(reviewedBranches(job({GITHUB_EVENT_NAME: 'pull_request_target', ...pr}))).toEqual(['main', 'feature/x'])
    const push = {GITHUB_EVENT_NAME: 'push', GITHUB_REF_NAME: 'release-1', GITHUB_REF_TYPE: 'branch'}
    expect(reviewedBranches(job(push))).toEqual(['release-1'])
    expect(reviewedBranches(job({...push, GITHUB_REF_NAME: 'v1.2.0', GITHUB_REF_TYPE: 'tag'}))).toEqual([])
    expect(reviewedBranches(job({GITHUB_EVENT_NAME: 'schedule', GITHUB_REF_NAME: 'main'}))).toEqual([])
    expect(reviewedBranches({GITHUB_EVENT_NAME: 'pull_request', ...pr})).toEqual([])
    expect(
      reviewedBranches(job({GITHUB_EVENT_NAME: 'pull_request', GITHUB_BASE_REF: 'main', GITHUB_HEAD_REF: ''})),
    ).toEqual(['main'])
  })
})

describe('pinnedRevisions outside a git clone', () => {
  it('pins nothing: a tag, a branch or a commit names no other revision of a plain folder', async () => {
    const pinned = await pinnedRevisions(await makeTempDir('ameide-plain-'), [])
    for (const ref of ['v1', 'release', '0123456789abcdef0123456789abcdef01234567', '1.*'])
      expect(pinned(ref)).toBe(undefined)
  })
})
