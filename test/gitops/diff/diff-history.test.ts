/**
 * `gitops diff` on the shapes of real GitOps history (issue 51): kustomize environments under `envs/<env>/` and a
 * top-level kustomization nothing includes, detected without ameide.yaml, each root saying which rule found it;
 * built with real git and kustomize through the built CLI, objects and images asserted.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../../support/cli.js'
import {diffLast, edit, history} from '../../support/diff-repo.js'
import {assertMatchesSchema} from '../../support/schema.js'
import {runCleanups} from '../../support/tmp.js'
import {requireTool, toolEnv} from '../../support/toolchain.js'

afterAll(runCleanups)

type Result = {
  summary: string
  layout?: {source: string; layout: string; preset: string; evidence: string[]}
  applications: {added: Array<{kind: string; name: string}>; removed: Array<{kind: string; name: string}>}
  images: Array<{
    environment: string | null
    application?: string
    source: string
    from: string | null
    to: string | null
  }>
  deployables: Array<{
    change: string
    kind: string
    environment: string | null
    application?: string
    source: string
    foundBy?: string
    objects: Array<{change: string; kind: string; namespace?: string; name: string; diff: string}>
  }>
  failures: Array<{revision: string; rule: string; file: string; application?: string; message: string}>
}

let env: Record<string, string | undefined>
beforeAll(() => {
  requireTool('kustomize')
  requireTool('helm')
  env = toolEnv()
})

const diff = (repo: string, args: string[] = []) => diffLast<Result>(repo, env, args)

const deployment = (name: string, image: string) =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  selector:',
    `    matchLabels: {app: ${name}}`,
    '  template:',
    `    metadata: {labels: {app: ${name}}}`,
    '    spec:',
    '      containers:',
    `        - name: ${name}`,
    `          image: ${image}`,
    '',
  ].join('\n')
const service = (name: string) =>
  `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  selector: {app: ${name}}\n  ports: [{port: 80}]\n`

/** An `envs/<env>/kustomization.yml` layout over a shared base (no ameide.yaml, no `overlays/` folder). */
function envsRepo(): Record<string, string> {
  const files: Record<string, string> = {
    'README.md': '# fleet\n',
    'base/kustomization.yml': 'resources:\n  - deployment.yaml\n  - service.yaml\n',
    'base/deployment.yaml': deployment('web', 'ghcr.io/acme/web:1.0.0'),
    'base/service.yaml': service('web'),
  }
  for (const e of ['dev', 'prod']) {
    files[`envs/${e}/kustomization.yml`] = [
      `namespace: web-${e}`,
      'resources:',
      '  - ../../base',
      'images:',
      '  - name: ghcr.io/acme/web',
      `    newTag: "1.0.${e === 'dev' ? 1 : 0}"`,
      '',
    ].join('\n')
  }
  return files
}

describe('kustomize environments under envs/<env>/, detected without ameide.yaml', () => {
  it('an image bump in envs/prod: the prod root changed, found by the envs/{env} rule, the image moved', async () => {
    const files = envsRepo()
    const repo = await history(files, {
      'envs/prod/kustomization.yml': files['envs/prod/kustomization.yml'].replace('newTag: "1.0.0"', 'newTag: "1.1.0"'),
    })
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(0)
    expect(result.summary).toBe('changed')
    expect(result.layout).toMatchObject({source: 'detected', layout: 'kustomize'})
    expect(result.layout!.evidence.join(' ')).toContain('envs/{env}/**')
    expect(result.deployables).toEqual([
      expect.objectContaining({
        change: 'changed',
        kind: 'kustomize',
        environment: 'prod',
        source: 'envs/prod',
        foundBy: 'overlay glob envs/{env}/**',
        objects: [expect.objectContaining({change: 'changed', kind: 'Deployment', namespace: 'web-prod', name: 'web'})],
      }),
    ])
    expect(result.images).toEqual([
      expect.objectContaining({environment: 'prod', from: 'ghcr.io/acme/web:1.0.0', to: 'ghcr.io/acme/web:1.1.0'}),
    ])
    expect(result.failures).toEqual([])
  })

  it('a README-only commit: "No change", exit 0 (not "nothing to render")', async () => {
    const repo = await history(envsRepo(), {'README.md': '# fleet\n\nMore words.\n'})
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(0)
    expect(result.summary).toBe('unchanged')
    expect(result.deployables).toEqual([])
    expect(result.failures).toEqual([])
  })

  it('a change to the shared base: both environments changed, each with its image and namespace', async () => {
    const files = envsRepo()
    const repo = await history(files, {'base/service.yaml': service('web').replace('port: 80', 'port: 8080')})
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(0)
    expect(
      result.deployables.map((d) => [
        d.environment,
        d.source,
        d.objects.map((o) => `${o.kind} ${o.namespace}/${o.name}`),
      ]),
    ).toEqual([
      ['dev', 'envs/dev', ['Service web-dev/web']],
      ['prod', 'envs/prod', ['Service web-prod/web']],
    ])
    expect(result.images).toEqual([])
  })

  it('verify --print-layout names the rule of each render root; --json as its schema says', async () => {
    const repo = await history(envsRepo(), {})
    const human = await runCli(['gitops', 'verify', '--print-layout'], {cwd: repo, env})
    expect(human.stdout).toMatch(/envs\/dev\s+dev\s+\(overlay, overlay glob envs\/\{env\}\/\*\*\)/)
    const run = await runCli(['gitops', 'verify', '--print-layout', '--json'], {cwd: repo, env})
    const json = run.json<{
      layout: {
        detection: {added: {overlays: string[]}}
        renderRoots: Array<{dir: string; environment: string | null; via: string; rule?: string}>
      }
    }>()
    assertMatchesSchema('gitops-verify.schema.json', json)
    expect(json.layout.detection.added.overlays).toEqual(['envs/{env}/**'])
    expect(json.layout.renderRoots).toEqual([
      {dir: 'envs/dev', environment: 'dev', via: 'overlay', rule: 'overlay glob envs/{env}/**'},
      {dir: 'envs/prod', environment: 'prod', via: 'overlay', rule: 'overlay glob envs/{env}/**'},
    ])
  })

  it('environments/, env/ and clusters/ folders holding a kustomization are environments too', async () => {
    for (const family of ['environments', 'env', 'clusters']) {
      const files = Object.fromEntries(
        Object.entries(envsRepo()).map(([f, t]) => [f.replace(/^envs\//, `${family}/`), t]),
      )
      const repo = await history(files, {
        [`${family}/dev/kustomization.yml`]: files[`${family}/dev/kustomization.yml`].replace('1.0.1', '1.0.2'),
      })
      const {exitCode, stderr, result} = await diff(repo)
      expect(exitCode, `${family}: ${stderr}`).toBe(0)
      expect(result.deployables.map((d) => [d.environment, d.source, d.foundBy])).toEqual([
        ['dev', `${family}/dev`, `overlay glob ${family}/{env}/**`],
      ])
      expect(result.images.map((i) => [i.from, i.to])).toEqual([['ghcr.io/acme/web:1.0.1', 'ghcr.io/acme/web:1.0.2']])
    }
  })
})

describe('a top-level kustomization nothing includes (podinfo kustomize/, a root kustomization.yaml)', () => {
  const podinfo = (): Record<string, string> => ({
    'kustomize/kustomization.yaml': 'resources:\n  - deployment.yaml\n  - service.yaml\n',
    'kustomize/deployment.yaml': deployment('podinfo', 'ghcr.io/stefanprodan/podinfo:6.5.0'),
    'kustomize/service.yaml': service('podinfo'),
    'charts/README.md': 'charts\n',
  })
  const GUESS = /^Nothing declares what is deployed: .*found by ameide's own rules/

  it('the image bumped in kustomize/: the root shown as found, but nothing declares it deployed: incomplete, exit 1', async () => {
    const files = podinfo()
    const repo = await history(files, {
      'kustomize/deployment.yaml': files['kustomize/deployment.yaml'].replace('6.5.0', '6.5.1'),
    })
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(1)
    expect(result.summary).toBe('incomplete')
    expect(result.failures).toEqual([
      expect.objectContaining({
        revision: 'head',
        rule: 'render-unavailable',
        file: '.',
        message: expect.stringMatching(GUESS),
      }),
    ])
    expect(result.failures[0].message).toContain('(a top-level kustomization nothing includes)')
    expect(result.deployables).toEqual([
      expect.objectContaining({
        change: 'changed',
        kind: 'kustomize',
        environment: null,
        source: 'kustomize',
        foundBy: 'a top-level kustomization nothing includes',
        objects: [expect.objectContaining({change: 'changed', kind: 'Deployment', name: 'podinfo'})],
      }),
    ])
    expect(result.images.map((i) => [i.from, i.to])).toEqual([
      ['ghcr.io/stefanprodan/podinfo:6.5.0', 'ghcr.io/stefanprodan/podinfo:6.5.1'],
    ])
  })

  it('a file beside it touched: never "No change" on a guess — incomplete, exit 1', async () => {
    const repo = await history(podinfo(), {'charts/README.md': 'charts, more\n'})
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(1)
    expect(result.summary).toBe('incomplete')
    expect(result.failures).toEqual([expect.objectContaining({message: expect.stringMatching(GUESS)})])
  })

  it('the same root listed in ameide.yaml (gitopsPolicy.render.roots) is declared: "changed", exit 0', async () => {
    const files: Record<string, string> = {
      ...podinfo(),
      'ameide.yaml': 'gitopsPolicy:\n  render:\n    roots: [kustomize]\n',
    }
    const repo = await history(files, {
      'kustomize/deployment.yaml': files['kustomize/deployment.yaml'].replace('6.5.0', '6.5.1'),
    })
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(0)
    expect(result.summary).toBe('changed')
    expect(result.failures).toEqual([])
  })
})

describe('verify --render names a refusal at the Application whatever stage refused it', () => {
  const chartApp = (valueFiles: string[]) =>
    [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: Application',
      'metadata:',
      '  name: web',
      '  namespace: argocd',
      'spec:',
      '  project: default',
      '  source:',
      '    repoURL: https://github.com/example/fleet.git',
      '    targetRevision: HEAD',
      '    path: chart',
      '    helm:',
      `      valueFiles: [${valueFiles.map((v) => JSON.stringify(v)).join(', ')}]`,
      '  destination:',
      '    server: https://kubernetes.default.svc',
      '    namespace: web',
      '',
    ].join('\n')
  const files = (valueFiles: string[]): Record<string, string> => ({
    'apps/web.yaml': chartApp(valueFiles),
    'chart/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
    'chart/values.yaml': 'image: ghcr.io/acme/web:1.0.0\n',
    'chart/templates/deployment.yaml': deployment('web', '{{ .Values.image }}'),
  })

  it('the only Application names a value file outside the revision: render-refused at it, exit 1, not NOTHING_CHECKED', async () => {
    const repo = await history(files(['../../secrets/values.yaml']))
    for (const args of [[], ['--require-render']]) {
      const run = await runCli(['gitops', 'verify', '--render', '--json', ...args], {cwd: repo, env})
      expect(run.exitCode, `${args.join(' ')}: ${run.stdout}${run.stderr}`).toBe(1)
      const json = run.json<{findings: Array<{rule: string; file: string; application?: string}>}>()
      assertMatchesSchema('gitops-verify.schema.json', json)
      expect(json.findings).toContainEqual(
        expect.objectContaining({rule: 'render-refused', file: 'apps/web.yaml', application: 'web'}),
      )
    }
    // The diff names it the same way.
    const changed = await history(files(['values.yaml']), {'apps/web.yaml': chartApp(['../../secrets/values.yaml'])})
    const {exitCode, result} = await diff(changed)
    expect(exitCode).toBe(1)
    expect(result.summary).toBe('incomplete')
    expect(result.failures).toContainEqual(
      expect.objectContaining({revision: 'head', rule: 'render-refused', file: 'apps/web.yaml', application: 'web'}),
    )
  })
})

describe('Argo CD destinations: destination.namespace applied as Argo CD applies it, an Application its own deployable', () => {
  const kustomizeApp = (name: string, folder: string, namespace: string) =>
    [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: Application',
      'metadata:',
      `  name: ${name}`,
      '  namespace: argocd',
      'spec:',
      '  project: default',
      '  source:',
      '    repoURL: https://github.com/example/fleet.git',
      '    targetRevision: HEAD',
      `    path: ${folder}`,
      '  destination:',
      '    server: https://kubernetes.default.svc',
      `    namespace: ${namespace}`,
      '',
    ].join('\n')
  /** envs/<env> over a base, no `namespace:` in the kustomizations; a ClusterRole that no namespace reaches. */
  const files = (): Record<string, string> => {
    const out = envsRepo()
    for (const e of ['dev', 'prod']) {
      out[`envs/${e}/kustomization.yml`] = out[`envs/${e}/kustomization.yml`].replace(`namespace: web-${e}\n`, '')
    }
    out['base/kustomization.yml'] = 'resources:\n  - deployment.yaml\n  - service.yaml\n  - role.yaml\n'
    out['base/role.yaml'] =
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: web-reader\nrules: []\n'
    out['apps/web-dev.yaml'] = kustomizeApp('web-dev', 'envs/dev', 'web')
    return out
  }
  const objectsOf = (d: Result['deployables'][number]) =>
    d.objects.map((o) => `${o.change} ${o.kind} ${o.namespace ?? '-'}/${o.name}`).sort()

  it('a destination namespace change moves every namespaced object, core v1 included; the ClusterRole stays', async () => {
    const repo = await history(files(), {'apps/web-dev.yaml': kustomizeApp('web-dev', 'envs/dev', 'web-2')})
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(0)
    expect(result.summary).toBe('changed')
    const app = result.deployables.filter((d) => d.application === 'web-dev')
    expect(app).toHaveLength(1)
    expect(app[0]).toMatchObject({change: 'changed', kind: 'kustomize', source: 'envs/dev'})
    expect(objectsOf(app[0])).toEqual([
      'added Deployment web-2/web',
      'added Service web-2/web',
      'removed Deployment web/web',
      'removed Service web/web',
    ])
    // The overlay folder itself (no Application) is unchanged: the same objects in both revisions.
    expect(result.deployables.filter((d) => d.application === undefined)).toEqual([])
  })

  it('a new Application over a folder that already was an overlay root is added, with its objects in its namespace', async () => {
    const repo = await history(files(), {'apps/web-prod.yaml': kustomizeApp('web-prod', 'envs/prod', 'web-prod')})
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(0)
    expect(result.summary).toBe('changed')
    expect(result.applications.added).toEqual([expect.objectContaining({kind: 'Application', name: 'web-prod'})])
    const added = result.deployables.find((d) => d.application === 'web-prod')!
    expect(added).toMatchObject({change: 'added', kind: 'kustomize', source: 'envs/prod'})
    expect(objectsOf(added)).toEqual([
      'added ClusterRole -/web-reader',
      'added Deployment web-prod/web',
      'added Service web-prod/web',
    ])
    expect(result.images).toContainEqual(
      expect.objectContaining({application: 'web-prod', from: null, to: 'ghcr.io/acme/web:1.0.0'}),
    )
  })

  describe('an Application the API server would refuse: application-invalid, the diff incomplete, never "added" (issue 54)', () => {
    const cases: Array<[string, string, string, RegExp]> = [
      [
        'a name holding a line break and a workflow command',
        '"web\\n::error::pwned"',
        'web',
        /metadata\.name "web\\n::error::pwned"/,
      ],
      ['a name holding markup', '"web<img src=x>"', 'web', /metadata\.name "web<img src=x>"/],
      ['an upper-case name', 'Web-Prod', 'web', /metadata\.name "Web-Prod"/],
      ['a name of 254 characters', 'w'.repeat(254), 'web', /no more than 253 characters/],
      ['a destination namespace with markup', 'web-prod', '"<img src=x>"', /destination\.namespace "<img src=x>"/],
      ['an upper-case destination namespace', 'web-prod', 'Web', /destination\.namespace "Web"/],
      ['a destination namespace of 64 characters', 'web-prod', 'n'.repeat(64), /no more than 63 characters/],
      ['a destination namespace with a dot', 'web-prod', 'web.prod', /destination\.namespace "web\.prod"/],
    ]
    for (const [what, name, namespace, message] of cases) {
      it(what, async () => {
        const repo = await history(files(), {'apps/web-prod.yaml': kustomizeApp(name, 'envs/prod', namespace)})
        const {exitCode, result} = await diff(repo)
        expect(result.summary).toBe('incomplete')
        expect(exitCode).toBe(1)
        expect(result.applications.added).toEqual([])
        expect(result.deployables.filter((d) => d.application !== undefined)).toEqual([])
        expect(result.failures).toEqual([
          expect.objectContaining({
            revision: 'head',
            rule: 'application-invalid',
            file: 'apps/web-prod.yaml',
            message: expect.stringMatching(message),
          }),
        ])
        // Human output: one line per failure, nothing a CI runner would read as a command.
        const human = await runCli(['gitops', 'diff', '--base', 'HEAD^', '--head', 'HEAD'], {cwd: repo, env})
        expect(human.exitCode).toBe(1)
        expect(human.stdout).not.toMatch(/^\s*::error::/m)
        expect(human.stdout).toContain('application-invalid')
      })
    }

    it('an existing Application moved to an invalid namespace: incomplete, its objects neither "removed" nor moved', async () => {
      const repo = await history(files(), {'apps/web-dev.yaml': kustomizeApp('web-dev', 'envs/dev', 'Web')})
      const {exitCode, result} = await diff(repo)
      expect(exitCode).toBe(1)
      expect(result.summary).toBe('incomplete')
      expect(result.applications).toEqual({added: [], removed: []})
      expect(result.deployables.filter((d) => d.application === 'web-dev')).toEqual([])
      expect(result.failures).toEqual([
        expect.objectContaining({revision: 'head', rule: 'application-invalid', application: 'web-dev'}),
      ])
    })

    it('valid names pass: a subdomain with dots, a label of 63 characters', async () => {
      const repo = await history(files(), {
        'apps/web-prod.yaml': kustomizeApp('web.prod-1', 'envs/prod', 'n'.repeat(63)),
      })
      const {exitCode, stderr, result} = await diff(repo)
      expect(exitCode, stderr).toBe(0)
      expect(result.applications.added).toEqual([expect.objectContaining({name: 'web.prod-1'})])
    })

    it('verify --render names it too, as an error', async () => {
      const repo = await history(files(), {'apps/web-prod.yaml': kustomizeApp('Web-Prod', 'envs/prod', 'web')})
      const verify = await runCli(['gitops', 'verify', '--render', '--json'], {cwd: repo, env})
      expect(verify.exitCode).toBe(1)
      const findings = verify.json<{findings: Array<{rule: string; file: string; severity: string}>}>().findings
      expect(findings).toContainEqual(
        expect.objectContaining({rule: 'application-invalid', file: 'apps/web-prod.yaml', severity: 'error'}),
      )
    })
  })

  it("a Helm source's Service gets the destination namespace too", async () => {
    const chart = {
      'apps/web.yaml': [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: Application',
        'metadata: {name: web, namespace: argocd}',
        'spec:',
        '  project: default',
        '  source: {repoURL: https://github.com/example/fleet.git, targetRevision: HEAD, path: chart}',
        '  destination: {server: https://kubernetes.default.svc, namespace: shop}',
        '',
      ].join('\n'),
      'chart/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
      'chart/values.yaml': 'image: ghcr.io/acme/web:1.0.0\n',
      'chart/templates/deployment.yaml': deployment('web', '{{ .Values.image }}'),
      'chart/templates/service.yaml': service('web'),
    }
    const repo = await history(
      chart,
      {'chart/values.yaml': 'image: ghcr.io/acme/web:1.0.1\n'},
      {
        'chart/templates/service.yaml': service('web').replace('port: 80', 'port: 81'),
      },
    )
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(0)
    expect(result.deployables.map(objectsOf)).toEqual([['changed Service shop/web']])
  })
})

describe('render keys are inputs', () => {
  it('a HelmRelease whose chart comes from a HelmRepository moves v2 → v2beta2: the object changes, the diff is complete', async () => {
    const {fleet} = await import('../../support/example-apps.js')
    const files = fleet()
    const repo = await history(files, {
      'apps/production/podinfo.yaml': files['apps/production/podinfo.yaml'].replace(
        'helm.toolkit.fluxcd.io/v2\n',
        'helm.toolkit.fluxcd.io/v2beta2\n',
      ),
    })
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(0)
    expect(result.summary).toBe('changed')
    expect(result.failures).toEqual([])
    expect(result.deployables.flatMap((d) => d.objects.map((o) => `${o.change} ${o.kind} ${o.name}`))).toEqual([
      'changed HelmRelease podinfo',
    ])
    expect(result.images).toEqual([])
  })

  it('a HelmRelease over a chart of this repository moves v2beta2 → v2, keys reordered: its render is unchanged', async () => {
    const release = (apiVersion: string, reordered: boolean) =>
      [
        `apiVersion: ${apiVersion}`,
        'kind: HelmRelease',
        'metadata: {name: web, namespace: web}',
        'spec:',
        ...(reordered
          ? ['  values: {image: ghcr.io/acme/web:1.0.0, replicas: 2}', '  interval: 5m']
          : ['  interval: 5m', '  values: {replicas: 2, image: ghcr.io/acme/web:1.0.0}']),
        '  chart:',
        '    spec:',
        '      chart: ./charts/web',
        '      sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}',
        '',
      ].join('\n')
    const files: Record<string, string> = {
      'clusters/production/apps.yaml': [
        'apiVersion: kustomize.toolkit.fluxcd.io/v1',
        'kind: Kustomization',
        'metadata: {name: apps, namespace: flux-system}',
        'spec:',
        '  interval: 10m',
        '  path: ./apps/production',
        '  prune: true',
        '  sourceRef: {kind: GitRepository, name: flux-system}',
        '',
      ].join('\n'),
      'apps/production/web.yaml': release('helm.toolkit.fluxcd.io/v2beta2', false),
      'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
      'charts/web/values.yaml': 'image: ""\nreplicas: 1\n',
      'charts/web/templates/deployment.yaml': deployment('web', '{{ .Values.image }}'),
    }
    const repo = await history(files, {'apps/production/web.yaml': release('helm.toolkit.fluxcd.io/v2', true)})
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(0)
    expect(result.failures).toEqual([])
    // The HelmRelease object itself changed (its apiVersion); what it renders did not, and was not rendered again.
    expect(
      result.deployables.map((d) => `${d.kind} ${d.objects.map((o) => `${o.change} ${o.kind}`).join(',')}`),
    ).toEqual(['kustomize changed HelmRelease'])
    expect(result.images).toEqual([])
    // The head renders again only the folder whose file changed; the release's chart is the base's render (the
    // cluster folder, which prints a Flux Kustomization, is built in both but keyed the same: taken, not rendered).
    const {renders} = result as unknown as {renders: {head: {rendered: number}}}
    expect(renders.head.rendered).toBe(1)
  })

  it('an overlay the base could not build: its images are not "added" in the head, the failure says why', async () => {
    const files = envsRepo()
    files['envs/dev/kustomization.yml'] = files['envs/dev/kustomization.yml'].replace('../../base', '../../missing')
    // Fixed, with a floating tag (a finding the head draws, which the base could not judge).
    const fixed = envsRepo()['envs/dev/kustomization.yml'].replace('newTag: "1.0.1"', 'newTag: latest')
    const repo = await history(files, {'envs/dev/kustomization.yml': fixed})
    const {exitCode, result} = await diff(repo)
    expect(exitCode).toBe(1)
    expect(result.summary).toBe('incomplete')
    expect(result.failures).toEqual([
      expect.objectContaining({revision: 'base', rule: 'render-failed', file: 'envs/dev/kustomization.yml'}),
    ])
    expect(result.images).toEqual([])
    // Nor is its floating tag "introduced": the base could not judge it. The build failure itself is fixed.
    const {verdict} = result as unknown as {verdict: {introduced: unknown[]; fixed: Array<{rule: string}>}}
    expect(verdict.introduced).toEqual([])
    expect(verdict.fixed.map((f) => f.rule)).toEqual(['render-failed'])
  })
})

describe('Flux as the controllers run it: the bootstrap path, ExternalArtifacts, sources not rendered named', () => {
  const fluxKustomization = (name: string, path: string, sourceRef: string, extra: string[] = []) =>
    [
      'apiVersion: kustomize.toolkit.fluxcd.io/v1',
      'kind: Kustomization',
      'metadata:',
      `  name: ${name}`,
      '  namespace: flux-system',
      'spec:',
      '  interval: 10m',
      `  path: ${path}`,
      '  prune: true',
      `  sourceRef: ${sourceRef}`,
      ...extra,
      '',
    ].join('\n')
  const generator = [
    'apiVersion: source.extensions.fluxcd.io/v1beta1',
    'kind: ArtifactGenerator',
    'metadata:',
    '  name: apps',
    '  namespace: flux-system',
    'spec:',
    '  sources:',
    '    - alias: repo',
    '      kind: GitRepository',
    '      name: flux-system',
    '  artifacts:',
    '    - name: apps-staging',
    '      copy:',
    '        - from: "@repo/apps/base/**"',
    '          to: "@artifact/base/"',
    '        - from: "@repo/apps/staging/**"',
    '          to: "@artifact/staging/"',
    '',
  ].join('\n')
  /** flux2-kustomize-helm-example's shape: clusters/<env>/apps.yaml over apps/<env>, a base; no gotk-sync.yaml. */
  const fleetFiles = (): Record<string, string> => ({
    'clusters/staging/apps.yaml': fluxKustomization(
      'apps',
      './apps/staging',
      '{kind: GitRepository, name: flux-system}',
    ),
    'apps/base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
    'apps/base/deployment.yaml': deployment('podinfo', 'ghcr.io/stefanprodan/podinfo:6.5.0'),
    'apps/staging/kustomization.yaml': 'namespace: podinfo\nresources:\n  - ../base\n',
  })

  it('the Kustomization moves to an ArtifactGenerator ExternalArtifact: its objects stay (rendered from the artifact), the Flux objects change', async () => {
    const repo = await history(fleetFiles(), {
      'clusters/staging/apps.yaml': `${generator}---\n${fluxKustomization('apps', './staging', '{kind: ExternalArtifact, name: apps-staging}')}`,
    })
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(0)
    expect(result.failures).toEqual([])
    expect(result.summary).toBe('changed')
    // Only the bootstrap layer changed: the Kustomization and the new ArtifactGenerator; nothing removed.
    expect(result.deployables.map((d) => [d.change, d.source, d.foundBy])).toEqual([
      [
        'changed',
        'clusters/staging',
        'the Flux bootstrap path (a clusters/<name> folder of Flux objects, no gotk-sync.yaml applies it)',
      ],
    ])
    expect(result.deployables[0].objects.map((o) => `${o.change} ${o.kind} ${o.name}`).sort()).toEqual([
      'added ArtifactGenerator apps',
      'changed Kustomization apps',
    ])
    expect(result.images).toEqual([])
    // With the overlay folders of the flux preset gone (ameide.yaml names the render roots none), the artifact's
    // folder is still built, as the Kustomization over the ExternalArtifact deploys it.
    await edit(repo, {'ameide.yaml': 'gitopsPolicy:\n  preset: flux\n  overlays: ["clusters/{env}/**"]\n'})
    const layout = await runCli(['gitops', 'verify', '--print-layout', '--json'], {cwd: repo, env})
    const roots = layout.json<{layout: {renderRoots: Array<{dir: string; rule?: string}>}}>().layout.renderRoots
    expect(roots).toContainEqual(
      expect.objectContaining({dir: 'apps/staging', rule: expect.stringContaining('ExternalArtifact apps-staging')}),
    )
  })

  it('spec.path switched and kustomize.toolkit.fluxcd.io/v1beta2 → v1: the Kustomization object changed, with both fields in its diff', async () => {
    const files = {
      ...fleetFiles(),
      'clusters/staging/apps.yaml': fluxKustomization(
        'apps',
        './apps/production',
        '{kind: GitRepository, name: flux-system}',
      ).replace('kustomize.toolkit.fluxcd.io/v1', 'kustomize.toolkit.fluxcd.io/v1beta2'),
      'apps/production/kustomization.yaml': 'namespace: podinfo-production\nresources:\n  - ../base\n',
    }
    const repo = await history(files, {
      'clusters/staging/apps.yaml': fluxKustomization(
        'apps',
        './apps/staging',
        '{kind: GitRepository, name: flux-system}',
      ),
    })
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(0)
    expect(result.summary).toBe('changed')
    const bootstrap = result.deployables.find((d) => d.source === 'clusters/staging')!
    expect(bootstrap.objects.map((o) => `${o.change} ${o.kind} ${o.name}`)).toEqual(['changed Kustomization apps'])
    expect(bootstrap.objects[0].diff).toContain('+apiVersion: kustomize.toolkit.fluxcd.io/v1\n')
    expect(bootstrap.objects[0].diff).toContain('+  path: ./apps/staging')
  })

  it('spec.path moved to a folder that does not build: incomplete, the folder and its failure named (issue 54)', async () => {
    const files = {
      ...fleetFiles(),
      'clusters/staging/apps.yaml': fluxKustomization(
        'apps',
        './apps/production',
        '{kind: GitRepository, name: flux-system}',
      ),
      'apps/production/kustomization.yaml': 'namespace: podinfo-production\nresources:\n  - ../base\n',
      // A patch naming a Deployment that is not there: kustomize build fails, in both revisions alike.
      'apps/staging/kustomization.yaml': [
        'namespace: podinfo',
        'resources:',
        '  - ../base',
        'patches:',
        '  - patch: |-',
        '      apiVersion: apps/v1',
        '      kind: Deployment',
        '      metadata: {name: not-there}',
        '      spec: {replicas: 3}',
        '',
      ].join('\n'),
    }
    const repo = await history(files, {
      'clusters/staging/apps.yaml': fluxKustomization(
        'apps',
        './apps/staging',
        '{kind: GitRepository, name: flux-system}',
      ),
    })
    const {exitCode, result} = await diff(repo)
    expect(result.summary).toBe('incomplete')
    expect(exitCode).toBe(1)
    expect(result.failures).toContainEqual(
      expect.objectContaining({
        revision: 'head',
        rule: 'render-failed',
        file: 'apps/staging/kustomization.yaml',
        message: expect.stringMatching(
          /^kustomize build apps\/staging \(deployed by Flux Kustomization flux-system\/apps, clusters\/staging\/apps\.yaml\) failed: .*not-there/,
        ),
      }),
    )
  })

  it('spec.path moved to a folder the revision does not hold: incomplete, render-failed at the Kustomization (issue 54)', async () => {
    const repo = await history(fleetFiles(), {
      'clusters/staging/apps.yaml': fluxKustomization(
        'apps',
        './apps/gone',
        '{kind: GitRepository, name: flux-system}',
      ),
    })
    const {exitCode, result} = await diff(repo)
    expect(result.summary).toBe('incomplete')
    expect(exitCode).toBe(1)
    expect(result.failures).toEqual([
      expect.objectContaining({
        revision: 'head',
        rule: 'render-failed',
        file: 'clusters/staging/apps.yaml',
        message: expect.stringContaining('Flux Kustomization flux-system/apps deploys spec.path "./apps/gone"'),
      }),
    ])
  })

  it('healthChecks added to a Flux Kustomization: not "No change" — the object it is changed', async () => {
    const files = fleetFiles()
    const repo = await history(files, {
      'clusters/staging/apps.yaml': fluxKustomization(
        'apps',
        './apps/staging',
        '{kind: GitRepository, name: flux-system}',
        ['  healthChecks:', '    - {apiVersion: apps/v1, kind: Deployment, name: podinfo, namespace: podinfo}'],
      ),
    })
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(0)
    expect(result.summary).toBe('changed')
    expect(result.deployables.flatMap((d) => d.objects.map((o) => `${o.change} ${o.kind} ${o.name}`))).toEqual([
      'changed Kustomization apps',
    ])
  })

  it('a Kustomization from an OCIRepository, or from an artifact the gate cannot map: render-unavailable, named, never dropped', async () => {
    const files = fleetFiles()
    files['clusters/staging/infra.yaml'] = fluxKustomization('infra', './', '{kind: OCIRepository, name: infra}')
    const repo = await history(files, {
      'clusters/staging/infra.yaml': fluxKustomization('infra', './prod', '{kind: OCIRepository, name: infra}'),
    })
    const {exitCode, result} = await diff(repo)
    expect(exitCode).toBe(1)
    expect(result.summary).toBe('incomplete')
    expect(result.failures).toContainEqual(
      expect.objectContaining({
        revision: 'head',
        rule: 'render-unavailable',
        file: 'clusters/staging/infra.yaml',
        message: expect.stringContaining('Flux Kustomization flux-system/infra deploys from OCIRepository infra'),
      }),
    )
    const verify = await runCli(['gitops', 'verify', '--render', '--json'], {cwd: repo, env})
    const findings = verify.json<{findings: Array<{rule: string; file: string; line: number}>}>().findings
    expect(findings).toContainEqual(
      expect.objectContaining({rule: 'render-unavailable', file: 'clusters/staging/infra.yaml', line: 1}),
    )
  })
})

describe("a Flux Kustomization's fields, applied as kustomize-controller applies them", () => {
  const files = (vars: string): Record<string, string> => ({
    'clusters/staging/apps.yaml': [
      'apiVersion: kustomize.toolkit.fluxcd.io/v1',
      'kind: Kustomization',
      'metadata: {name: apps, namespace: flux-system}',
      'spec:',
      '  interval: 10m',
      '  path: ./apps/staging',
      '  prune: true',
      '  sourceRef: {kind: GitRepository, name: flux-system}',
      '  targetNamespace: shop',
      '  commonMetadata:',
      '    labels: {team: web}',
      '  postBuild:',
      `    substitute: {${vars}}`,
      '    substituteFrom:',
      '      - {kind: ConfigMap, name: cluster-vars}',
      '',
    ].join('\n'),
    'clusters/staging/vars.yaml':
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cluster-vars, namespace: flux-system}\ndata:\n  REGISTRY: ghcr.io/acme\n',
    'apps/staging/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
    'apps/staging/deployment.yaml': deployment('web', '${REGISTRY}/web:${TAG:=1.0.0}'),
  })

  it('targetNamespace, commonMetadata and postBuild variables: the objects and images as deployed', async () => {
    const repo = await history(files('TAG: "1.0.0"'), {
      'clusters/staging/apps.yaml': files('TAG: "1.1.0"')['clusters/staging/apps.yaml'],
    })
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(0)
    const apps = result.deployables.find((d) => d.source === 'apps/staging')!
    expect(apps.objects.map((o) => `${o.change} ${o.kind} ${o.namespace}/${o.name}`)).toEqual([
      'changed Deployment shop/web',
    ])
    expect(result.images).toEqual([
      expect.objectContaining({from: 'ghcr.io/acme/web:1.0.0', to: 'ghcr.io/acme/web:1.1.0'}),
    ])
    const verify = await runCli(['gitops', 'verify', '--render', '--json'], {cwd: repo, env})
    const json = verify.json<{findings: Array<{rule: string; message: string}>}>()
    expect(json.findings.map((f) => f.message).join('\n')).not.toContain('${REGISTRY}')
  })

  it('a substituteFrom ConfigMap the revision does not hold: render-unavailable, named', async () => {
    const without = files('TAG: "1.0.0"')
    delete without['clusters/staging/vars.yaml']
    const repo = await history(without)
    const verify = await runCli(['gitops', 'verify', '--render', '--json'], {cwd: repo, env})
    const json = verify.json<{findings: Array<{rule: string; file: string; message: string}>}>()
    expect(json.findings).toContainEqual(
      expect.objectContaining({
        rule: 'render-unavailable',
        file: 'clusters/staging/apps.yaml',
        message: expect.stringContaining('postBuild.substituteFrom names ConfigMap flux-system/cluster-vars'),
      }),
    )
  })
})

describe('identity across renames', () => {
  type Moves = {
    moves: Array<{kind: string; environment: string | null; application?: string; from: string; to: string}>
  }

  it('an Application\'s folder renamed, every file identical: one deployable moved, "No change"', async () => {
    const app = (folder: string) =>
      [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: Application',
        'metadata: {name: web, namespace: argocd}',
        'spec:',
        '  project: default',
        `  source: {repoURL: https://github.com/example/fleet.git, targetRevision: HEAD, path: ${folder}}`,
        '  destination: {server: https://kubernetes.default.svc, namespace: web}',
        '',
      ].join('\n')
    const files = {
      'apps/web.yaml': app('web'),
      'web/deployment.yaml': deployment('web', 'ghcr.io/acme/web:1.0.0'),
      'web/service.yaml': service('web'),
      'web/namespace.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: web\n',
    }
    const repo = await history(files, {
      'apps/web.yaml': app('services/web'),
      'web/deployment.yaml': null,
      'web/service.yaml': null,
      'web/namespace.yaml': null,
      'services/web/deployment.yaml': files['web/deployment.yaml'],
      'services/web/service.yaml': files['web/service.yaml'],
      'services/web/namespace.yaml': files['web/namespace.yaml'],
    })
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(0)
    expect(result.summary).toBe('unchanged')
    expect(result.deployables).toEqual([])
    expect(result.images).toEqual([])
    expect((result as unknown as Moves).moves).toEqual([
      {kind: 'directory', environment: null, application: 'web', from: 'web', to: 'services/web'},
    ])
  })

  it('a top-level kustomization renamed, nothing else: moved (incomplete: nothing declares it deployed)', async () => {
    const files = {
      'kustomize/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
      'kustomize/deployment.yaml': deployment('podinfo', 'ghcr.io/stefanprodan/podinfo:6.5.0'),
    }
    const renamed = await history(files, {
      'kustomize/kustomization.yaml': null,
      'kustomize/deployment.yaml': null,
      'deploy/kustomization.yaml': files['kustomize/kustomization.yaml'],
      'deploy/deployment.yaml': files['kustomize/deployment.yaml'],
    })
    const same = await diff(renamed)
    expect(same.exitCode, same.stderr).toBe(1)
    expect(same.result.summary).toBe('incomplete')
    expect(same.result.failures.map((f) => f.message)).toEqual([expect.stringMatching(/^Nothing declares/)])
    expect(same.result.deployables).toEqual([])
    expect((same.result as unknown as Moves).moves).toEqual([
      {kind: 'kustomize', environment: null, from: 'kustomize', to: 'deploy'},
    ])
    // The human output and the pull-request comment say so.
    const human = await runCli(['gitops', 'diff', '--base', 'HEAD^', '--head', 'HEAD'], {cwd: renamed, env})
    expect(human.stdout).toContain('Moved (one deployable, its source moved)')
    expect(human.stdout).toMatch(/kustomize \(.*\): kustomize → deploy/)
  })
})

describe('render keys are inputs: generated Applications', () => {
  const appset = (namespace: string, reordered: boolean) => {
    const source = reordered
      ? [
          '      source:',
          '        targetRevision: 6.5.0',
          '        chart: podinfo',
          '        repoURL: https://stefanprodan.github.io/podinfo',
        ]
      : [
          '      source:',
          '        repoURL: https://stefanprodan.github.io/podinfo',
          '        chart: podinfo',
          '        targetRevision: 6.5.0',
        ]
    return [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: ApplicationSet',
      'metadata:',
      '  name: podinfo',
      `  namespace: ${namespace}`,
      'spec:',
      '  generators:',
      '    - list:',
      '        elements:',
      '          - env: dev',
      '  template:',
      "    metadata: {name: 'podinfo-{{env}}'}",
      '    spec:',
      '      project: default',
      ...source,
      "      destination: {server: https://kubernetes.default.svc, namespace: 'podinfo-{{env}}'}",
      '',
    ].join('\n')
  }

  it("an ApplicationSet's metadata.namespace and template key order change: its remote-chart Application is not touched", async () => {
    const repo = await history(
      {'argocd/podinfo.yaml': appset('argocd', false)},
      {'argocd/podinfo.yaml': appset('argo', true)},
    )
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(0)
    expect(result.summary).toBe('unchanged')
    expect(result.failures).toEqual([])
  })

  it('its destination namespace changes: touched, incomplete, named', async () => {
    const repo = await history(
      {'argocd/podinfo.yaml': appset('argocd', false)},
      {
        'argocd/podinfo.yaml': appset('argocd', false).replace(
          "namespace: 'podinfo-{{env}}'",
          "namespace: 'web-{{env}}'",
        ),
      },
    )
    const {exitCode, result} = await diff(repo)
    expect(exitCode).toBe(1)
    expect(result.failures).toContainEqual(
      expect.objectContaining({revision: 'head', rule: 'render-unavailable', application: 'podinfo-dev'}),
    )
  })
})

describe('a Flux HelmRelease as the kustomization that deploys it makes it', () => {
  it("the kustomization's namespace: (base shared by two overlays) is the release's: redis/redis, objects in redis", async () => {
    const release = (tag: string) =>
      [
        'apiVersion: helm.toolkit.fluxcd.io/v2',
        'kind: HelmRelease',
        'metadata: {name: redis}',
        'spec:',
        '  interval: 5m',
        '  chart:',
        '    spec:',
        '      chart: ./charts/redis',
        '      sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}',
        `  values: {image: "docker.io/library/redis:${tag}"}`,
        '',
      ].join('\n')
    const files: Record<string, string> = {
      'apps/base/redis/kustomization.yaml': 'namespace: redis\nresources:\n  - release.yaml\n',
      'apps/base/redis/release.yaml': release('7.2'),
      'apps/staging/kustomization.yaml': 'resources:\n  - ../base/redis\n',
      'apps/production/kustomization.yaml': 'resources:\n  - ../base/redis\n',
      'charts/redis/Chart.yaml': 'apiVersion: v2\nname: redis\nversion: 0.1.0\n',
      'charts/redis/values.yaml': 'image: ""\n',
      'charts/redis/templates/deployment.yaml': deployment('redis', '{{ .Values.image }}'),
    }
    const repo = await history(files, {'apps/base/redis/release.yaml': release('7.4')})
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(0)
    const helm = result.deployables.filter((d) => d.kind === 'HelmRelease')
    expect(
      helm.map((d) => [d.application, d.objects.map((o) => `${o.change} ${o.kind} ${o.namespace}/${o.name}`)]),
    ).toEqual([['redis/redis', ['changed Deployment redis/redis']]])
    expect(result.images).toContainEqual(
      expect.objectContaining({
        application: 'redis/redis',
        from: 'docker.io/library/redis:7.2',
        to: 'docker.io/library/redis:7.4',
      }),
    )
  })
})

describe('an image set by an inline patchesJson6902', () => {
  it('is attributed to its value line in the kustomization, how: patch', async () => {
    const overlay = (tag: string) =>
      [
        'resources:',
        '  - ../../base',
        'patchesJson6902:',
        '  - target: {group: apps, version: v1, kind: Deployment, name: web}',
        '    patch: |-',
        '      - op: replace',
        '        path: /spec/template/spec/containers/0/image',
        `        value: ghcr.io/acme/web:${tag}`,
        '',
      ].join('\n')
    const files = {...envsRepo(), 'envs/dev/kustomization.yml': overlay('2.0.0')}
    const repo = await history(files, {'envs/dev/kustomization.yml': overlay('2.0.1')})
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(0)
    const moves = result.images as unknown as Array<{from: string; to: string; file: string; line: number; how: string}>
    expect(moves).toEqual([
      expect.objectContaining({
        from: 'ghcr.io/acme/web:2.0.0',
        to: 'ghcr.io/acme/web:2.0.1',
        file: 'envs/dev/kustomization.yml',
        line: 8,
        how: 'patch',
      }),
    ])
  })
})

describe("a HelmRelease's post-renderers, as helm-controller runs them (its internal/postrender in the module)", () => {
  const release = (spec: string[], chartSpec: string[] = []) =>
    [
      'apiVersion: helm.toolkit.fluxcd.io/v2',
      'kind: HelmRelease',
      'metadata: {name: web, namespace: web}',
      'spec:',
      '  chart:',
      '    spec:',
      '      chart: ./charts/web',
      '      sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}',
      ...chartSpec.map((l) => `      ${l}`),
      ...spec.map((l) => `  ${l}`),
      '',
    ].join('\n')
  const chart = {
    'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
    'charts/web/values.yaml': 'image: ghcr.io/acme/web:1.0.0\nport: 80\n',
    'charts/web/values.schema.json': JSON.stringify({type: 'object', properties: {port: {type: 'integer'}}}),
    'charts/web/templates/deployment.yaml': deployment('web', '{{ .Values.image }}'),
    'charts/web/values-prod.yaml': 'image: ghcr.io/acme/web:2.0.0\n',
    'charts/web/templates/values.yaml':
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-values}\ndata: {values: {{ toJson .Values | quote }}}\n',
  }
  type Added = {deployables: Array<{objects: Array<{kind: string; diff: string}>}>; images: Array<{to: string}>}
  const deployed = async (spec: string[], chartSpec: string[] = []) => {
    const repo = await history(chart, {'apps/web.yaml': release(spec, chartSpec)})
    const {exitCode, stderr, result} = await diff(repo)
    expect(exitCode, stderr).toBe(0)
    const added = result as unknown as Added
    const body = added.deployables[0]!.objects.find((o) => o.kind === 'Deployment')!.diff
    const values = added.deployables[0]!.objects.find((o) => o.kind === 'ConfigMap')!.diff
    return {body, values, images: added.images.map((i) => i.to)}
  }

  it("chart.spec.valuesFiles: they replace the chart's defaults, which count only where the list names them", async () => {
    const only = await deployed([], ['valuesFiles: [charts/web/values-prod.yaml]'])
    expect(only.images).toEqual(['ghcr.io/acme/web:2.0.0'])
    expect(only.values).toContain(`values: '{"image":"ghcr.io/acme/web:2.0.0"}'`)
    const named = await deployed([], ['valuesFiles: [charts/web/values-prod.yaml, charts/web/values.yaml]'])
    expect(named.images).toEqual(['ghcr.io/acme/web:1.0.0'])
    expect(named.values).toContain(`values: '{"image":"ghcr.io/acme/web:1.0.0","port":80}'`)
  })

  it("postRenderers: the kustomize images and patches applied to the chart's output", async () => {
    const {body, images} = await deployed([
      'postRenderers:',
      '  - kustomize:',
      '      images: [{name: ghcr.io/acme/web, newTag: 9.9.9}]',
      '      patches:',
      '        - target: {kind: Deployment, name: web}',
      '          patch: "- op: add\\n  path: /spec/replicas\\n  value: 3\\n"',
    ])
    expect(images).toEqual(['ghcr.io/acme/web:9.9.9'])
    expect(body).toContain('+  replicas: 3')
    // The origin labels helm-controller sets on every object.
    expect(body).toContain('+    helm.toolkit.fluxcd.io/name: web')
    expect(body).toContain('+    helm.toolkit.fluxcd.io/namespace: web')
  })

  it('commonMetadata: its labels and annotations on every object, the origin labels kept', async () => {
    const {body} = await deployed([
      'commonMetadata:',
      '  labels: {team: shop, helm.toolkit.fluxcd.io/name: other}',
      '  annotations: {owner: shop@example.com}',
    ])
    expect(body).toContain('+    team: shop')
    expect(body).toContain('+    owner: shop@example.com')
    expect(body).toContain('+    helm.toolkit.fluxcd.io/name: web')
  })

  it('upgrade.disableSchemaValidation: values the chart schema refuses render', async () => {
    const {images} = await deployed(['values: {port: eighty}', 'upgrade: {disableSchemaValidation: true}'])
    expect(images).toEqual(['ghcr.io/acme/web:1.0.0'])
  })
})

describe('a Flux Kustomization from a GitRepository of another repository', () => {
  it('is render-unavailable, named; one from this repository renders', async () => {
    const source = (name: string, url: string) =>
      `apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: ${name}, namespace: flux-system}\nspec:\n  interval: 5m\n  url: ${url}\n  ref: {branch: main}\n`
    const ks = (name: string, repo: string) =>
      `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: ${name}, namespace: flux-system}\nspec:\n  interval: 10m\n  path: ./apps/staging\n  prune: true\n  sourceRef: {kind: GitRepository, name: ${repo}}\n`
    const files = {
      'clusters/staging/sources.yaml': `${source('fleet', 'https://github.com/example/fleet')}---\n${source('platform', 'https://github.com/example/platform.git')}`,
      'clusters/staging/apps.yaml': `${ks('apps', 'fleet')}---\n${ks('platform', 'platform')}`,
      'apps/staging/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
      'apps/staging/deployment.yaml': deployment('web', 'ghcr.io/acme/web:1.0.0'),
    }
    const repo = await history(files)
    const run = await runCli(['gitops', 'verify', '--render', '--json'], {cwd: repo, env})
    const json = run.json<{
      findings: Array<{rule: string; file: string; message: string}>
      render: {roots: Array<{dir: string; status: string}>}
    }>()
    expect(json.findings.filter((f) => f.rule === 'render-unavailable').map((f) => f.message)).toEqual([
      expect.stringContaining(
        'GitRepository flux-system/platform (https://github.com/example/platform.git), another repository',
      ),
    ])
    expect(json.render.roots).toContainEqual(expect.objectContaining({dir: 'apps/staging', status: 'rendered'}))
  })
})
