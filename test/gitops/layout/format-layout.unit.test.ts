import {describe, expect, it} from 'vitest'

import {makeStyle} from '../../../src/core/output/style.js'
import type {LayoutReport} from '../../../src/gitops/layout/index.js'
import {formatLayout} from '../../../src/gitops/verify/format.js'

/** A --print-layout report with something in every section, a checkout-written control character included. */
function everySection(): LayoutReport {
  return {
    preset: 'seed',
    environments: ['dev', 'prod'],
    files: [
      {file: 'apps/web.yaml', zone: 'argocd', pinning: false},
      {file: 'envs/prod/kustomization.yaml', zone: 'overlay', env: 'prod', pinning: true},
      {file: 'docs/note\u001b.yaml', zone: null, pinning: false},
    ],
    renderTools: {helm: 'v4.1.4', kustomize: null},
    renderDeployables: [
      {application: 'web', kind: 'Application', chart: 'charts/web', environment: 'prod', declaredIn: 'apps/web.yaml'},
      {application: 'flux/api', kind: 'HelmRelease', chart: '', environment: null, declaredIn: 'flux/api.yaml'},
    ],
    renderDirectories: [
      {
        application: 'raw',
        dir: 'raw',
        environment: 'dev',
        declaredIn: 'apps/raw.yaml',
        files: ['raw/a.yaml', 'raw/b.yaml'],
      },
    ],
    renderRoots: [
      {dir: 'envs/prod', environment: 'prod', via: 'layout', rule: 'overlay glob envs/{env}/**'},
      {dir: 'base', environment: null, via: 'argocd', declaredIn: 'apps/base.yaml', application: 'base'},
    ],
    applicationSets: [
      {
        file: 'apps/set.yaml',
        line: 3,
        name: 'components',
        applications: [
          {
            name: 'web-prod',
            environment: 'prod',
            metadata: {name: 'web-prod'},
            spec: {},
            sources: [{repoURL: null, chart: 'web', valueFiles: ['values/prod.yaml', 'values/_shared.yaml']}],
          },
          {
            name: 'docs',
            environment: null,
            metadata: {name: 'docs'},
            spec: {},
            sources: [{repoURL: null, valueFiles: []}],
          },
        ],
        notRendered: [{line: 9, generator: 'clusters', why: 'needs the cluster list\nof Argo CD'}],
        errors: [{line: 12, message: 'template: bad'}],
      },
    ],
  }
}

describe('gitops verify --print-layout (human output)', () => {
  it('prints the files, then renderers, Helm deployables, directory sources, render roots and ApplicationSets', async () => {
    await expect(formatLayout(everySection(), makeStyle(false))).toMatchFileSnapshot(
      '../../fixtures/gitops-layout/every-section.txt',
    )
  })
})
