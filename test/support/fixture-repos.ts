/**
 * The repositories the diff suites hold, one per layout and producer, each with a change the intact diff answers
 * `changed` and the files its roots read: shared by the fail-closed fuzz, the diff ⇔ verify agreement and the
 * declared-first property (test/gitops/diff/diff-fail-closed-fuzz.test.ts, diff-verify-agree.test.ts,
 * diff-declared-first-property.test.ts). An Argo CD app of apps (directory, Helm and kustomize children), an
 * ApplicationSet with a git files generator over first-party charts, a Flux fleet (a folder without a kustomization,
 * a HelmRelease), issue 94's root shapes (a cluster applied by hand, a Flux cluster building ./apps) and the layout
 * presets' guessed overlays (kustomize's `overlays/{env}`, flux's `apps/{env}`) and an Application whose kustomization
 * includes a folder they would guess.
 */
import {mkdir, symlink} from 'node:fs/promises'
import path from 'node:path'

import {exampleApps, EXAMPLE_ORIGIN, fleet, FLEET_ORIGIN, guestbookImage} from './example-apps.js'
import {ORIGIN as HELM_ORIGIN} from './helm-repo.js'
import {baseFiles, edit} from './diff-repo.js'
import {argoPlatform, fluxTeams, handAppliedCluster, ORIGIN, teamConfigMap, webConfigMap} from './root-shapes.js'
import {commitAll, git, initGitRepo, makeTempDir} from './tmp.js'

export type Files = Record<string, string>

const LINK = '<symlink>'
/** A file's text that stands for a symbolic link to `target` (written as a link, not as text). */
export const linkTo = (target: string) => `${LINK}${target}`
const isLink = (text: string) => text.startsWith(LINK)

export interface FixtureRepo {
  name: string
  /** The `origin` remote its Applications name. */
  origin: string
  files: () => Files
  /** A change the intact diff answers `changed`. */
  change: Files
  /** The files its roots read to reach the change (the changed one aside). */
  reads: string[]
}

const kustomizeOverlays = (): Files => ({
  'ameide.yaml': 'gitopsPolicy:\n  preset: kustomize\n',
  'web/base/kustomization.yaml': 'resources:\n- cm.yaml\n',
  'web/base/cm.yaml': teamConfigMap('web', '1'),
  'web/overlays/dev/kustomization.yaml': 'resources:\n- ../../base\nnamePrefix: dev-\n',
  'web/overlays/prod/kustomization.yaml': 'resources:\n- ../../base\n- replicas.yaml\n',
  'web/overlays/prod/replicas.yaml': teamConfigMap('web-prod', '1'),
})

const fluxEnvironments = (): Files => ({
  'ameide.yaml': 'gitopsPolicy:\n  preset: flux\n',
  'apps/base/kustomization.yaml': 'resources:\n- cm.yaml\n',
  'apps/base/cm.yaml': teamConfigMap('web', '1'),
  'apps/staging/kustomization.yaml': 'resources:\n- ../base\n- extra.yaml\n',
  'apps/staging/extra.yaml': teamConfigMap('extra', '1'),
})

export const FIXTURE_REPOS: FixtureRepo[] = [
  {
    name: 'a cluster applied by hand',
    origin: ORIGIN,
    files: () => handAppliedCluster(false),
    change: {'manifests/web/cm.yaml': webConfigMap('2')},
    reads: [
      'cluster/overlays/default/kustomization.yaml',
      'cluster/apps/base/kustomization.yaml',
      'cluster/apps/base/web.yaml',
      'cluster/projects/kustomization.yaml',
      'cluster/projects/team.yaml',
    ],
  },
  {
    name: 'a Flux cluster building ./apps',
    origin: ORIGIN,
    files: fluxTeams,
    change: {'apps/team-a/cm.yaml': teamConfigMap('team-a', '2')},
    reads: [
      'clusters/prod/apps.yaml',
      'clusters/prod/flux-system.yaml',
      'apps/kustomization.yaml',
      'apps/team-a/kustomization.yaml',
    ],
  },
  {
    name: 'an Application over a kustomization including an overlay',
    origin: ORIGIN,
    files: argoPlatform,
    change: {'web/base/cm.yaml': teamConfigMap('web', '2')},
    reads: ['argocd/platform.yaml', 'platform/kustomization.yaml', 'web/overlays/prod/kustomization.yaml'],
  },
  {
    name: 'an app of apps, its kustomize child',
    origin: EXAMPLE_ORIGIN,
    files: exampleApps,
    change: {
      'kustomize-base/service.yaml': exampleApps()['kustomize-base/service.yaml'].replace('port: 80', 'port: 81'),
    },
    reads: [
      'root-app.yaml',
      'apps/values.yaml',
      'apps/templates/kustomize-guestbook.yaml',
      'kustomize-guestbook/kustomization.yaml',
      'kustomize-base/kustomization.yaml',
      'kustomize-base/deployment.yaml',
    ],
  },
  {
    name: 'an app of apps, its Helm and directory children',
    origin: EXAMPLE_ORIGIN,
    files: exampleApps,
    change: {
      'helm-guestbook/values.yaml': exampleApps()['helm-guestbook/values.yaml'].replace('tag: 0.1', 'tag: 0.3'),
      'guestbook/guestbook-ui-deployment.yaml': exampleApps()['guestbook/guestbook-ui-deployment.yaml'].replace(
        guestbookImage,
        'gcr.io/heptio-images/ks-guestbook-demo:0.3',
      ),
    },
    reads: [
      'apps/Chart.yaml',
      'apps/templates/helm-guestbook.yaml',
      'apps/templates/guestbook.yaml',
      'helm-guestbook/Chart.yaml',
      'helm-guestbook/templates/deployment.yaml',
      'guestbook/guestbook-ui-svc.yaml',
    ],
  },
  {
    name: 'an ApplicationSet of git files over charts',
    origin: HELM_ORIGIN,
    files: baseFiles,
    change: {'sources/values/env/dev/apps/web/values.yaml': 'image:\n  ref: ghcr.io/acme/web:1.5.0\n'},
    reads: [
      'argocd/applicationsets/components.yaml',
      'environments/dev/components/web/component.yaml',
      'sources/charts/apps/web/Chart.yaml',
      'sources/charts/apps/web/templates/deployment.yaml',
      'sources/values/_shared/apps/web/values.yaml',
    ],
  },
  {
    name: 'a Flux fleet with a HelmRelease',
    origin: FLEET_ORIGIN,
    files: fleet,
    change: {
      'apps/production/web/deployment.yaml': fleet()['apps/production/web/deployment.yaml'].replace('1.0.0', '1.1.0'),
    },
    reads: ['clusters/production/apps.yaml', 'apps/production/podinfo.yaml', 'apps/production/podinfo-values.yaml'],
  },
  {
    name: "the kustomize preset's guessed overlays",
    origin: ORIGIN,
    files: kustomizeOverlays,
    change: {'web/base/cm.yaml': teamConfigMap('web', '2')},
    reads: [
      'web/overlays/dev/kustomization.yaml',
      'web/overlays/prod/kustomization.yaml',
      'web/overlays/prod/replicas.yaml',
      'web/base/kustomization.yaml',
    ],
  },
  {
    name: "the flux preset's guessed apps/{env}",
    origin: ORIGIN,
    files: fluxEnvironments,
    change: {'apps/base/cm.yaml': teamConfigMap('web', '2')},
    reads: ['apps/staging/kustomization.yaml', 'apps/staging/extra.yaml', 'apps/base/kustomization.yaml'],
  },
]

/**
 * A repository (origin `origin`) with `files` on main — a {@link linkTo} text written as a symbolic link — and a
 * branch `pr` committing `change`.
 */
export async function fixtureHistory(origin: string, files: Files, change: Files): Promise<string> {
  const dir = await makeTempDir('ameide-fixture-')
  await initGitRepo(dir)
  await git(dir, ['remote', 'add', 'origin', origin])
  const links = Object.entries(files).filter(([, text]) => isLink(text))
  await edit(dir, Object.fromEntries(Object.entries(files).filter(([, text]) => !isLink(text))))
  for (const [file, text] of links) {
    await mkdir(path.dirname(path.join(dir, file)), {recursive: true})
    await symlink(text.slice(LINK.length), path.join(dir, file))
  }
  await commitAll(dir, 'base')
  await git(dir, ['checkout', '-q', '-b', 'pr'])
  await edit(dir, change)
  await commitAll(dir, 'the change')
  return dir
}
