/**
 * The render cache's keys from git's own blob ids (src/gitops/render/cache.ts `at(root, blobIds)`): a commit read from
 * git objects gives each regular file's blob id, and the key made from them is the key made by hashing the files —
 * so a cache filled either way answers the other, and a link among the inputs is still hashed through.
 */
import {execFileSync} from 'node:child_process'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {RenderCache} from '../../../src/gitops/render/cache.js'
import {readRevision} from '../../../src/gitops/revision/index.js'
import {commitAll, initGitRepo, makeTempDir, runCleanups} from '../../support/tmp.js'
import {edit} from '../../support/diff-repo.js'

afterAll(runCleanups)

describe("render-cache keys from git's blob ids", () => {
  it('equal the keys of the hashed files, for files, CRLF and binary bytes, a missing input and a link', async () => {
    const repo = await makeTempDir('ameide-cache-ids-')
    await initGitRepo(repo)
    await edit(repo, {
      'chart/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 0.1.0\n',
      'chart/templates/cm.yaml': 'kind: ConfigMap\r\ndata: {a: "1"}\r\n',
      'values/prod.yaml': '\u0000\u00ff binary-ish\n',
    })
    execFileSync('ln', ['-s', '../values/prod.yaml', path.join(repo, 'chart/linked.yaml')])
    const head = await commitAll(repo, 'base')
    const revision = await readRevision(repo, head, 'ids')
    try {
      expect(revision.blobIds.get('chart/Chart.yaml')).toMatch(/^[0-9a-f]{40}$/)
      expect(revision.blobIds.has('chart/linked.yaml')).toBe(false)
      const cache = RenderCache.open(repo, 'test', {fresh: true})!
      const inputs = [
        'chart/Chart.yaml',
        'chart/templates/cm.yaml',
        'values/prod.yaml',
        'chart/linked.yaml',
        'gone.yaml',
      ]
      const hashed = cache.at(revision.dir).key('chart', inputs, 'x')
      expect(cache.at(revision.dir, revision.blobIds).key('chart', inputs, 'x')).toBe(hashed)
      // A wrong id is a different key: the ids are what the key is made of.
      const wrong = new Map(revision.blobIds).set('values/prod.yaml', '0'.repeat(40))
      expect(cache.at(revision.dir, wrong).key('chart', inputs, 'x')).not.toBe(hashed)
    } finally {
      await revision.remove()
    }
  })
})
