/**
 * One comment kept current: `gitops diff --markdown-parts` and scripts/action/comment.mjs against the fake GitHub
 * (every request checked against GitHub's OpenAPI description), with a `pull_request` job's token permissions
 * (contents: read, pull-requests: write). Two pushes leave one comment, updated in place; a head that changes nothing
 * more says "No change"; a diff over GitHub's limit arrives whole in several marked comments, and a smaller one
 * deletes the surplus; another author's comment with the marker is never touched; a read-only token is refused with
 * the permission named.
 */
import {execa} from 'execa'
import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {renderMarkdownParts} from '../../../src/gitops/diff/markdown-parts.js'
import {COMMENT_LIMIT} from '../../../src/gitops/diff/markdown.js'
import type {GitopsDiffResult} from '../../../src/gitops/diff/types.js'
import {diffJson, edit, prRepo} from '../../support/diff-repo.js'
import {bigResult} from '../../support/diff-result.js'
import type {JobPermissions} from '../../support/github-comments.js'
import {startFakeGitHub, type FakeGitHub} from '../../support/github-server.js'
import {commitAll, makeTempDir, runCleanups} from '../../support/tmp.js'
import {requireTool, toolEnv} from '../../support/toolchain.js'

const SCRIPT = fileURLToPath(new URL('../../../scripts/action/comment.mjs', import.meta.url))
const TOKEN = 'ghs_job_token_0123456789abcdef'
const BOT = 'github-actions[bot]'
const PR = 7
const E = 'e'.repeat(64)
const PULL_REQUEST_JOB: JobPermissions = {contents: 'read', 'pull-requests': 'write'}

const servers: FakeGitHub[] = []
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()))
  await runCleanups()
})

let env: Record<string, string | undefined>
beforeAll(() => {
  requireTool('helm')
  env = toolEnv()
})

async function github(permissions = PULL_REQUEST_JOB) {
  const server = await startFakeGitHub({token: TOKEN, login: BOT, jobPermissions: permissions})
  servers.push(server)
  return server
}

const comment = (server: FakeGitHub, dir: string, args: string[] = []) =>
  execa(process.execPath, [SCRIPT, '--pr', String(PR), '--dir', dir, ...args], {
    reject: false,
    env: {
      GITHUB_TOKEN: TOKEN,
      GITHUB_API_URL: server.url,
      GITHUB_REPOSITORY: `${server.owner}/${server.repo}`,
      GH_TOKEN: '',
    },
  })

const ours = (server: FakeGitHub) => server.comments.comments.filter((c) => c.login === BOT)

async function writeParts(parts: string[]): Promise<string> {
  const dir = await makeTempDir('ameide-comment-parts-')
  await mkdir(dir, {recursive: true})
  for (const [i, p] of parts.entries()) await writeFile(path.join(dir, `comment-${i + 1}.md`), p)
  return dir
}

describe('the pull-request comment kept current', () => {
  it('splits a diff over the limit into comments that hold all of it', () => {
    const parts = renderMarkdownParts(bigResult(30, 120))
    expect(parts.length).toBeGreaterThan(2)
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(COMMENT_LIMIT - 400)
    const all = parts.join('')
    for (let i = 0; i < 30; i++) for (const l of [0, 119]) expect(all).toContain(`key-${i}-${l}: `)
    expect(parts[1]).toMatch(/^## ameide gitops diff \(continued\)/)
    expect(parts.at(-1)).toContain(`part ${parts.length} of ${parts.length}`)
    // One deployable longer than a comment is split at lines into folded parts, none lost.
    const huge = renderMarkdownParts(bigResult(1, 2000))
    expect(huge.length).toBeGreaterThan(1)
    for (let l = 0; l < 2000; l++) expect(huge.join('')).toContain(`key-0-${l}: `)
  })

  it('two pushes leave one comment, updated; "No change" when the head changes nothing more', async () => {
    const server = await github()
    // Another author's comment carrying the marker is not ours: never edited.
    const decoy = server.comments.seed(PR, '<!-- ameide-gitops-diff key=. part=1 -->\nhello', 'someone')
    const repo = await prRepo({
      'sources/values/env/dev/apps/web/values.yaml': 'image:\n  ref: ghcr.io/acme/web:1.5.0\n',
    })
    const dir = path.join(repo, '..', 'parts')
    const diff = () =>
      diffJson<GitopsDiffResult>(repo, env, ['--base', 'main', '--head', 'HEAD', '--markdown-parts', dir])
    const first = await diff()
    expect(first.result.summary).toBe('changed')
    expect(first.result.markdownParts?.files).toEqual([path.join(dir, 'comment-1.md')])
    expect((await comment(server, dir)).exitCode).toBe(0)
    expect(ours(server)).toHaveLength(1)
    expect(ours(server)[0].body).toMatch(/^<!-- ameide-gitops-diff key=\. part=1 -->\n## ameide gitops diff/)
    expect(ours(server)[0].body).toContain('ghcr.io/acme/web:1.5.0')

    await edit(repo, {
      'sources/values/env/dev/apps/web/values.yaml': `image:\n  ref: ghcr.io/acme/web:1.6.0@sha256:${E}\n`,
    })
    await commitAll(repo, 'push 2')
    await diff()
    const second = await comment(server, dir)
    expect(second.stdout).toContain('0 created, 1 updated')
    expect(ours(server)).toHaveLength(1)
    expect(ours(server)[0].body).toContain('ghcr.io/acme/web:1.6.0')
    expect(server.requestsFor('issues/update-comment')).toHaveLength(1)

    await edit(repo, {'sources/values/env/dev/apps/web/values.yaml': 'image:\n  ref: ghcr.io/acme/web:1.4.0\n'})
    await commitAll(repo, 'push 3: back to the base')
    const third = await diff()
    expect(third.result.summary).toBe('unchanged')
    expect((await comment(server, dir, ['--summary', 'unchanged'])).exitCode).toBe(0)
    expect(ours(server)).toHaveLength(1)
    expect(ours(server)[0].body).toContain('**No change to what is deployed.**')
    expect(decoy.body).toBe('<!-- ameide-gitops-diff key=. part=1 -->\nhello')
    expect(server.violations).toEqual([])
  })

  it('a long diff arrives whole in several marked comments; a shorter one deletes the surplus', async () => {
    const server = await github()
    const big = renderMarkdownParts(bigResult(30, 120))
    expect((await comment(server, await writeParts(big), ['--key', 'clusters/prod'])).exitCode).toBe(0)
    expect(ours(server).map((c) => c.body.split('\n')[0])).toEqual(
      big.map((_, i) => `<!-- ameide-gitops-diff key=clusters/prod part=${i + 1} -->`),
    )
    for (const c of ours(server)) expect(c.body.length).toBeLessThanOrEqual(COMMENT_LIMIT)
    // Another diff root's comments are its own.
    expect((await comment(server, await writeParts(['## other root\n']), ['--key', 'clusters/dev'])).exitCode).toBe(0)
    const small = await comment(server, await writeParts(renderMarkdownParts(bigResult(1, 3))), [
      '--key',
      'clusters/prod',
    ])
    expect(small.stdout).toContain(`0 created, 1 updated, 0 unchanged, ${big.length - 1} deleted`)
    expect(ours(server)).toHaveLength(2)
    expect(server.violations).toEqual([])
  })

  it("a token without pull-requests: write (a fork's pull_request job) is refused, the permission named", async () => {
    const server = await github({contents: 'read', 'pull-requests': 'read'})
    const run = await comment(server, await writeParts(['## a diff\n']))
    expect(run.exitCode).toBe(3)
    expect(run.stderr).toContain('GitHub answered 403 to POST')
    expect(run.stderr).toContain('pull-requests: write')
    expect(server.comments.comments).toEqual([])
    expect(server.violations).toEqual([])
  })
})
