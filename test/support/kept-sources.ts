/**
 * What the kept-sources tests share (src/gitops/memo/sources.ts): a small repository of one Application and the files
 * its sources may read (a chart, value files, override files, a kustomize or plain folder), written to a folder; the
 * Application's text by shape; and the revision's context over the folder (makeContext, as a model reads it).
 */
import {mkdirSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import * as yaml from 'yaml'

import {DEFAULT_GITOPS_POLICY} from '../../src/core/config.js'
import {applicationOf, isApplication} from '../../src/gitops/argocd/application/application.js'
import {readManifests} from '../../src/gitops/kubernetes/manifests.js'
import {makeLayout} from '../../src/gitops/layout/index.js'
import {makeContext, type CheckoutIdentity, type DeployablesContext} from '../../src/gitops/model/context.js'
import type {ArgoApplication} from '../../src/gitops/model/types.js'
import {blobId} from '../../src/gitops/render/cache.js'
import type {SourceRepositories} from '../../src/gitops/revision/source-repos.js'

export const ORIGIN = 'https://github.com/acme/fleet.git'
export const OTHER = 'https://github.com/acme/other.git'
export const APP_FILE = 'argocd/web.yaml'

/** The shapes of Application the tests draw. */
export const SHAPES = ['values', 'glob', 'inline', 'folder', 'ref', 'other', 'outside', 'pinned', 'kustomize'] as const
export type Shape = (typeof SHAPES)[number]

/** A repository's state as the sources read it. */
export interface SourcesState {
  files: Record<string, string>
  shape: Shape
  /** The Application's namespace (an override file's name follows it). */
  namespace: 'argocd' | 'team'
  /** Comment lines above the Application's document (its text the same, its lines not). */
  shift: number
  origin: string
  /** A revision other than the one under review is named by `v1` (a pin the clone does not hold). */
  pinned: boolean
  /** OTHER is mapped to a local checkout (--source-repo) that cannot be read. */
  mapped: boolean
  /** The revision is a commit's: every file's git blob id known (texts answered by them, src/gitops/memo/reads.ts). */
  blobIds?: boolean
}

const SOURCE: Record<Shape, string> = {
  values: `source: {repoURL: '${ORIGIN}', targetRevision: HEAD, path: charts/web, helm: {valueFiles: [values-dev.yaml, /values/shared.yaml], ignoreMissingValueFiles: true}}`,
  glob: `source: {repoURL: '${ORIGIN}', path: charts/web, helm: {valueFiles: ['/values/*.yaml']}}`,
  inline: `source: {repoURL: '${ORIGIN}', path: charts/web, helm: {values: "image: {tag: x}\\n", parameters: [{name: image.tag, value: v1}, {name: a, value: b, forceString: true}]}}`,
  folder: `source: {repoURL: '${ORIGIN}', path: apps/web}`,
  ref: `sources: [{repoURL: '${ORIGIN}', path: charts/web, helm: {valueFiles: [$vals/values/shared.yaml]}}, {repoURL: '${ORIGIN}', ref: vals}]`,
  other: `source: {repoURL: '${OTHER}', path: charts/web, targetRevision: main}`,
  outside: `source: {repoURL: '${ORIGIN}', path: ../elsewhere}`,
  pinned: `source: {repoURL: '${ORIGIN}', targetRevision: v1, path: charts/web}`,
  kustomize: `source: {repoURL: '${ORIGIN}', path: apps/web, kustomize: {namePrefix: a-, images: ['web=web:2']}}`,
}

/** The Application's document, below `shift` comment lines. */
export function appText(s: Pick<SourcesState, 'shape' | 'namespace' | 'shift'>): string {
  return [
    ...Array.from({length: s.shift}, (_, i) => `# ${i}`),
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    `metadata: {name: web, namespace: ${s.namespace}}`,
    'spec:',
    '  project: default',
    `  ${SOURCE[s.shape]}`,
    '  destination: {server: https://kubernetes.default.svc, namespace: dev}',
    '',
  ].join('\n')
}

/** `state` written to `root` (what was there before removed), and the revision's Application and context. */
export function revisionOf(root: string, state: SourcesState): {app: ArgoApplication; ctx: DeployablesContext} {
  for (const entry of ['argocd', 'charts', 'values', 'apps'])
    rmSync(path.join(root, entry), {recursive: true, force: true})
  const files: Record<string, string> = {...state.files, [APP_FILE]: appText(state)}
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), {recursive: true})
    writeFileSync(path.join(root, file), text)
  }
  const tracked = Object.keys(files).sort()
  const manifests = readManifests(root, [APP_FILE], yaml)
  const app = applicationOf(manifests.find(isApplication)!)!
  const checkout: CheckoutIdentity = {
    trackedFiles: tracked,
    repositories: [state.origin],
    ...(state.pinned ? {pinned: (ref) => (ref === 'v1' ? {ref: 'v1', kind: 'tag' as const} : undefined)} : {}),
    ...(state.mapped ? {sources: unreadableMapping()} : {}),
    ...(state.blobIds ? {blobIds: new Map(tracked.map((f) => [f, blobId(Buffer.from(files[f]))]))} : {}),
  }
  return {app, ctx: makeContext(root, tracked, makeLayout(DEFAULT_GITOPS_POLICY), yaml, checkout)}
}

/** OTHER mapped to a checkout that cannot be read: what Argo CD deploys from it is said, never rendered. */
function unreadableMapping(): SourceRepositories {
  return {
    read: (url: string) =>
      url === OTHER ? {problem: `${OTHER} is mapped to /nowhere, which is not a git clone`} : undefined,
    pinned: () => undefined,
  } as unknown as SourceRepositories
}
