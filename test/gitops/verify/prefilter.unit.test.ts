import {cp, readdir, readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {DEFAULT_GITOPS_POLICY} from '../../../src/core/config.js'
import {verifyGitops} from '../../../src/gitops/verify/verify.js'
import {GITOPS_FIXTURE} from '../../support/gitops-fixture.js'
import {makeTempDir, runCleanups, writeFiles} from '../../support/tmp.js'

afterAll(runCleanups)

const both = async (root: string) => {
  const input = {root, policy: {...DEFAULT_GITOPS_POLICY, imageContract: 'ref' as const}}
  return [await verifyGitops(input), await verifyGitops({...input, parseEveryFile: true})]
}

/** Every line of every fixture file, one at a time, with its value replaced by each of these. */
const MUTATIONS = [
  (l: string) => l.replace(/@sha256:[a-f0-9]{64}/, ''),
  (l: string) => l.replace(/:[\w.-]+@/, ':main@'),
  (l: string) => l.replace(/IfNotPresent/, 'Always'),
  (l: string) => l.replace(/ref:/, 'repository:'),
  (l: string) => l.replace(/image:/, 'imageTag:'),
]

describe('the line prefilter of gitops verify', () => {
  it('never changes the findings: the fixture and every one-line mutation of it, parsed or prefiltered', async () => {
    const [fast, full] = await both(GITOPS_FIXTURE)
    expect(fast).toEqual(full)
    const dir = await makeTempDir('ameide-prefilter-')
    await cp(GITOPS_FIXTURE, dir, {recursive: true})
    const files = (await readdir(dir, {recursive: true}))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => path.join(dir, f))
    let compared = 0
    for (const file of files) {
      const original = await readFile(file, 'utf8')
      const lines = original.split('\n')
      for (let i = 0; i < lines.length; i++) {
        for (const mutate of MUTATIONS) {
          const changed = mutate(lines[i])
          if (changed === lines[i]) continue
          await writeFile(file, [...lines.slice(0, i), changed, ...lines.slice(i + 1)].join('\n'))
          const [f, p] = await both(dir)
          expect(f.findings, `${path.relative(dir, file)}:${i + 1} ${changed}`).toEqual(p.findings)
          compared++
        }
      }
      await writeFile(file, original)
    }
    expect(compared).toBeGreaterThan(40)
  })

  it('parses every file naming an ApplicationSet: preview findings are the same prefiltered or parsed', async () => {
    const example = await readFile(path.resolve('docs/examples/gitops/preview-applicationset.yaml'), 'utf8')
    const dir = await makeTempDir('ameide-prefilter-preview-')
    const files = {
      'argocd/previews.yaml': example,
      // Embedded in a values file: nothing the image lines would trigger on.
      'sources/values/_shared/apps/previews.yaml': `objects: |\n${example.replace(/^(?=.)/gm, '  ')}`,
    }
    await writeFiles(dir, files)
    const policy = {
      ...DEFAULT_GITOPS_POLICY,
      preview: {projects: [], repositories: ['https://github.com/ameideio/ameide-gitops'], webhook: false},
    }
    const run = async () => [
      await verifyGitops({root: dir, policy}),
      await verifyGitops({root: dir, policy, parseEveryFile: true}),
    ]
    const PREVIEW_MUTATIONS: Array<[string, string]> = [
      ['project: previews', 'project: default'],
      ['"pr-{{ .number }}"', '"pr-{{ .branch }}"'],
      ['prune: true', 'prune: false'],
      ['labels:\n', 'labelz:\n'],
      ['requeueAfterSeconds: 300', 'requeueAfterSeconds: 1800'],
      ['missingkey=error', 'missingkey=zero'],
      ['targetRevision: main', 'targetRevision: "{{ .head_sha }}"'],
      ['ServerSideApply=true', 'CreateNamespace=true'],
    ]
    let reported = 0
    for (const [file, text] of Object.entries(files)) {
      for (const [from, to] of PREVIEW_MUTATIONS) {
        await writeFile(path.join(dir, file), text.replace(from, to))
        const [fast, full] = await run()
        expect(fast.findings, `${file}: ${from} → ${to}`).toEqual(full.findings)
        if (fast.findings.some((f) => f.rule.startsWith('preview-'))) reported++
      }
      await writeFile(path.join(dir, file), text)
    }
    expect(reported).toBe(PREVIEW_MUTATIONS.length * 2)
  })
})
