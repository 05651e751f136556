// A chart's templates are Go templates, not YAML: reading the revision never parses them as YAML, and no library's
// warning ("Keys with collection values will be stringified…") reaches the user's stderr, in either mode.
import {describe, expect, it} from 'vitest'

import {runCli} from '../../support/cli.js'
import {edit} from '../../support/diff-repo.js'
import {helmGitopsRepo, originApplication} from '../../support/helm-repo.js'
import {commitAll, git} from '../../support/tmp.js'

/** A ConfigMap template whose `{{ … }}` keys are flow mappings to a YAML parser (a collection as a key). */
const template = (data: string) =>
  [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: {{ .Release.Name }}',
    '  labels:',
    '    {{- .Values.labels | toYaml | nindent 4 }}',
    'data:',
    `  {{ .Release.Name }}: ${data}`,
    '  {{ .Values.key }}: {{ .Values.value | quote }}',
    '',
  ].join('\n')

const files = {
  'argocd/app.yaml': originApplication('app', 'path: charts/app'),
  'charts/app/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 0.1.0\n',
  'charts/app/values.yaml': 'labels: {team: a}\nkey: k\nvalue: v\n',
  'charts/app/templates/cm.yaml': template('one'),
  // A Secret template too: the revision's Secrets are read for their data and keys, never a template's.
  'charts/app/templates/secret.yaml': template('x')
    .replace('kind: ConfigMap', 'kind: Secret')
    .replace('\ndata:', '\nstringData:'),
}

const WARNING = /Warning|stringified|mapAsMap|YAMLWarning/

describe('quiet stderr: a chart template that is not YAML', () => {
  it('gitops verify --render and gitops diff render it, and print no library warning', async () => {
    const repo = await helmGitopsRepo(files)
    await git(repo, ['checkout', '-q', '-b', 'pr'])
    await edit(repo, {'charts/app/templates/cm.yaml': template('two')})
    await commitAll(repo, 'data')
    for (const json of [true, false]) {
      const mode = json ? ['--json'] : []
      const verify = await runCli(['gitops', 'verify', '--render', '--no-cache', ...mode], {cwd: repo})
      expect(verify.exitCode, verify.stdout + verify.stderr).toBe(0)
      expect(verify.stderr).not.toMatch(WARNING)
      const diff = await runCli(['gitops', 'diff', '--base', 'HEAD^', '--head', 'HEAD', '--no-cache', ...mode], {
        cwd: repo,
      })
      expect(diff.exitCode, diff.stdout + diff.stderr).toBe(0)
      expect(diff.stderr).not.toMatch(WARNING)
      if (!json) continue
      expect(verify.json().render.deployables).toEqual([
        expect.objectContaining({application: 'app', status: 'rendered', objects: 2}),
      ])
      const objects = diff
        .json()
        .deployables.flatMap((d: {objects: Array<{change: string; kind: string}>}) => d.objects)
      expect(objects).toEqual([expect.objectContaining({change: 'changed', kind: 'ConfigMap'})])
    }
  })
})
