import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {runCli} from '../support/cli.js'
import {commitAll, initGitRepo, makeTempDir, runCleanups} from '../support/tmp.js'
import {primitiveWith, runCheck, where} from './helpers.js'

afterAll(runCleanups)

const P = 'primitives/process/billing'
const bpmn = (types: string[]) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0">
  <bpmn:process id="billing" isExecutable="true">
${types
  .map(
    (t, i) => `    <bpmn:serviceTask id="Task${i}">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="${t}" retries="3" />
      </bpmn:extensionElements>
    </bpmn:serviceTask>`,
  )
  .join('\n')}
    <!-- <zeebe:taskDefinition type="in.a.comment.v1" /> is not a task -->
    <bpmn:documentation>zeebe:taskDefinition type="in.text.v1"</bpmn:documentation>
  </bpmn:process>
</bpmn:definitions>
`
const REGISTRY = `package worker

const JobTypeInvoice = "billing.invoice.request.v1"

func NewRegistry() *Registry {
	return &Registry{handlers: map[string]Handler{
		JobTypeInvoice:            Invoice,
		"billing.refund.request.v1": Refund,
	}}
}
`

describe('process-bpmn', () => {
  it('passes on the scaffolded process primitive as generated', async () => {
    const repo = await makeTempDir('ameide-bpmn-scaffold-')
    await initGitRepo(repo)
    await commitAll(repo, 'init')
    const scaffold = await runCli(['primitive', 'scaffold', '--kind', 'process', '--name', 'billing', '--json'], {
      cwd: repo,
    })
    expect(scaffold.exitCode, scaffold.stdout).toBe(0)
    const check = await runCheck(repo, 'process', 'billing', 'process-bpmn')
    expect(check).toMatchObject({status: 'pass', findings: []})
    expect(await readFile(path.join(repo, P, 'bpmn/process.bpmn'), 'utf8')).toContain('zeebe:taskDefinition')
  })

  it('reports a job type without a handler at its BPMN line, and a handler no task uses at its registry line', async () => {
    const repo = await primitiveWith('process', 'billing', {
      'bpmn/process.bpmn': bpmn(['billing.invoice.request.v1', 'billing.dunning.request.v1']),
      'internal/worker/registry.go': REGISTRY,
      'internal/worker/registry_test.go': 'package worker\n\nvar _ = map[string]Handler{"test.only.v1": nil}\n',
    })
    const check = await runCheck(repo, 'process', 'billing', 'process-bpmn')
    expect(check.status).toBe('fail')
    expect(where(check, P)).toEqual([
      'unhandled-job-type@bpmn/process.bpmn:11',
      'unused-handler@internal/worker/registry.go:8',
    ])
    expect(check.findings[0].message).toContain('billing.dunning.request.v1')
    expect(check.findings[1].severity).toBe('warning')
  })

  it('reports BPMN that is not well-formed XML, and is skipped for other kinds', async () => {
    const repo = await primitiveWith('process', 'billing', {
      'bpmn/process.bpmn':
        '<?xml version="1.0"?>\n<bpmn:definitions xmlns:bpmn="x">\n  <bpmn:process>\n</bpmn:definitions>\n',
      'internal/worker/registry.go': REGISTRY,
    })
    const check = await runCheck(repo, 'process', 'billing', 'process-bpmn')
    expect(check.findings.map((f) => f.rule)).toContain('bpmn-invalid')
    expect(check.findings.find((f) => f.rule === 'bpmn-invalid')!.line).toBe(4)
    const domain = await primitiveWith('domain', 'orders', {'README.md': '# x\n'})
    expect((await runCheck(domain, 'domain', 'orders', 'process-bpmn')).status).toBe('skip')
  })
})
