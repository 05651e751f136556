// Which hosts the base calls insecure (plain HTTP): Flux's spec.insecure, Argo CD's repository Secret; nothing else.
import {describe, expect, it} from 'vitest'
import * as yaml from 'yaml'

import {allowListOf} from '../../../src/gitops/helm/charts/policy.js'
import {makeTempDir, writeFiles} from '../../support/tmp.js'

const POLICY = {fetch: true, repositories: [], insecure: []}

async function insecureOf(files: Record<string, string>): Promise<string[]> {
  const root = await makeTempDir('ameide-chart-policy-')
  await writeFiles(root, files)
  return [...allowListOf(root, Object.keys(files), yaml, POLICY, 1 << 20).insecure].sort()
}

const flux = (kind: string, url: string, extra = '') =>
  `apiVersion: source.toolkit.fluxcd.io/v1\nkind: ${kind}\nmetadata: {name: r}\nspec:\n  url: ${url}\n${extra}`
const argoSecret = (label: string, data: string) =>
  `apiVersion: v1\nkind: Secret\nmetadata:\n  name: repo\n  labels: {argocd.argoproj.io/secret-type: ${label}}\n${data}`
const b64 = (s: string) => Buffer.from(s).toString('base64')

describe('the hosts the base calls insecure', () => {
  it('Flux HelmRepository and OCIRepository with spec.insecure: true, only those', async () => {
    expect(
      await insecureOf({
        'a.yaml': flux('HelmRepository', 'oci://127.0.0.1:5000/charts', '  type: oci\n  insecure: true\n'),
        'b.yaml': flux('OCIRepository', 'oci://Registry.Internal:8443/web', '  insecure: true\n'),
        'c.yaml': flux('HelmRepository', 'oci://secure.example:5000/charts', '  type: oci\n  insecure: "true"\n'),
        'd.yaml': flux('HelmRepository', 'oci://other.example/charts', '  type: oci\n'),
      }),
    ).toEqual(['127.0.0.1:5000', 'registry.internal:8443'])
  })

  it("an Argo CD repository Secret's insecure or insecureOCIForceHttp, in stringData or data", async () => {
    expect(
      await insecureOf({
        'a.yaml': argoSecret('repository', 'stringData:\n  url: 127.0.0.1:5000/charts\n  insecure: "true"\n'),
        'b.yaml': argoSecret(
          'repository',
          `data:\n  url: ${b64('oci://ghcr.internal/x')}\n  insecureOCIForceHttp: ${b64('true')}\n`,
        ),
        'c.yaml': argoSecret('repository', 'stringData:\n  url: https://plain.example/charts\n  insecure: "false"\n'),
        // Not a repository Secret: not read for it.
        'd.yaml': argoSecret('cluster', 'stringData:\n  url: https://kube.example\n  insecure: "true"\n'),
        // A chart's template is never read as YAML.
        'charts/x/Chart.yaml': 'apiVersion: v2\nname: x\nversion: 0.1.0\n',
        'charts/x/templates/repo.yaml': flux('HelmRepository', 'oci://tpl.example/c', '  insecure: true\n'),
      }),
    ).toEqual(['127.0.0.1:5000', 'ghcr.internal'])
  })
})
