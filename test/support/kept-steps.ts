/**
 * What the kept-step tests share (src/gitops/memo): a small repository held as a map of files, its ApplicationSet's
 * text by generator kind, the expansion's context over it (every read of the engine counted), and an expansion in
 * the plain form two results are compared in (the Applications' lines answered for a few paths).
 */
import * as yaml from 'yaml'

import {sharedTemplateEngine} from '../../src/effects/gotemplate/index.js'
import type {ApplicationSetSource} from '../../src/gitops/argocd/applicationset/index.js'
import {linedDocuments} from '../../src/gitops/kubernetes/yaml-lines.js'
import type {ApplicationSetExpansion, ExpansionContext} from '../../src/gitops/model/types.js'
import {blobId} from '../../src/gitops/render/cache.js'

export const ORIGIN = 'https://github.com/acme/fleet.git'
export const APPSET_FILE = 'argocd/fleet.yaml'

export type GeneratorKind = 'list' | 'files' | 'directories' | 'matrix' | 'merge'

/** A repository's state as the expansion reads it: its files, whether its origin is ORIGIN, the policy's bound. */
export interface RepoState {
  files: Record<string, string>
  origin: string
  maxApplications: number
  /** The revision is a commit's: texts known by their blob ids (ExpansionContext.textId). */
  blobIds?: boolean
}

const FILES = `{repoURL: ${ORIGIN}, revision: HEAD, files: [{path: 'envs/*/config.yaml'}]}`
const DIRECTORIES = `{repoURL: ${ORIGIN}, revision: HEAD, directories: [{path: 'apps/*'}, {path: apps/skip, exclude: true}]}`
const LIST = `{elements: [{name: alpha, env: dev}, {name: beta, env: prod}]}`

const GENERATORS: Record<GeneratorKind, {generator: string; name: string; path: string}> = {
  list: {generator: `list: ${LIST}`, name: '{{ .name }}-{{ .env }}', path: 'apps/{{ .name }}'},
  files: {generator: `git: ${FILES}`, name: '{{ .name }}-{{ .path.basename }}', path: '{{ .path.path }}'},
  directories: {generator: `git: ${DIRECTORIES}`, name: '{{ .path.basename }}', path: '{{ .path.path }}'},
  matrix: {
    generator: `matrix: {generators: [{git: ${DIRECTORIES}}, {list: {elements: [{env: dev}, {env: prod}]}}]}`,
    name: '{{ .path.basename }}-{{ .env }}',
    path: '{{ .path.path }}',
  },
  merge: {
    generator: `merge: {mergeKeys: [name], generators: [{git: ${FILES}}, {list: {elements: [{name: alpha, tier: gold}]}}]}`,
    name: '{{ .name }}-{{ .path.basename }}',
    path: '{{ .path.path }}/{{ default "none" .tier }}',
  },
}

/** An ApplicationSet of one generator kind; `label`: a value of its template (an edit of its text). */
export function appSetText(kind: GeneratorKind, label: string): string {
  const g = GENERATORS[kind]
  return [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: ApplicationSet',
    'metadata: {name: fleet, namespace: argocd}',
    'spec:',
    '  goTemplate: true',
    '  generators:',
    `    - ${g.generator}`,
    '  template:',
    `    metadata: {name: '${g.name}', labels: {rev: '${label}'}}`,
    '    spec:',
    '      project: default',
    `      source: {repoURL: '${ORIGIN}', targetRevision: HEAD, path: '${g.path}'}`,
    '      destination: {server: https://kubernetes.default.svc, namespace: \'{{ .path.basename | default "x" }}\'}',
    '',
  ].join('\n')
}

/** The expansion's context over `state`; `engineCalls` counts how often the step opened the template engine. */
export function contextOf(state: RepoState): {ctx: ExpansionContext; engineCalls: () => number} {
  let calls = 0
  const ctx: ExpansionContext = {
    trackedFiles: Object.keys(state.files).sort(),
    isThisRepository: (url) => url.replace(/\.git$/, '') === state.origin.replace(/\.git$/, ''),
    named: true,
    readText: (file) => state.files[file],
    // A commit's files: each text known by its blob id, any other path by holding none.
    ...(state.blobIds
      ? {textId: (file: string) => (file in state.files ? blobId(Buffer.from(state.files[file])) : 'absent')}
      : {}),
    templateEngine: () => (calls++, sharedTemplateEngine()),
    maxApplications: state.maxApplications,
  }
  return {ctx, engineCalls: () => calls}
}

/** The ApplicationSet document of `state` (its file's last) as a step's source. */
export function sourceOf(state: RepoState): ApplicationSetSource {
  const doc = linedDocuments(yaml, state.files[APPSET_FILE]!).at(-1)
  return {file: APPSET_FILE, text: doc!.text, lineOf: doc!.lineOf}
}

const LINE_PATHS = [[], ['source'], ['source', 'path'], ['destination', 'namespace'], ['nowhere', 0]]

/** An expansion as compared: its JSON (functions dropped) and each Application's lines at a few paths. */
export function comparable(e: ApplicationSetExpansion): unknown {
  return {
    json: JSON.parse(JSON.stringify(e)) as unknown,
    lines: e.applications.map((a) => LINE_PATHS.map((p) => a.lineOf(p) ?? null)),
  }
}
