/**
 * What a GitRepository's artifact holds, rendered by `gitops diff` for the Flux Kustomizations over it: the render
 * module makes the artifact of the revision with source-controller's own code (fluxcd/pkg/sourceignore v0.18.0 as
 * source-controller v1.9.1 pins it; render-module/go/fluxartifact) before kustomize-controller's generator and the
 * build. Each case's expectation is what source-controller v1.9.1 archives (internal/controller/
 * gitrepository_controller.go reconcileArtifact, fluxcd/pkg/artifact v0.18.1 SourceIgnoreFilter and Archive, go-git
 * v5.19.1's sparse checkout), the rule cited beside it; and the module's package is held, over many patterns, to
 * those libraries run natively (testdata/flux-artifact: a go-git clone of the branch, archived by Storage.Archive).
 */
import {execFileSync} from 'node:child_process'
import {symlinkSync} from 'node:fs'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../../../support/cli.js'
import {diffJson, diffLast, history} from '../../../support/diff-repo.js'
import {ORIGIN} from '../../../support/helm-repo.js'
import {assertMatchesSchema} from '../../../support/schema.js'
import {buildGo} from '../../../support/argo-render.js'
import {commitAll, git, makeTempDir, runCleanups} from '../../../support/tmp.js'
import {requireTool, toolEnv} from '../../../support/toolchain.js'

afterAll(runCleanups)

const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\ndata: {from: ${name}}\n`

interface Case {
  /** The test's title (the field table names it). */
  name: string
  /** The case's folder under apps/, its Kustomization's and GitRepository's name. */
  id: string
  /** The GitRepository's spec lines besides url, interval, ref. */
  source: string[]
  /** The Kustomization's source, when not the GitRepository: an ExternalArtifact an ArtifactGenerator makes of it. */
  via?: 'artifact-generator'
  /** Files of the revision (repo-relative). */
  files: Record<string, string>
  /** In the revision that holds a `.sourceignore` (the one of case `si`): every artifact of it loses the defaults. */
  withSourceIgnore?: true
  /** A git submodule (gitlink) the revision holds at this path. */
  submodule?: string
  /** The objects rendered (`Kind/name`), or the failure's words. */
  want: string[] | {failed: RegExp}
}

const CASES: Case[] = [
  {
    // LoadIgnorePatterns: a `.sourceignore` scopes its patterns to its folder; the generator lists what is left.
    name: 'a .sourceignore in the folder leaves its file out of the artifact, and of the generated kustomization',
    id: 'si',
    withSourceIgnore: true,
    source: [],
    files: {
      'apps/si/keep.yaml': cm('si-keep'),
      'apps/si/skip.yaml': cm('si-skip'),
      'apps/si/.sourceignore': 'skip.yaml\n',
    },
    want: ['ConfigMap/si-keep'],
  },
  {
    // reconcileArtifact: spec.ignore's patterns after the .sourceignore ones, rooted at the repository.
    name: 'GitRepository spec.ignore leaves its files out of the artifact (gitignore patterns from the root)',
    id: 'ig',
    source: ['ignore: |\n    # legacy objects\n    /apps/ig/old-*.yaml\n    !/apps/ig/old-kept.yaml'],
    files: {
      'apps/ig/new.yaml': cm('ig-new'),
      'apps/ig/old-a.yaml': cm('ig-old-a'),
      'apps/ig/old-kept.yaml': cm('ig-old-kept'),
    },
    want: ['ConfigMap/ig-new', 'ConfigMap/ig-old-kept'],
  },
  {
    // SourceIgnoreFilter with no pattern: the defaults, `*.png` among them; the kustomization's generator then
    // cannot read the file, and kustomize-controller's build fails.
    name: 'the default excludes leave a .png out: a configMapGenerator over it fails as the controller fails',
    id: 'png',
    source: [],
    files: {
      'apps/png/kustomization.yaml': 'configMapGenerator: [{name: logo, files: [logo.png]}]\n',
      'apps/png/logo.png': 'not really a picture\n',
    },
    want: {failed: /logo\.png/},
  },
  {
    // SourceIgnoreFilter with any pattern — a `.sourceignore` anywhere in the checkout is one — only the VCS defaults
    // and the patterns: `*.png` is archived.
    name: 'a .sourceignore anywhere in the revision replaces the default excludes: the .png is in the artifact',
    id: 'pngsi',
    withSourceIgnore: true,
    source: [],
    files: {
      'apps/pngsi/kustomization.yaml':
        'configMapGenerator: [{name: pngsi, files: [logo.png], options: {disableNameSuffixHash: true}}]\n',
      'apps/pngsi/logo.png': 'not really a picture\n',
    },
    want: ['ConfigMap/pngsi'],
  },
  {
    // SourceIgnoreFilter with any pattern: only the VCS defaults and the patterns; `*.png` is archived again.
    name: 'GitRepository spec.ignore replaces the default excludes: the .png is in the artifact again',
    id: 'pngk',
    source: ['ignore: "/apps/pngk/unused/"'],
    files: {
      'apps/pngk/kustomization.yaml':
        'configMapGenerator: [{name: pngk, files: [logo.png], options: {disableNameSuffixHash: true}}]\n',
      'apps/pngk/logo.png': 'not really a picture\n',
    },
    want: ['ConfigMap/pngk'],
  },
  {
    // go-git's Index.SkipUnless: an entry is checked out when its path starts with a listed directory, as a string:
    // `apps/sp` keeps `apps/sp-extra/…` too, and nothing else.
    name: 'GitRepository spec.sparseCheckout: only what starts with a listed directory is checked out',
    id: 'sp',
    source: ['sparseCheckout: [./apps/sp]'],
    files: {
      'apps/sp/kustomization.yaml': 'resources: [cm.yaml, ../sp-extra]\n',
      'apps/sp/cm.yaml': cm('sp'),
      'apps/sp-extra/kustomization.yaml': 'resources: [cm.yaml]\n',
      'apps/sp-extra/cm.yaml': cm('sp-extra'),
    },
    want: ['ConfigMap/sp', 'ConfigMap/sp-extra'],
  },
  {
    name: 'GitRepository spec.sparseCheckout: a folder outside the listed ones is not there, and the build fails',
    id: 'spo',
    source: ['sparseCheckout: [apps/spo]'],
    files: {
      'apps/spo/kustomization.yaml': 'resources: [cm.yaml, ../../shared/spo]\n',
      'apps/spo/cm.yaml': cm('spo'),
      'shared/spo/kustomization.yaml': 'resources: [cm.yaml]\n',
      'shared/spo/cm.yaml': cm('spo-shared'),
    },
    want: {failed: /shared\/spo/},
  },
  {
    // source-watcher copies from the GitRepository's artifact: what it leaves out is not in the ExternalArtifact.
    name: 'over an ArtifactGenerator: the ExternalArtifact is copied from the artifact spec.ignore left files out of',
    id: 'ea',
    via: 'artifact-generator',
    source: ['ignore: /apps/ea/skip.yaml'],
    files: {'apps/ea/keep.yaml': cm('ea-keep'), 'apps/ea/skip.yaml': cm('ea-skip')},
    want: ['ConfigMap/ea-keep'],
  },
  {
    // validateSparseCheckoutPaths: each listed path must exist in the checkout.
    name: 'GitRepository spec.sparseCheckout naming a folder the revision lacks fails as source-controller fails',
    id: 'spm',
    source: ['sparseCheckout: [apps/spm, apps/nowhere]'],
    files: {'apps/spm/cm.yaml': cm('spm')},
    want: {failed: /sparse checkout dir 'apps\/nowhere' does not exist/},
  },
  {
    // GitRepositoryInclude.GetToPath: the included repository's name when toPath is empty; its artifact is copied
    // there, another repository's files the gate does not have.
    name: 'GitRepository spec.include: a root that reads where another repository is copied is not rendered, named',
    id: 'inc',
    source: ['include: [{repository: {name: shared}}]'],
    files: {
      'apps/inc/kustomization.yaml': 'resources: [cm.yaml, ../../shared/inc]\n',
      'apps/inc/cm.yaml': cm('inc'),
      'shared/inc/kustomization.yaml': 'resources: [cm.yaml]\n',
      'shared/inc/cm.yaml': cm('inc-shared'),
    },
    want: {failed: /includes GitRepository shared at shared \(spec\.include\)/},
  },
  {
    name: 'GitRepository spec.include fromPath and toPath: a root that reads nothing there renders as built',
    id: 'inco',
    source: ['include: [{repository: {name: other}, fromPath: deploy, toPath: vendor/other}]'],
    files: {'apps/inco/cm.yaml': cm('inco'), 'vendor/other/cm.yaml': cm('inco-vendored')},
    want: ['ConfigMap/inco'],
  },
  {
    // recurseSubmodules: the clone checks the submodules out: another repository's files.
    name: 'GitRepository spec.recurseSubmodules: a root over a submodule is not rendered, named',
    id: 'sub',
    source: ['recurseSubmodules: true'],
    files: {'apps/sub/kustomization.yaml': 'resources: [cm.yaml, mod]\n', 'apps/sub/cm.yaml': cm('sub')},
    submodule: 'apps/sub/mod',
    want: {failed: /checks out submodules \(spec\.recurseSubmodules\) and apps\/sub\/mod is one/},
  },
  {
    // Without it the submodule's folder is empty in the artifact: kustomize fails on it, as the controller does.
    name: 'without recurseSubmodules a submodule is an empty folder: the build fails as the controller fails',
    id: 'subn',
    source: [],
    files: {'apps/subn/kustomization.yaml': 'resources: [cm.yaml, mod]\n', 'apps/subn/cm.yaml': cm('subn')},
    submodule: 'apps/subn/mod',
    want: {failed: /kustomize build apps\/subn .*failed/},
  },
]

const flux = (c: Case) =>
  [
    'apiVersion: source.toolkit.fluxcd.io/v1',
    'kind: GitRepository',
    `metadata: {name: ${c.id}, namespace: flux-system}`,
    'spec:',
    '  interval: 1m',
    `  url: ${ORIGIN}`,
    '  ref: {branch: main}',
    ...c.source.map((l) => `  ${l}`),
    '---',
    'apiVersion: kustomize.toolkit.fluxcd.io/v1',
    'kind: Kustomization',
    `metadata: {name: ${c.id}, namespace: flux-system}`,
    'spec:',
    '  interval: 10m',
    c.via ? '  path: ./' : `  path: ./apps/${c.id}`,
    '  prune: true',
    c.via
      ? `  sourceRef: {kind: ExternalArtifact, name: ${c.id}-art}`
      : `  sourceRef: {kind: GitRepository, name: ${c.id}}`,
    ...(c.via
      ? [
          '---',
          'apiVersion: source.extensions.fluxcd.io/v1beta1',
          'kind: ArtifactGenerator',
          `metadata: {name: ${c.id}, namespace: flux-system}`,
          'spec:',
          `  sources: [{alias: repo, kind: GitRepository, name: ${c.id}}]`,
          `  artifacts: [{name: ${c.id}-art, copy: [{from: "@repo/apps/${c.id}/**", to: "@artifact/"}]}]`,
        ]
      : []),
    '',
  ].join('\n')

interface Result {
  deployables: Array<{source: string; application?: string; objects: Array<{kind: string; name: string}>}>
  failures: Array<{rule: string; file: string; message: string}>
}

describe("what a GitRepository's artifact holds, as source-controller v1.9.1 archives it, through `gitops diff`", () => {
  const results = new Map<boolean, Result>()
  const repos = new Map<boolean, string>()

  beforeAll(async () => {
    requireTool('kustomize')
    requireTool('helm')
    for (const withSourceIgnore of [false, true]) {
      const head: Record<string, string> = {}
      for (const c of CASES.filter((c) => (c.withSourceIgnore ?? false) === withSourceIgnore)) {
        head[`clusters/prod/${c.id}.yaml`] = flux(c)
        Object.assign(head, c.files)
      }
      const repo = await history({'README.md': 'fleet\n'}, head)
      const submodules = CASES.filter((c) => (c.withSourceIgnore ?? false) === withSourceIgnore && c.submodule)
      for (const c of submodules)
        await git(repo, ['update-index', '--add', '--cacheinfo', `160000,${'ab'.repeat(20)},${c.submodule}`])
      if (submodules.length > 0) await git(repo, ['commit', '-q', '--amend', '--no-edit'])
      await git(repo, ['remote', 'set-url', 'origin', ORIGIN])
      repos.set(withSourceIgnore, repo)
      results.set(withSourceIgnore, (await diffLast<Result>(repo, toolEnv())).result)
    }
  }, 300_000)

  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const result = results.get(c.withSourceIgnore ?? false)!
    const failures = result.failures.filter(
      (f) => f.message.includes(`apps/${c.id} `) || f.file.includes(`/${c.id}.yaml`),
    )
    const objects = result.deployables
      .filter((d) => d.source === `apps/${c.id}`)
      .flatMap((d) => d.objects.map((o) => `${o.kind}/${o.name}`))
      .sort()
    if (Array.isArray(c.want)) {
      expect(failures).toEqual([])
      expect(objects).toEqual(c.want)
    } else {
      expect(objects).toEqual([])
      expect(failures.map((f) => f.message)).toEqual([expect.stringMatching(c.want.failed)])
    }
  })

  it('gitops verify --render --json: each root as the schema says, its GitRepository fields an input, not shown', async () => {
    const run = await runCli(['gitops', 'verify', '--render', '--json'], {cwd: repos.get(false)!, env: toolEnv()})
    const out = run.json<{render: {roots: Array<Record<string, unknown>>}}>()
    assertMatchesSchema('gitops-verify.schema.json', out)
    const ig = out.render.roots.find((r) => r.dir === 'apps/ig')
    expect(ig).toMatchObject({status: 'rendered', objects: 2})
    expect(ig).not.toHaveProperty('artifact')
  }, 120_000)

  it('the Flux bootstrap path is built from the flux-system artifact: a cloudbuild.yaml there is not applied', async () => {
    const repo = await history(
      {'README.md': 'fleet\n'},
      {
        'clusters/prod/source.yaml': `apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: apps, namespace: flux-system}\nspec: {interval: 1m, url: ${ORIGIN}, ref: {branch: main}}\n`,
        'clusters/prod/settings.yaml': cm('kept'),
        'clusters/prod/cloudbuild.yaml': cm('ci'),
      },
    )
    await git(repo, ['remote', 'set-url', 'origin', ORIGIN])
    const {result} = await diffLast<Result>(repo, toolEnv())
    expect(result.failures).toEqual([])
    const objects = result.deployables
      .filter((d) => d.source === 'clusters/prod')
      .flatMap((d) => d.objects.map((o) => `${o.kind}/${o.name}`))
    expect(objects.sort()).toEqual(['ConfigMap/kept', 'GitRepository/apps'])
  }, 120_000)

  it('a HelmRelease chart from a GitRepository that sets spec.ignore is render-unavailable, named, never rendered as is', async () => {
    const repo = await history(
      {'README.md': 'fleet\n'},
      {
        'clusters/prod/hr.yaml': [
          'apiVersion: source.toolkit.fluxcd.io/v1',
          'kind: GitRepository',
          'metadata: {name: charts, namespace: flux-system}',
          `spec: {interval: 1m, url: ${ORIGIN}, ref: {branch: main}, ignore: /charts/web/templates/extra.yaml}`,
          '---',
          'apiVersion: helm.toolkit.fluxcd.io/v2',
          'kind: HelmRelease',
          'metadata: {name: web, namespace: apps}',
          'spec:',
          '  interval: 10m',
          '  chart: {spec: {chart: ./charts/web, sourceRef: {kind: GitRepository, name: charts, namespace: flux-system}}}',
          '',
        ].join('\n'),
        'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
        'charts/web/templates/cm.yaml': cm('web'),
        'charts/web/templates/extra.yaml': cm('web-extra'),
      },
    )
    await git(repo, ['remote', 'set-url', 'origin', ORIGIN])
    const {result} = await diffLast<{summary: string; verdict: {introduced: Array<{rule: string; message: string}>}}>(
      repo,
      toolEnv(),
    )
    expect(result.summary).toBe('incomplete')
    expect(result.verdict.introduced).toContainEqual(
      expect.objectContaining({rule: 'render-unavailable', message: expect.stringContaining('spec.ignore') as string}),
    )
  }, 120_000)

  it('a head that only sets spec.ignore, then only adds a .sourceignore, diffs what leaves the artifact', async () => {
    const gitRepository = (spec: string) =>
      `apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: apps, namespace: flux-system}\nspec: {interval: 1m, url: ${ORIGIN}, ref: {branch: main}${spec}}\n`
    const repo = await history(
      {
        'clusters/prod/source.yaml': gitRepository(''),
        'clusters/prod/apps.yaml': [
          'apiVersion: kustomize.toolkit.fluxcd.io/v1',
          'kind: Kustomization',
          'metadata: {name: apps, namespace: flux-system}',
          'spec: {interval: 10m, path: ./apps/x, prune: true, sourceRef: {kind: GitRepository, name: apps}}',
          '',
        ].join('\n'),
        'apps/x/a.yaml': cm('x-a'),
        'apps/x/b.yaml': cm('x-b'),
        'apps/x/c.yaml': cm('x-c'),
      },
      {'clusters/prod/source.yaml': gitRepository(', ignore: /apps/x/b.yaml')},
      {'apps/x/.sourceignore': 'c.yaml\n'},
    )
    await git(repo, ['remote', 'set-url', 'origin', ORIGIN])
    type Diff = {deployables: Array<{source: string; objects: Array<{change: string; kind: string; name: string}>}>}
    const changes = async (base: string, head: string) => {
      const {result} = await diffJson<Diff>(repo, toolEnv(), ['--base', base, '--head', head])
      return result.deployables
        .filter((d) => d.source === 'apps/x')
        .flatMap((d) => d.objects.map((o) => `${o.change} ${o.kind}/${o.name}`))
    }
    expect(await changes('HEAD~2', 'HEAD~1')).toEqual(['removed ConfigMap/x-b'])
    expect(await changes('HEAD~1', 'HEAD')).toEqual(['removed ConfigMap/x-c'])
  }, 240_000)
})

/** A fleet with what the default patterns name, a link, and folders sharing a prefix. */
const FLEET: Record<string, string> = {
  'README.md': 'fleet\n',
  '#notes.md': 'a file whose name starts with #\n',
  'apps/web/deploy.yaml': cm('web'),
  'apps/web/logo.png': 'png\n',
  'apps/web/archive.tar.gz': 'tgz\n',
  'apps/web/docs/readme.md': 'docs\n',
  'apps/web/docs/guide.md': 'docs\n',
  'apps/web/.sops.yaml': 'creation_rules: []\n',
  'apps/web/sub/.flux.yaml': 'x: 1\n',
  'apps/web-old/deploy.yaml': cm('web-old'),
  'apps/web-old/notes.md': 'old\n',
  'apps/api/kustomization.yaml': 'resources: [deploy.yaml]\n',
  'apps/api/deploy.yaml': cm('api'),
  'apps/api/Cloudbuild.yaml': 'case\n',
  '.github/workflows/ci.yml': 'on: push\n',
  '.gitlab-ci.yml': 'x\n',
  '.gitattributes': '* text=auto\n',
  'cloudbuild.yaml': 'steps: []\n',
  'infra/cloudbuild.yaml': 'steps: []\n',
  'infra/.goreleaser.yml': 'x\n',
  'clusters/prod/apps.yaml': cm('prod'),
}

/** The same fleet with `.sourceignore` files: at the top and in a folder (its patterns scoped to it). */
const WITH_IGNORE_FILES: Record<string, string> = {
  ...FLEET,
  '.sourceignore': '# the top\n/clusters/\n*.md\n',
  'apps/web/.sourceignore': 'docs/\n!docs/guide.md\nsub\n',
}

const SPECS: Array<{ignore?: string; sparseCheckout?: string[]}> = [
  {},
  {ignore: ''},
  {ignore: '# none but this one\n/apps/web/docs/\n'},
  {ignore: '*.tar.gz\n**/docs/\n/apps/*-old/\n!apps/web-old/deploy.yaml\n\\#notes.md\n'},
  {ignore: 'apps/web/[a-d]*\n/*.md\ndeploy.yaml\n!/apps/api/deploy.yaml\n'},
  {ignore: 'apps/\n!apps/api/\n'},
  {ignore: '/**/\n'},
  {sparseCheckout: ['apps/web']},
  {sparseCheckout: ['./apps/api/', 'infra']},
  {sparseCheckout: ['apps/'], ignore: '/apps/web-old\n'},
  {sparseCheckout: ['apps/web', 'apps/nowhere']},
]

describe("the render module's artifact against source-controller's own libraries, natively", () => {
  let reference: string
  const repos = new Map<string, string>()

  beforeAll(async () => {
    reference = await buildGo('test/gitops/flux/sources/testdata/flux-artifact', 'flux-artifact')
    for (const [name, files] of Object.entries({plain: FLEET, 'with .sourceignore files': WITH_IGNORE_FILES})) {
      const repo = await history({'README.md': 'base\n'}, files)
      symlinkSync('deploy.yaml', path.join(repo, 'apps/api/link.yaml'))
      await commitAll(repo, 'a link')
      repos.set(name, repo)
    }
  }, 900_000)

  type Answer = string[] | {error: string}
  const artifact = async (repo: string, spec: object) => {
    const copy = await makeTempDir('ameide-flux-artifact-copy-')
    execFileSync('sh', ['-c', `git -C "$0" archive pr | tar -x -C "$1"`, repo, copy])
    const out = execFileSync(reference, [repo, 'pr', JSON.stringify(spec), copy]).toString('utf8')
    return JSON.parse(out) as {controller: Answer; ameide: Answer}
  }

  it.each([
    ...['plain', 'with .sourceignore files'].flatMap((r) => SPECS.map((s) => [r, JSON.stringify(s), s] as const)),
  ])('%s, %s: the same files', async (repo, _, spec) => {
    const {controller, ameide} = await artifact(repos.get(repo)!, spec)
    if ('error' in controller) {
      expect(controller.error).toMatch(/sparse checkout dir 'apps\/nowhere' does not exist/)
      expect(ameide).toEqual({error: expect.stringContaining("sparse checkout dir 'apps/nowhere' does not exist")})
    } else expect(ameide).toEqual(controller)
  })

  it('the reference is not vacuous: defaults, patterns and the sparse checkout each leave something out', async () => {
    const plain = repos.get('plain')!
    const all = await artifact(plain, {ignore: '/nothing-here\n'})
    const defaults = await artifact(plain, {})
    const sparse = await artifact(plain, {sparseCheckout: ['apps/web']})
    const files = (a: {controller: Answer}) => a.controller as string[]
    expect(files(all)).toContain('apps/web/logo.png')
    expect(files(all)).not.toContain('apps/api/link.yaml')
    expect(files(defaults)).not.toContain('apps/web/logo.png')
    expect(files(defaults)).not.toContain('infra/cloudbuild.yaml')
    expect(files(defaults)).toContain('apps/api/Cloudbuild.yaml')
    expect(files(sparse)).toEqual(expect.arrayContaining(['apps/web/deploy.yaml', 'apps/web-old/deploy.yaml']))
    expect(files(sparse)).not.toContain('apps/api/deploy.yaml')
  })
})
