/**
 * The real-history suite's reviewed exceptions (where the truth, not ameide, is short) and known limits of ameide
 * (where ameide is): real-history.test.ts fails on any other bad class, and on a known limit that is one no more.
 */
import type {Klass} from './compare.js'

// ai-accelerator (its bootstrap overlays print an app of apps and two list ApplicationSets per environment; each
// environment is a cluster of its own). The truth has no environments: an object is keyed by kind, namespace and name
// over the whole repository, and a key changes when the set of its bodies does. Where an environment is added or
// removed, or an object is added to or removed from some environments that others hold, ameide says added or removed
// in that environment (the object does appear on, or leave, that cluster), where the truth sees the key's set of
// bodies changed, or nothing where the other environments' bodies are the same. (fb9d87dae0 also holds a
// `kueue.openshift.io` Kueue, whose scope ameide does not know and so gives no namespace, where the truth gives it
// the Application's.)
const AIA_ENVIRONMENTS = {
  klass: 'wrong-detail' as const,
  why:
    'ai-accelerator: an environment (bootstrap/overlays/<env>) added or removed, or objects added to or removed from ' +
    'some environments that others hold: ameide says added or removed in that environment, the truth (no ' +
    "environments) sees the key's set of bodies changed, or nothing",
}

/**
 * Reviewed exceptions: commit → the one class it may take there, and why the truth, not ameide, is short there. Any
 * other bad class on that commit still fails.
 */
export const EXCEPTIONS = new Map<string, {klass: Klass; why: string}>([
  [
    '7b9196e31c4e5bf93505dd8c148baa6a49f6e264',
    {
      klass: 'wrong-detail',
      why:
        "flux2-kustomize-helm-example moves its Kustomizations to ExternalArtifacts made by an ArtifactGenerator (Flux 2.7's " +
        'source-watcher) from this repository: the truth does not run source-watcher, so from here on it holds those ' +
        'Kustomizations external, and sees their objects removed where ameide follows the artifact',
    },
  ],
  [
    '242c5b1eb198aeefdc88f384c8aac7f661545e68',
    {
      klass: 'false-incomplete',
      why:
        'an envoy-gateway HelmRelease added under infrastructure/, which an ExternalArtifact of an ArtifactGenerator carries: ' +
        'the truth does not run source-watcher, so it sees nothing touched where ameide rightly cannot render the chart',
    },
  ],
  [
    'b3d1eb0ac09413b1a4a310ce923a96294592724b',
    {
      klass: 'wrong-detail',
      why:
        "the change is a HelmRelease's spec.test.enable (Helm test hooks, never applied): the truth fingerprints a " +
        'HelmRelease from a Helm repository by its whole spec, so it calls the release touched where ameide knows the ' +
        'field decides no render',
    },
  ],
  // Both in both gitops-bridge runs. Its bootstrap ApplicationSets (addons.yaml, workloads.yaml of each example) take
  // repoURL and path wholly from cluster annotations
  // (`{{metadata.annotations.addons_repo_basepath}}{{metadata.annotations.addons_repo_path}}`, a directory source with
  // recurse), and the added files change what a directory source over their folder deploys — a JSON file is one
  // object or a failure to Argo CD (getObjsFromYAMLOrJSON), a YAML file of objects is deployed. What decides it lies
  // outside the revision, and the truth holds it where ameide is not given it:
  // - Offline: the truth evaluates the clusters generator over its fixed cluster list, which the offline run is not
  //   given; without it a cluster may name any folder of this repository.
  // - With --argocd-server (hub and spoke-dev): `bootstrap-addons` is one fixed name for both clusters, so Argo CD's
  //   applicationset controller refuses that name (validateGeneratedApplications) yet neither updates nor deletes the
  //   Application of that name that exists (deleteInCluster keeps every generated name): its spec is an earlier
  //   reconcile's — live state, no file of the revision — and it renders this commit. The truth holds no live
  //   Application and takes a set refusing a duplicate name as decided by its own spec alone.
  // So "incomplete" is the only answer that is never a wrong "no change". (The Pulumi*.yaml files, unrelated YAML a
  // directory source ignores, could be bound out; the JSON files beside them cannot.)
  [
    'a4d55d01e657094d861a467f668cc740304d6e02',
    {
      klass: 'false-incomplete',
      why:
        "a Pulumi project added (package.json, tsconfig.json, Pulumi*.yaml) where gitops-bridge's bootstrap " +
        'ApplicationSets may read (their path is cluster annotations the offline run is not given; with two clusters ' +
        'Argo CD keeps, under a refused duplicate name, a live Application of an earlier spec): the truth holds a ' +
        'fixed cluster list and no live Application, so it sees nothing touched',
    },
  ],
  [
    'af899c9f587a9972d14b51510d3fe4f86f9f9e14',
    {
      klass: 'false-incomplete',
      why:
        'Kubernetes objects added under a Terraform example (test/vpc-*.yaml, Crossplane VPCs) where the same ' +
        'ApplicationSets may read and would deploy them: the same limit of the truth',
    },
  ],
  ['67c693b1b54e321484a3c3873b2e6d58ae11825c', AIA_ENVIRONMENTS],
  ['bf0e5f6a3ce20681e640a0538b06bc5f1e06a981', AIA_ENVIRONMENTS],
  ['1e6df13334614bd9a1e3cfb0beee861de517a767', AIA_ENVIRONMENTS],
  ['fb9d87dae01e40f37505a69327960f2c2c07f5b5', AIA_ENVIRONMENTS],
  ['b6622b4edc0e75f79587c4927d8e1912bec10ad7', AIA_ENVIRONMENTS],
  ['3033e17351a6c5a4320dac17516c19aa97c1cf78', AIA_ENVIRONMENTS],
  ['00e3f60b024fabbac414323067161fc420a237bc', AIA_ENVIRONMENTS],
  ['acb4920000cd369bfe99aa068cf3ce7db5f51a1f', AIA_ENVIRONMENTS],
  ['68cee662327496a604ebe3f41785cc5a289d6a33', AIA_ENVIRONMENTS],
  ['ec3fb1c199c4c0c75083709b1bc49c713b4ebca4', AIA_ENVIRONMENTS],
  ['4bde53219bbdda99406cf0183d1959561919710a', AIA_ENVIRONMENTS],
  ['858ab8f3dfad337852008bd4c9e2536b96e563bb', AIA_ENVIRONMENTS],
  // Argo CD fails the base's Application too (its path, overlays/fast-nvidia-gpu, does not exist): what it deployed
  // before is live state, no file of the revision, so ameide leaves its objects out (unknown, incomplete); the truth
  // counts a failed render as no objects, so the head's are added or changed.
  [
    '8ea6da35285796ef134ac9cf9112aa9417e92138',
    {
      klass: 'wrong-detail',
      why:
        "ai-accelerator: a generated Application's path fixed, its base render failing in Argo CD too: ameide leaves " +
        "its objects out (unknown), the truth counts the failed render as none and the head's as added or changed",
    },
  ],
])

/**
 * Known limits of ameide (not of the truth): the suite fails when one is fixed (take it out) as when a new one
 * appears. (ai-accelerator's base-no-tenants placeholders, read as applied alone, were fixed before: its Applications
 * are now taken as the bootstrap overlays print them.)
 */
export const KNOWN_LIMITS = new Map<string, string>([
  // (npawelek-home-ops' synology-nfs-tuning commits were the last: a Flux folder reading a file outside it, and the
  // printed Kustomizations substituting from a Secret the revision does not hold read as their parent's whole build.)
])
