import {execa} from 'execa'
import {mkdir, readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parse} from 'yaml'

import {buildSetup, createMonorepo} from '../publish/fixture.js'
import {generateKeyPair, type CosignKeyPair} from '../support/cosign.js'
import {prRepo} from '../support/diff-repo.js'
import {gitopsRepo} from '../support/gitops-fixture.js'
import {startFakeGitHub} from '../support/github-server.js'
import {startRegistry, writeDockerConfig, type Registry} from '../support/registry.js'
import {makeTempDir, runCleanups} from '../support/tmp.js'
import {requireTools, toolEnv} from '../support/toolchain.js'

/**
 * The composite action (action.yml) checked by action-validator (its WebAssembly build from npm, offline), and its
 * steps executed in order the way the runner does: inputs substituted into `env:` (never into scripts),
 * GITHUB_ACTION_PATH, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and RUNNER_TEMP set, `uses:` steps (setup-node, cache)
 * standing for what this machine already has. The outputs are read back as a later step would see them.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url))

type Step = {
  name?: string
  id?: string
  if?: string
  uses?: string
  run?: string
  shell?: string
  env?: Record<string, string>
  'working-directory'?: string
}
type Action = {
  inputs: Record<string, {default?: string}>
  outputs: Record<string, {value: string}>
  runs: {steps: Step[]}
}

let action: Action
beforeAll(async () => {
  action = parse(await readFile(path.join(ROOT, 'action.yml'), 'utf8')) as Action
})
afterAll(runCleanups)

/** `${{ inputs.x }}` / `${{ github.action_path }}` in a step's env or working-directory, as the runner expands them. */
function expand(value: string, inputs: Record<string, string>): string {
  return value.replace(/\$\{\{\s*(inputs\.([\w-]+)|github\.action_path)\s*\}\}/g, (_, all: string, name?: string) =>
    name ? (inputs[name] ?? '') : ROOT,
  )
}

async function runAction(given: Record<string, string>, env: Record<string, string> = {}) {
  const tmp = await makeTempDir('ameide-action-')
  const files = {GITHUB_OUTPUT: path.join(tmp, 'output'), GITHUB_STEP_SUMMARY: path.join(tmp, 'summary.md')}
  for (const f of Object.values(files)) await writeFile(f, '')
  const inputs = Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, given[k] ?? v.default ?? '']))
  const stepOutputs: Record<string, Record<string, string>> = {}
  let exitCode = 0
  let stderr = ''
  let stdout = ''
  for (const step of action.runs.steps) {
    if (step.uses || !runs(step.if, inputs)) continue
    await writeFile(files.GITHUB_OUTPUT, '')
    const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(v, inputs)]))
    const result = await execa('bash', ['-e', '-c', step.run!], {
      cwd: path.resolve(env.WORKSPACE ?? ROOT, expand(step['working-directory'] ?? '.', inputs)),
      env: {
        ...env,
        ...stepEnv,
        ...files,
        GITHUB_ACTIONS: 'true',
        GITHUB_ACTION_PATH: ROOT,
        RUNNER_TEMP: tmp,
        NO_COLOR: '1',
      },
      reject: false,
    })
    stderr += String(result.stderr)
    stdout += String(result.stdout)
    if (step.id) stepOutputs[step.id] = parseOutputs(await readFile(files.GITHUB_OUTPUT, 'utf8'))
    exitCode = result.exitCode ?? -1
    if (exitCode !== 0) break
  }
  const outputs = Object.fromEntries(
    Object.entries(action.outputs).map(([name, o]) => {
      const m = /steps\.([\w-]+)\.outputs\.([\w-]+)/.exec(o.value)!
      return [name, stepOutputs[m[1]]?.[m[2]]]
    }),
  )
  return {exitCode, outputs, stepOutputs, stdout, stderr, summary: await readFile(files.GITHUB_STEP_SUMMARY, 'utf8')}
}

/** A step's `if:` as the runner decides it: `inputs.NAME == 'v'` / `!= 'v'`; any other condition runs the step. */
function runs(condition: string | undefined, inputs: Record<string, string>): boolean {
  const m = /^inputs\.([\w-]+) (==|!=) '([^']*)'$/.exec(condition ?? '')
  if (!m) return true
  return (inputs[m[1]] === m[3]) === (m[2] === '==')
}

function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([\w-]+)<<(.+)$/.exec(lines[i])
    if (heredoc) {
      const end = lines.indexOf(heredoc[2], i + 1)
      out[heredoc[1]] = lines.slice(i + 1, end).join('\n')
      i = end
    } else if (lines[i].includes('=')) {
      out[lines[i].slice(0, lines[i].indexOf('='))] = lines[i].slice(lines[i].indexOf('=') + 1)
    }
  }
  return out
}

describe('action.yml', () => {
  it('is a valid action (action-validator) with inputs only in env:, third-party actions pinned by sha', async () => {
    const validator = await execa(
      path.join(ROOT, 'node_modules/.bin/action-validator'),
      [path.join(ROOT, 'action.yml')],
      {reject: false},
    )
    expect(validator.exitCode, validator.stdout + validator.stderr).toBe(0)
    for (const step of action.runs.steps) {
      if (step.run) expect(step.run).not.toMatch(/\$\{\{/)
      if (step.uses) expect(step.uses).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/)
    }
  })

  it('runs gitops verify: exit 1 on the fixture, summary, report and sarif outputs, annotations on stderr', async () => {
    const repo = await gitopsRepo()
    const run = await runAction({
      command: 'gitops verify',
      args: '--env local --sarif reports/gitops.sarif',
      'working-directory': repo,
    })
    expect(run.exitCode).toBe(1)
    expect(run.outputs.summary).toBe('fail')
    // Written whatever the verdict, and exposed for github/codeql-action/upload-sarif.
    expect(run.outputs.sarif).toBe(path.join(repo, 'reports/gitops.sarif'))
    expect(JSON.parse(await readFile(run.outputs.sarif!, 'utf8')).runs[0].results.length).toBeGreaterThan(0)
    expect(run.outputs['exit-code']).toBe('1')
    const report = JSON.parse(await readFile(run.outputs.report!, 'utf8'))
    expect(report.findings.length).toBeGreaterThan(0)
    expect(run.stderr).toContain('::error file=sources/values/env/local/apps/orders.yaml,line=8')
    expect(run.summary).toContain('### ameide gitops verify: ❌ fail')
  })

  it('runs gitops diff: the comment as the markdown output, the same Markdown in the job summary', async () => {
    const repo = await prRepo({
      'sources/values/env/dev/apps/web/values.yaml': 'image:\n  ref: ghcr.io/acme/web:1.5.0\n',
    })
    const run = await runAction(
      {command: 'gitops diff', args: '--base main --head HEAD --markdown diff.md', 'working-directory': repo},
      {PATH: toolEnv().PATH!},
    )
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.outputs.summary).toBe('changed')
    expect(run.outputs.markdown).toBe(path.join(repo, 'diff.md'))
    expect(run.outputs.images).toBeUndefined()
    const comment = await readFile(run.outputs.markdown!, 'utf8')
    expect(comment).toContain('ghcr.io/acme/web:1.5.0')
    expect(run.summary).toBe(`${comment}\n`)
  })

  it('refuses a command it does not run, and never evaluates args as shell code', async () => {
    const marker = path.join(await makeTempDir(), 'pwned')
    const bad = await runAction({command: 'primitive verify; touch ' + marker})
    expect(bad.exitCode).toBe(2)
    const injected = await runAction({command: 'gitops verify', args: `--root $(touch ${marker})`})
    expect(injected.exitCode).not.toBe(0)
    await expect(readFile(marker)).rejects.toThrow()
  })

  it("command: comment posts gitops diff's parts as marked comments with a pull_request job's token, in place", async () => {
    const token = 'ghs_action_job_token_7f3a'
    const server = await startFakeGitHub({
      token,
      login: 'github-actions[bot]',
      jobPermissions: {contents: 'read', 'pull-requests': 'write'},
    })
    try {
      const dir = await makeTempDir('ameide-action-parts-')
      await writeFile(path.join(dir, 'comment-1.md'), '## ameide gitops diff: one\n')
      const env = {GITHUB_API_URL: server.url, GITHUB_REPOSITORY: `${server.owner}/${server.repo}`}
      const post = () => runAction({command: 'comment', args: `--pr 12 --dir ${dir}`, 'github-token': token}, env)
      expect((await post()).exitCode).toBe(0)
      await writeFile(path.join(dir, 'comment-1.md'), '## ameide gitops diff: two\n')
      const second = await post()
      expect(second.exitCode, second.stderr).toBe(0)
      // The CLI is not installed for a comment, and no other step ran.
      expect(second.stdout).toContain('0 created, 1 updated')
      expect(server.comments.comments.map((c) => c.body)).toEqual([
        '<!-- ameide-gitops-diff key=. part=1 -->\n## ameide gitops diff: two\n',
      ])
      expect(server.violations).toEqual([])
    } finally {
      await server.close()
    }
  })
})

describe('action.yml running primitive publish (buildah, cosign, real registry)', () => {
  let registry: Registry
  let keys: CosignKeyPair
  let env: Record<string, string>
  let mono: string

  beforeAll(async () => {
    requireTools('buildah', 'docker-registry', 'cosign', 'cdxgen')
    const tmp = await makeTempDir('ameide-action-publish-')
    registry = await startRegistry()
    keys = await generateKeyPair(path.join(tmp, 'keys'), 'action-key-password-77a1')
    const setup = await buildSetup(tmp, registry)
    const dockerConfig = path.join(tmp, 'docker-config')
    await mkdir(dockerConfig, {recursive: true})
    await writeDockerConfig(registry, dockerConfig)
    env = {...process.env, ...setup.env, ...keys.env, DOCKER_CONFIG: dockerConfig} as Record<string, string>
    mono = (await createMonorepo(path.join(tmp, 'mono'), setup.base, registry.host)).dir
  }, 240_000)

  it('plans a matrix: the dry run exposes `matrix`, ready for strategy.matrix', async () => {
    const run = await runAction(
      {
        command: 'primitive publish',
        args: `--registry ${registry.host}/action --no-sign --dry-run --max-shards 2`,
        'working-directory': mono,
      },
      {...env, AMEIDE_TEST_TIMINGS: JSON.stringify({retryDelayMs: 5})},
    )
    expect(run.exitCode, run.stderr.slice(-2000)).toBe(0)
    const matrix = JSON.parse(run.outputs.matrix!) as {include: Array<{shard: string; args: string; builds: string[]}>}
    expect(matrix.include.map((e) => e.shard)).toEqual(['1/2', '2/2'])
    expect(matrix.include.flatMap((e) => e.builds).sort()).toEqual(['agent-triage', 'domain-orders', 'process-billing'])
    for (const entry of matrix.include)
      expect(entry.args).toMatch(new RegExp(`^--shard ${entry.shard} --sha [0-9a-f]{40}$`))
  }, 120_000)

  it('publishes, and exposes images, failed and one ref per component', async () => {
    const run = await runAction(
      {
        command: 'primitive publish',
        args: `--registry ${registry.host}/action --key ${keys.privateKey} --no-tlog --builder buildah`,
        'working-directory': mono,
      },
      {...env, AMEIDE_TEST_TIMINGS: JSON.stringify({retryDelayMs: 5})},
    )
    expect(run.exitCode, run.stderr.slice(-2000)).toBe(0)
    const images = JSON.parse(run.outputs.images!) as Array<{component: string; ref: string}>
    expect(images.map((i) => i.component)).toEqual(['agent-triage', 'domain-orders', 'process-billing'])
    for (const i of images)
      expect(i.ref).toMatch(
        new RegExp(`^${registry.host}/action/primitive-${i.component}:[0-9a-f]{40}@sha256:[0-9a-f]{64}$`),
      )
    expect(run.outputs.failed).toBe('false')
    expect(run.stepOutputs.run['ref-domain-orders']).toBe(images[1].ref)
    expect(run.summary).toMatch(/primitive-domain-orders/)
  }, 240_000)
})
