/**
 * The repositories of the real-history suite (test/history/repos: git bundles, SOURCES.md says where each comes from
 * and under which licence): the URL Argo CD and Flux know them by, the commits the suite diffs, and what the truth
 * needs besides the revision (the fixed cluster list of the clusters generator, the kustomize roots the layout finds).
 */
import path from 'node:path'

import type {OracleCluster} from '../support/argo-oracle.js'

export interface HistoryRepo {
  name: string
  bundle: string
  url: string
  /** How many first-parent commits, newest first, are diffed against their first parent. */
  commits: number
  clusters: OracleCluster[]
  /** `gitops diff` is given `--argocd-server` serving `clusters` (else it evaluates no clusters generator). */
  argocdServer?: boolean
  /** Kustomize roots the layout declares (folder globs matched per revision); [] for none. */
  overlays?: RegExp
  /**
   * The repository is bootstrapped by applying its `overlays` roots by hand (`kustomize build <root> | oc apply`): the
   * truth takes Argo CD's Applications and ApplicationSets from what those roots print, none from a file alone (its
   * files are bases and kustomize patches, never applied by themselves).
   */
  rootsOnly?: boolean
}

const REPOS_DIR = path.join(import.meta.dirname, 'repos')

/**
 * The clusters Argo CD lists in the suite (`--argocd-server` serves them; the truth's fake client holds them): the
 * shape gitops-bridge's Terraform registers, the hub itself as the in-cluster server with its labels and annotations
 * (so Argo CD lists no separate in-cluster), and a spoke (so an ApplicationSet whose name no cluster parameter
 * varies generates one name twice).
 */
export const CLUSTERS: OracleCluster[] = [
  {
    name: 'hub',
    server: 'https://kubernetes.default.svc',
    labels: {environment: 'control-plane', 'akuity.io/argo-cd-cluster-name': 'hub', enable_argocd: 'true'},
    annotations: {aws_cluster_name: 'hub', addons_repo_revision: 'main', workload_repo_revision: 'main'},
  },
  {
    name: 'spoke-dev',
    server: 'https://spoke-dev.example.com',
    labels: {environment: 'dev', 'akuity.io/argo-cd-cluster-name': 'spoke-dev', enable_argocd: 'true'},
    annotations: {aws_cluster_name: 'spoke-dev', addons_repo_revision: 'main', workload_repo_revision: 'main'},
  },
]

export const REPOS: HistoryRepo[] = [
  {
    name: 'gitops-bridge',
    bundle: path.join(REPOS_DIR, 'gitops-bridge', 'repo.bundle'),
    url: 'https://github.com/gitops-bridge-dev/gitops-bridge.git',
    commits: 50,
    clusters: CLUSTERS,
    argocdServer: true,
  },
  {
    // The same history without --argocd-server: a clusters generator the change does not touch is no failure.
    name: 'gitops-bridge-offline',
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
    // Bot commits that move an OCIRepository's tag; a tenant's GitRepository of this repository pinned to a branch.
    name: 'flux2-multi-tenancy',
    bundle: path.join(REPOS_DIR, 'flux2-multi-tenancy', 'repo.bundle'),
    url: 'https://github.com/fluxcd/flux2-multi-tenancy',
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
  {
    // An app of apps applied by hand (Terraform made its root, no file holds it) over base-apps/*.yaml, directory
    // sources with exclude globs, Helm charts of public repositories, and a git files generator's ApplicationSet.
    name: 'arigsela-kubernetes',
    bundle: path.join(REPOS_DIR, 'arigsela-kubernetes', 'repo.bundle'),
    url: 'https://github.com/arigsela/kubernetes',
    commits: 50,
    clusters: [],
  },
  {
    // Applied by hand: `kustomize build bootstrap/overlays/<env> | oc apply -f -` (scripts/bootstrap.sh) prints the
    // OpenShift GitOps instance, an app of apps over clusters/overlays/<env> (which prints itself again) and the
    // cluster-operators / cluster-configs ApplicationSets (list generators, repoURL and revision put in by kustomize
    // replacements) whose Applications deploy components/**/overlays/<channel> folders.
    name: 'ai-accelerator',
    bundle: path.join(REPOS_DIR, 'ai-accelerator', 'repo.bundle'),
    url: 'https://github.com/redhat-ai-services/ai-accelerator',
    // The newest 20 of the bundle's 50 (each commit renders every environment's operators: the slowest here).
    commits: 20,
    clusters: [],
    overlays: /^bootstrap\/overlays\/[^/]+$/,
    rootsOnly: true,
  },
  {
    // Applied by hand (k8s/README.md: `kubectl apply -k infra`, `kubectl apply -k sets`): k8s/sets prints the
    // `infrastructure` and `applications` Applications over k8s/infra and k8s/apps, each a kustomization printing an
    // AppProject and a git directories ApplicationSet over its groups; each group's kustomization prints one more
    // (commonLabels added), over its folders — the infrastructure groups' through the config management plugin
    // `kustomize-build-with-helm` (`kustomize build --enable-helm`: Helm charts of public repositories, kustomize
    // `helmCharts:`), the applications' plain kustomizations.
    name: 'vehagn-homelab',
    bundle: path.join(REPOS_DIR, 'vehagn-homelab', 'repo.bundle'),
    url: 'https://github.com/vehagn/homelab',
    commits: 50,
    clusters: [],
    overlays: /^k8s\/(infra|sets)$/,
    rootsOnly: true,
  },
  {
    // A home-ops cluster (onedr0p's cluster-template shape): the flux-system Kustomization over kubernetes/flux/cluster
    // (the FluxInstance's sync path, no file of the revision) prints cluster-apps over kubernetes/apps — a folder of
    // folders, no kustomization.yaml: kustomize-controller generates one over the namespace folders — whose builds
    // print each app's ks.yaml Kustomization carrying cluster-apps' patches (HelmRelease defaults) and its namespace;
    // most substitute from a SOPS-encrypted `cluster-secrets` Secret (postBuild.substituteFrom) their namespace's
    // build prints; HelmReleases of OCI charts. Renovate's commits move images and charts.
    name: 'npawelek-home-ops',
    bundle: path.join(REPOS_DIR, 'npawelek-home-ops', 'repo.bundle'),
    url: 'https://github.com/npawelek/home-ops',
    // The newest 15 of the bundle's 50 (each revision's truth builds some 90 Kustomizations, ≈ 30 s: the newest 30
    // took 20 minutes here; these 15 hold the synology-nfs-tuning job's five, Renovate's image bumps and a docs change).
    commits: 15,
    clusters: [],
  },
]
