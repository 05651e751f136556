/**
 * Argo CD's `kustomize.buildOptions` as the gate reads it (src/gitops/argocd/kustomize/build-options.ts): the
 * revision's argocd-cm (a whole ConfigMap or a kustomize patch of it), else the policy's; `--enable-helm` as Argo CD
 * sees it (util/kustomize isHelmEnabled: the text holds it); a file that may hold argocd-cm and cannot be read, and two
 * argocd-cm that disagree, are problems, never a guess.
 */
import {afterAll, describe, expect, it} from 'vitest'
import * as yaml from 'yaml'

import {enablesHelm, kustomizeBuildOptions} from '../../../src/gitops/argocd/kustomize/build-options.js'
import {edit} from '../../support/diff-repo.js'
import {makeTempDir, runCleanups} from '../../support/tmp.js'

afterAll(runCleanups)

const cm = (options?: string, name = 'argocd-cm') =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: argocd}\n${options === undefined ? '' : `data:\n  kustomize.buildOptions: ${JSON.stringify(options)}\n`}`

async function read(files: Record<string, string>, policy?: string, maxFileBytes = 1_000_000) {
  const root = await makeTempDir('ameide-build-options-')
  await edit(root, files)
  return kustomizeBuildOptions(root, Object.keys(files), yaml, {maxFileBytes, policy})
}

describe("Argo CD's kustomize.buildOptions", () => {
  it("the revision's argocd-cm: a whole ConfigMap, or a patch beside the install that sets none", async () => {
    expect(await read({'argocd/cm.yaml': cm('--enable-helm --load-restrictor LoadRestrictionsNone')})).toEqual({
      file: 'argocd/cm.yaml',
      options: '--enable-helm --load-restrictor LoadRestrictionsNone',
    })
    const installed = await read({
      'argocd/install.yaml': `${cm()}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: other}\ndata: {kustomize.buildOptions: x}\n`,
      'argocd/patch.yaml': cm('--enable-helm'),
      'argocd/kustomization.yaml':
        'resources: [install.yaml]\npatches: [{path: patch.yaml, target: {name: argocd-cm}}]\n',
    })
    expect(installed).toEqual({file: 'argocd/patch.yaml', options: '--enable-helm'})
    expect(enablesHelm(installed.options!)).toBe(true)
    expect(enablesHelm('--load-restrictor LoadRestrictionsNone')).toBe(false)
  })

  it("the policy's where the revision sets none; neither: nothing known", async () => {
    expect(await read({'argocd/cm.yaml': cm()}, '--enable-helm')).toEqual({options: '--enable-helm'})
    expect(await read({'a.yaml': 'kind: ConfigMap\n'})).toEqual({})
    // The revision's argocd-cm wins over the policy.
    expect(await read({'argocd/cm.yaml': cm('')}, '--enable-helm')).toEqual({file: 'argocd/cm.yaml', options: ''})
  })

  it('an unreadable file that may hold argocd-cm, one over the size bound, two that disagree: a problem, named', async () => {
    const broken = await read({'argocd/cm.yaml': `${cm('--enable-helm')}  : [unclosed\n`})
    expect(broken.problem).toMatch(/^argocd\/cm\.yaml may hold argocd-cm and cannot be read/)
    const big = await read({'argocd/cm.yaml': cm('--enable-helm')}, undefined, 10)
    expect(big.problem).toMatch(/over 10 bytes/)
    const two = await read({'envs/a/cm.yaml': cm('--enable-helm'), 'envs/b/cm.yaml': cm('--load-restrictor x')})
    expect(two).toEqual({
      file: 'envs/b/cm.yaml',
      problem: expect.stringMatching(
        /envs\/a\/cm\.yaml .* envs\/b\/cm\.yaml .*which one Argo CD reads is not known/,
      ) as string,
    })
    // Two that agree on --enable-helm are one answer.
    expect((await read({'a/cm.yaml': cm('--enable-helm'), 'b/cm.yaml': cm('--enable-helm --x')})).options).toBe(
      '--enable-helm',
    )
  })
})
