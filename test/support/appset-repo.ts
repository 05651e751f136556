/** A GitOps repository of one goTemplate ApplicationSet over a list generator, for the tests of a built CLI. */
import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'

import {commitAll, initGitRepo, makeTempDir} from './tmp.js'

export interface ListAppSet {
  /** The list generator's elements (decoded by Argo CD as JSON: numbers are float64). */
  elements: Array<Record<string, unknown>>
  /** The Application's name template. */
  name: string
  /** The source path template. */
  path: string
}

/** `argocd/apps.yaml` (`missingkey=error`), committed in a fresh repository; its directory. */
export async function listAppSetRepo(prefix: string, appset: ListAppSet): Promise<string> {
  const repo = await makeTempDir(prefix)
  await initGitRepo(repo)
  await mkdir(path.join(repo, 'argocd'), {recursive: true})
  await writeFile(
    path.join(repo, 'argocd', 'apps.yaml'),
    [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: ApplicationSet',
      'metadata: {name: apps, namespace: argocd}',
      'spec:',
      '  goTemplate: true',
      '  goTemplateOptions: ["missingkey=error"]',
      '  generators:',
      `    - list: {elements: ${JSON.stringify(appset.elements)}}`,
      '  template:',
      `    metadata: {name: ${JSON.stringify(appset.name)}}`,
      '    spec:',
      '      project: default',
      `      source: {repoURL: https://github.com/acme/gitops.git, path: ${JSON.stringify(appset.path)}}`,
      '      destination: {namespace: apps}',
      '',
    ].join('\n'),
  )
  await commitAll(repo, 'appset')
  return repo
}
