/**
 * The repositories of the real-history suite (test/history/repos: git bundles, SOURCES.md says where each comes from
 * and under which licence): the URL Argo CD and Flux know them by, the commits the suite diffs, and what the truth
 * needs besides the revision (the fixed cluster list of the clusters generator, the kustomize roots the layout finds).
 */
import path from 'node:path'

import type {OracleCluster} from './oracle.js'

export interface HistoryRepo {
  name: string
  bundle: string
  url: string
  /** How many first-parent commits, newest first, are diffed against their first parent. */
  commits: number
  clusters: OracleCluster[]
  /** Kustomize roots the layout declares (folder globs matched per revision); [] for none. */
  overlays?: RegExp
}

const REPOS_DIR = path.join(import.meta.dirname, 'repos')

/** The clusters Argo CD lists in the suite (`--argocd-server` serves them; the truth's fake client holds them). */
export const CLUSTERS: OracleCluster[] = [
  {
    name: 'hub',
    server: 'https://hub.example.com',
    labels: {environment: 'control-plane', 'akuity.io/argo-cd-cluster-name': 'hub', enable_argocd: 'true'},
    annotations: {aws_cluster_name: 'hub', addons_repo_revision: 'main'},
  },
  {
    name: 'spoke-dev',
    server: 'https://spoke-dev.example.com',
    labels: {environment: 'dev', 'akuity.io/argo-cd-cluster-name': 'spoke-dev'},
    annotations: {aws_cluster_name: 'spoke-dev', workload_repo_revision: 'main'},
  },
]

export const REPOS: HistoryRepo[] = [
  {
    name: 'gitops-bridge',
    bundle: path.join(REPOS_DIR, 'gitops-bridge', 'repo.bundle'),
    url: 'https://github.com/gitops-bridge-dev/gitops-bridge.git',
    commits: 50,
    clusters: CLUSTERS,
  },
  {
    name: 'flux2-kustomize-helm-example',
    bundle: path.join(REPOS_DIR, 'flux2-kustomize-helm-example', 'repo.bundle'),
    url: 'https://github.com/fluxcd/flux2-kustomize-helm-example',
    commits: 50,
    clusters: [],
  },
  {
    name: 'podinfo-deploy',
    bundle: path.join(REPOS_DIR, 'podinfo-deploy', 'repo.bundle'),
    url: 'https://github.com/stefanprodan/podinfo',
    commits: 50,
    clusters: [],
    overlays: /^deploy\/overlays\/[^/]+$/,
  },
]
