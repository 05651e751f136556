import {describe, expect, it} from 'vitest'

import {makeStyle} from '../../../src/core/output/style.js'
import {formatGitopsDiff} from '../../../src/gitops/diff/format.js'
import {renderMarkdown} from '../../../src/gitops/diff/markdown.js'
import type {DeployableDiff, GitopsDiffResult} from '../../../src/gitops/diff/types.js'

/** A diff with something in every section of the comment, revision-written text included (escaped, never HTML). */
function everySection(): GitopsDiffResult {
  const deployable = (n: number, lines: number): DeployableDiff => ({
    change: 'changed',
    kind: 'Application',
    environment: n % 2 ? 'prod' : null,
    application: `web-${n}`,
    source: `charts/web-${n}`,
    declaredIn: `apps/web-${n}.yaml`,
    objects: [
      {
        change: 'changed',
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: `web-${n}`,
        masked: false,
        diff: Array.from({length: lines}, (_, i) => `-  replicas: ${i}\n+  replicas: ${i + 1}`).join('\n') + '\n',
      },
    ],
    counts: {added: 0, removed: 0, changed: 1, unchanged: 2},
  })
  return {
    summary: 'incomplete',
    base: {revision: 'main', commit: 'a'.repeat(40), chosenBy: '--base'},
    head: {revision: 'feature/<b>x</b>', commit: 'b'.repeat(40), chosenBy: '--head'},
    policy: {
      from: 'base',
      file: 'ameide.yaml',
      present: true,
      changed: true,
      diff: '--- a/ameide.yaml\n+++ b/ameide.yaml\n@@ -1 +1 @@\n-zones: [prod]\n+zones: []\n',
      headInvalid: 'zones: must be a list of names | not `[]`',
    },
    environments: [null, 'prod'],
    counts: {
      applicationsAdded: 1,
      applicationsRemoved: 1,
      deployablesAdded: 0,
      deployablesRemoved: 0,
      deployablesChanged: 2,
      objectsAdded: 0,
      objectsRemoved: 0,
      objectsChanged: 2,
      imagesMoved: 2,
      findingsFixed: 1,
      findingsIntroduced: 1,
      failures: 1,
    },
    applications: {
      added: [{kind: 'Application', environment: 'prod', name: 'api'}],
      removed: [{kind: 'HelmRelease', environment: null, name: 'old|one'}],
    },
    images: [
      {
        environment: 'prod',
        application: 'web-1',
        source: 'charts/web-1',
        object: {kind: 'Deployment', name: 'web-1', container: 'app'},
        from: 'ghcr.io/acme/web:1.0',
        to: 'ghcr.io/acme/web@sha256:' + 'c'.repeat(64),
        pinned: true,
        file: 'charts/web-1/values.yaml',
        line: 3,
        how: 'values',
      },
      {
        environment: null,
        source: 'overlays/dev',
        object: {kind: 'CronJob', name: 'sweep'},
        from: null,
        to: 'ghcr.io/acme/sweep:latest',
        pinned: false,
        file: 'overlays/dev/kustomization.yaml',
        line: 7,
        how: 'images',
      },
    ],
    verdict: {
      fixed: [{rule: 'image-digest', severity: 'error', file: 'apps/a.yaml', line: 4, message: 'unpinned `tag`'}],
      introduced: [
        {
          rule: 'floating-tag',
          severity: 'warning',
          file: 'apps/b.yaml',
          line: 9,
          message: 'tag <latest>',
          environment: 'prod',
        },
      ],
    },
    deployables: [deployable(1, 3), deployable(2, 30)],
    moves: [{kind: 'Application', environment: 'prod', application: 'api', from: 'apps/old', to: 'apps/new'}],
    failures: [
      {
        revision: 'head',
        rule: 'render-failed',
        file: 'apps/c.yaml',
        line: 1,
        application: 'c',
        message: 'helm: `x` *bold*',
      },
    ],
    renders: {base: {rendered: 2, cached: 0, unchanged: 0}, head: {rendered: 2, cached: 0, unchanged: 0}},
  }
}

describe('gitops diff --markdown', () => {
  it('writes every section of the comment, in order, with what the revisions wrote escaped', async () => {
    const {markdown, truncated} = renderMarkdown(everySection())
    expect(truncated).toBe(false)
    await expect(markdown).toMatchFileSnapshot('../../fixtures/gitops-diff/every-section.md')
  })

  it('cuts the object diffs, never the summary, to fit a comment, and says so', () => {
    const full = renderMarkdown(everySection()).markdown
    const cut = renderMarkdown(everySection(), full.indexOf('### Object diffs') + 600)
    expect(cut.truncated).toBe(true)
    expect(cut.markdown.length).toBeLessThanOrEqual(full.indexOf('### Object diffs') + 600)
    expect(cut.markdown.slice(0, full.indexOf('### Object diffs'))).toBe(
      full.slice(0, full.indexOf('### Object diffs')),
    )
  })
})

describe('gitops diff (terminal)', () => {
  it('prints every section, in order: failures, policy, counts, images, verdict, applications, moves, diffs', async () => {
    await expect(formatGitopsDiff(everySection(), makeStyle(false))).toMatchFileSnapshot(
      '../../fixtures/gitops-diff/every-section.txt',
    )
  })
})
