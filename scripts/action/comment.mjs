// Posts `gitops diff --markdown-parts DIR` as one marked comment per part on a pull request, updated in place: the
// comments this token's author wrote for the same diff root (`--key`, the marker `<!-- ameide-gitops-diff key=K
// part=N -->`) are edited, missing parts created, surplus parts deleted; a diff that no longer changes anything
// (`--summary unchanged`) updates the comments to say so and creates none where there was none. Plain Node, no
// dependency, no checkout needed: the Action's `command: comment`, or `node comment.mjs` in a `workflow_run` job.
// Needs `pull-requests: write` (GITHUB_TOKEN or GH_TOKEN), GITHUB_REPOSITORY, GITHUB_API_URL (default api.github.com).
//
//   node scripts/action/comment.mjs --pr 7 --dir "$RUNNER_TEMP/gitops-diff" [--key .] [--summary changed]
//     [--author github-actions[bot]]
import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {parseArgs} from 'node:util'

const LIMIT = 65_536

function fail(message, exit, hint) {
  process.stderr.write(`ameide comment: ${message}\n${hint ? `  hint: ${hint}\n` : ''}`)
  process.exit(exit)
}

const {values} = parseArgs({
  options: {
    pr: {type: 'string'},
    dir: {type: 'string'},
    key: {type: 'string', default: '.'},
    summary: {type: 'string', default: 'changed'},
    author: {type: 'string', default: 'github-actions[bot]'},
  },
})
if (!/^[1-9][0-9]{0,9}$/.test(values.pr ?? '')) fail('--pr is not a pull-request number', 2)
if (!values.dir) fail('--dir is missing (the folder gitops diff --markdown-parts wrote)', 2)
if (!/^[A-Za-z0-9._/-]{1,100}$/.test(values.key)) fail('--key is not a path of letters, digits, . _ / -', 2)
const token = process.env.GITHUB_TOKEN || process.env.GH_TOKEN
if (!token) fail('no GITHUB_TOKEN or GH_TOKEN', 3, 'pass the job token: env: {GITHUB_TOKEN: ${{ github.token }}}')
const repository = process.env.GITHUB_REPOSITORY ?? ''
if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repository)) fail('GITHUB_REPOSITORY is not OWNER/NAME', 2)
const api = (process.env.GITHUB_API_URL || 'https://api.github.com').replace(/\/$/, '')

const parts = readdirSync(values.dir)
  .map((f) => /^comment-([0-9]+)\.md$/.exec(f))
  .filter(Boolean)
  .sort((a, b) => Number(a[1]) - Number(b[1]))
  .map((m) => readFileSync(path.join(values.dir, m[0]), 'utf8'))
if (parts.length === 0) fail(`${values.dir} holds no comment-N.md (run gitops diff --markdown-parts DIR first)`, 2)

const marker = (n) => `<!-- ameide-gitops-diff key=${values.key} part=${n} -->`
const bodies = parts.map((p, i) => `${marker(i + 1)}\n${p}`)
const over = bodies.findIndex((b) => b.length > LIMIT)
if (over >= 0) fail(`part ${over + 1} is ${bodies[over].length} characters, over GitHub's ${LIMIT}`, 1)

async function github(method, route, body) {
  const response = await globalThis.fetch(`${api}${route}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      'user-agent': 'ameide-comment',
      ...(body ? {'content-type': 'application/json'} : {}),
    },
    ...(body ? {body: JSON.stringify(body)} : {}),
  })
  const text = await response.text()
  if (!response.ok) {
    const message = (() => {
      try {
        return JSON.parse(text).message
      } catch {
        return text.slice(0, 200)
      }
    })()
    const denied = response.status === 401 || response.status === 403
    fail(
      `GitHub answered ${response.status} to ${method} ${route}: ${message}`,
      denied ? 3 : 4,
      denied ? 'the job needs permissions: pull-requests: write (a fork pull request: comment from workflow_run)' : '',
    )
  }
  return text === '' ? undefined : JSON.parse(text)
}

const issue = `/repos/${repository}/issues`
const existing = []
for (let page = 1; ; page++) {
  const list = await github('GET', `${issue}/${values.pr}/comments?per_page=100&page=${page}`)
  existing.push(...list)
  if (list.length < 100) break
}
// Ours: the marker of this diff root, written by this token's author (a marker someone else wrote is not ours).
const ours = new Map()
for (const c of existing) {
  const m = /^<!-- ameide-gitops-diff key=(\S+) part=([0-9]+) -->/.exec(c.body ?? '')
  if (m && m[1] === values.key && c.user?.login === values.author && !ours.has(Number(m[2]))) ours.set(Number(m[2]), c)
}
if (ours.size === 0 && values.summary === 'unchanged') {
  console.log('ameide comment: no change, and no comment to update: nothing posted')
  process.exit(0)
}
const done = {created: 0, updated: 0, unchanged: 0, deleted: 0}
for (const [i, body] of bodies.entries()) {
  const c = ours.get(i + 1)
  if (!c) {
    await github('POST', `${issue}/${values.pr}/comments`, {body})
    done.created++
  } else if (c.body !== body) {
    await github('PATCH', `${issue}/comments/${c.id}`, {body})
    done.updated++
  } else done.unchanged++
}
for (const [n, c] of ours) {
  if (n <= bodies.length) continue
  await github('DELETE', `${issue}/comments/${c.id}`)
  done.deleted++
}
console.log(
  `ameide comment: ${bodies.length} part(s) on #${values.pr}: ${done.created} created, ${done.updated} updated, ${done.unchanged} unchanged, ${done.deleted} deleted`,
)
