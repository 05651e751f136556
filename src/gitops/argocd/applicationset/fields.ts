/**
 * Argo CD ApplicationSet (argoproj/argo-cd v3.5.1, manifests/crds/applicationset-crd.yaml): the field table. Its
 * template is an Application: `spec.template.spec.*` (and the template of every generator, which Argo CD merges over
 * it) is classified by the Application's table (./application.ts); a generator nested in a matrix or a merge is
 * classified as the same generator at the top (`spec.generators[].matrix.generators[].git.*` → `spec.generators[].git.*`).
 */
import {githubRow} from './scm-providers/github/fields.js'
import {SCM_PROVIDERS} from './scm-providers/registry.js'
import {exact, notRendering, unsupported, type Rule, type Rules} from '../../fields/model.js'

const EXPAND = 'gitops/argocd/applicationset/applicationset-expand.test.ts'
const FIELDS = 'gitops/argocd/applicationset/applicationset-fields.test.ts'
const components = 'deploys each component per environment, valueFiles layered _shared then env/<env>'
const matrix = 'matrix of git directories × list, in fasttemplate (flattened keys, unknown tags left verbatim)'
const merge = 'merge: later children override the base sets with equal merge keys; fasttemplate flattens file content'
const selector =
  'a generator-level template is merged over spec.template, and a selector filters on the flattened params'
const notRendered = 'lists pullRequest (also inside a matrix) and clusters as not rendered, and still expands the rest'
const CLUSTERS = 'gitops/argocd/applicationset/applicationset-clusters.test.ts'
const GENERATORS = 'src/gitops/argocd/applicationset/generators.ts'

/** A generator the gate does not evaluate: the Applications it would generate are named, never rendered. */
const needs = (what: string) =>
  unsupported(
    `this generator ${what}: the gate does not evaluate it, so the Applications it generates are not rendered (named).`,
    {
      test: {file: EXPAND, title: notRendered},
      reportedBy: GENERATORS,
    },
  )

/**
 * Of the SCM generators (never evaluated, above): how Argo CD reaches the SCM — credentials, CA, TLS, polling — is
 * nothing of what is rendered; what it lists (owner, repository, labels, filters, the API server) is the generator's.
 */
function scmConnection(): Rules {
  const auth = notRendering('how Argo CD authenticates to the SCM API')
  const tls = notRendering("how Argo CD's connection to the SCM API is secured")
  const connection: Record<string, Record<string, string[]>> = {
    pullRequest: {
      azuredevops: ['tokenRef.**'],
      bitbucket: ['basicAuth.**', 'bearerToken.**'],
      bitbucketServer: ['basicAuth.**', 'bearerToken.**', 'caRef.**', 'insecure'],
      gitea: ['tokenRef.**', 'insecure'],
      github: ['tokenRef.**', 'appSecretName'],
      gitlab: ['tokenRef.**', 'caRef.**', 'insecure'],
    },
    scmProvider: Object.fromEntries(SCM_PROVIDERS.map((p) => [p.id, [...p.connection]])),
  }
  const out: Record<string, Rule> = {}
  for (const [generator, providers] of Object.entries(connection)) {
    out[`spec.generators[].${generator}.requeueAfterSeconds`] = notRendering('polling')
    for (const [provider, fields] of Object.entries(providers))
      for (const field of fields)
        out[`spec.generators[].${generator}.${provider}.${field}`] = /^(caRef|insecure)/.test(field) ? tls : auth
  }
  return out
}

/**
 * The `clusters` generator: evaluated as cluster.go does over the clusters Argo CD's API lists (`--argocd-server`,
 * ARGOCD_AUTH_TOKEN), each field proven by a case ported from argo-cd v3.5.1's cluster_test.go; without the API it is
 * named not rendered (generators.ts), as the row of the other API generators says.
 */
function clusters(): Rules {
  const at = 'spec.generators[].clusters'
  const api = "with --argocd-server (Argo CD's GET /api/v1/clusters); without it the generator is not rendered, named"
  const expressions = exact(
    CLUSTERS,
    'production or staging: matchExpressions In',
    `${api}; over the Secret's labels (the API's labels and argocd.argoproj.io/secret-type), NotIn and DoesNotExist hold without the label, a key or value Kubernetes refuses fails the generator`,
  )
  return {
    [`${at}.flatList`]: exact(CLUSTERS, 'flat list without selectors: one set, {clusters: [every set]}', api),
    [`${at}.selector.matchLabels`]: exact(
      CLUSTERS,
      'production-only: matchLabels',
      `${api}; any selector leaves out the local cluster, which has no Secret`,
    ),
    [`${at}.selector.matchExpressions[].key`]: expressions,
    [`${at}.selector.matchExpressions[].operator`]: expressions,
    [`${at}.selector.matchExpressions[].values[]`]: expressions,
    [`${at}.values`]: exact(
      CLUSTERS,
      'no label selector: every Secret, then the local cluster, values rendered with each',
      `${api}; each value rendered with its cluster's parameters (name, nameNormalized, server, project, metadata), never with the other values`,
    ),
  }
}

/**
 * The `scmProvider` generator: its own fields (filters, cloneProtocol, values) evaluated as scm_provider.go and
 * services/scm_provider/utils.go do, proven by the GitHub provider's cases (argo-cd v3.5.1's utils_test.go and
 * scm_provider_test.go); each provider's fields are its own rows (src/gitops/argocd/applicationset/scm-providers/
 * <provider>/fields.ts). Without --scm-provider (or with another provider's) the generator is named not rendered.
 */
function scmProvider(): Rules {
  const at = 'spec.generators[].scmProvider'
  const row = githubRow
  const branchFilter = row(
    'a repository filter with a branch field is a branch filter: all its fields hold per branch',
    'a filter with branchMatch, pathsExist or pathsDoNotExist holds per branch, all its fields; the filters an OR',
  )
  return {
    ...Object.fromEntries(SCM_PROVIDERS.flatMap((p) => Object.entries(p.fields(`${at}.${p.id}`)))),
    [`${at}.filters[].repositoryMatch`]: row(
      'TestFilterRepoMatch: repositoryMatch "n|hr"',
      "Go's regexp (one that does not compile fails the generator before any request)",
    ),
    [`${at}.filters[].labelMatch`]: row('TestFilterLabelMatch: labelMatch "^prod-.*$" on any topic'),
    [`${at}.filters[].branchMatch`]: branchFilter,
    [`${at}.filters[].pathsExist[]`]: row(
      'TestFilterPathExists: pathsExist',
      'GET …/contents/{path}?ref={branch} (a trailing slash trimmed; 404 is absent, any other failure fails the generator)',
    ),
    [`${at}.filters[].pathsDoNotExist[]`]: row('TestFilterPathDoesntExists: pathsDoNotExist'),
    [`${at}.cloneProtocol`]: row(
      'other protocol: the generator fails',
      'ssh (the default) or https picks the url parameter; any other fails the generator when a repository is listed',
    ),
    [`${at}.values`]: row(
      'value interpolation (fasttemplate): values.<key>, rendered with the set',
      'each value rendered with its set (values.<key>, or a `values` map in goTemplate)',
    ),
  }
}

/**
 * What decides whether the pull request under review is listed: evaluated by `gitops preview` for that pull request
 * as Argo CD's ListPullRequests does (gitops diff and verify name the generator not rendered, as the row above says).
 */
function pullRequestFilters(): Rules {
  const PREVIEW = 'gitops/preview/gitops-preview.test.ts'
  const note = 'evaluated by gitops preview for the pull request under review; diff and verify name the generator'
  const filters =
    "a filter's titleMatch and targetBranchMatch match the title and base branch, as Argo CD's ListPullRequests does; without --title it is a finding"
  const labels =
    "the example's ApplicationSet: a PR without the label is not previewed, with the filter that dropped it"
  const at = 'spec.generators[].pullRequest'
  return {
    [`${at}.filters[].branchMatch`]: exact(
      PREVIEW,
      'a branch the filters do not match is not previewed; a PR whose images are all there and signed is ready (exit 0)',
      note,
    ),
    [`${at}.filters[].targetBranchMatch`]: exact(PREVIEW, filters, note),
    [`${at}.filters[].titleMatch`]: exact(PREVIEW, filters, note),
    [`${at}.github.labels[]`]: exact(PREVIEW, labels, note),
    [`${at}.gitlab.labels[]`]: exact(PREVIEW, 'gitlab-labels', note),
    [`${at}.gitea.labels[]`]: exact(PREVIEW, 'gitea-labels', note),
    [`${at}.azuredevops.labels[]`]: exact(PREVIEW, 'azuredevops-labels', note),
    [`${at}.values`]: exact(
      PREVIEW,
      "pullRequest values: rendered with the pull request's parameters, the template reads them as .values",
      note,
    ),
    [`${at}.continueOnRepoNotFoundError`]: exact(
      PREVIEW,
      'continueOnRepoNotFoundError: the pull request under review is in its repository, so it is listed as without it',
      `${note}; the controller reads it only when listing fails with the repository not found (pull_request.go), which cannot be for the repository of the pull request under review`,
    ),
    ...pullRequestRepository(at, note),
  }
}

/**
 * Which repository's pull requests a generator lists (its provider's API base and repository), against the pull
 * request's repository (--repository, or the event's): gitops preview drops the PR from another repository's.
 */
function pullRequestRepository(at: string, note: string): Rules {
  const REPO = 'gitops/argocd/applicationset/pull-request-repository.unit.test.ts'
  const PREVIEW = 'gitops/preview/gitops-preview.test.ts'
  const rows: Record<string, [string, string[]]> = {
    'github owner and repo: its repository on github.com, whatever the case or a clone URL': [
      'github',
      ['owner', 'repo'],
    ],
    'github api: an enterprise server lists the repositories at its host': ['github', ['api']],
    'gitlab project and api: a project by its path, nested groups included; by its ID, not known': [
      'gitlab',
      ['project'],
    ],
    'gitlab api: a self-managed instance': ['gitlab', ['api']],
    'gitea api, owner and repo': ['gitea', ['api', 'owner', 'repo']],
    'bitbucketServer api, project and repo: its web pages and its clone URLs': [
      'bitbucketServer',
      ['api', 'project', 'repo'],
    ],
    'bitbucket owner and repo: Bitbucket Cloud': ['bitbucket', ['owner', 'repo']],
    'bitbucket api: api.bitbucket.org is bitbucket.org': ['bitbucket', ['api']],
    'azuredevops organization, project and repo: dev.azure.com and the legacy host': [
      'azuredevops',
      ['organization', 'project', 'repo'],
    ],
    'azuredevops api: a server, the organization (collection) under its path': ['azuredevops', ['api']],
  }
  const out: Record<string, Rule> = {}
  for (const [title, [provider, fields]] of Object.entries(rows))
    for (const field of fields) out[`${at}.${provider}.${field}`] = exact(REPO, title, note)
  out[`${at}.gitlab.pullRequestState`] = exact(
    PREVIEW,
    'the repository: a generator of another repository does not list the PR; a GitLab project by ID is a finding; a GitLab state that is not open drops it',
    `${note}: the pull request under review is open, listed unless the state asked is closed, merged or locked`,
  )
  return out
}

export const applicationSetRules: Rules = {
  'spec.template.metadata.name': exact(EXPAND, components, "the Application's name (its release name, its variables)"),
  'spec.template.metadata.namespace': notRendering("the Application object's namespace"),
  'spec.template.metadata.labels': notRendering(),
  'spec.template.metadata.annotations': notRendering(),
  'spec.template.metadata.finalizers[]': notRendering(),
  'spec.goTemplate': exact(
    EXPAND,
    'missingkey=error fails the ApplicationSet on an unknown key; without it Go prints <no value>',
  ),
  'spec.goTemplateOptions[]': exact(
    EXPAND,
    'missingkey=error fails the ApplicationSet on an unknown key; without it Go prints <no value>',
  ),
  'spec.templatePatch': exact(
    EXPAND,
    'templatePatch is rendered as text, parsed as YAML and merged: lists replaced, spec.project kept',
  ),
  'spec.applyNestedSelectors': exact(
    FIELDS,
    'applyNestedSelectors ignored (Argo CD 3.0+): a nested selector applies without it, with false and with true',
    'ignored since Argo CD 3.0: a nested selector always applies',
  ),
  'spec.generators[].list.elements[]': exact(EXPAND, matrix),
  'spec.generators[].list.elementsYaml': exact(
    FIELDS,
    'list.elementsYaml: the documented matrix of a git file and its list through toJson',
  ),
  'spec.generators[].git.repoURL': exact(EXPAND, components, 'this repository; another one is not fetched (named)'),
  'spec.generators[].git.revision': notRendering('the revision under review is what the gate reads'),
  'spec.generators[].git.files[].path': exact(
    EXPAND,
    'matches files with git pathspec semantics, checked against the real `git ls-files`',
  ),
  'spec.generators[].git.files[].exclude': exact(
    FIELDS,
    'git.files exclude: the files an exclude pathspec lists are removed from those the includes list',
  ),
  'spec.generators[].git.directories[].path': exact(EXPAND, matrix),
  'spec.generators[].git.directories[].exclude': exact(
    FIELDS,
    'git.directories exclude: a folder an exclude item matches is left out, before or after the include',
  ),
  'spec.generators[].git.pathParamPrefix': exact(
    FIELDS,
    'git.pathParamPrefix: the path parameters under the prefix, so two git generators in a matrix keep both',
  ),
  'spec.generators[].git.values': exact(
    FIELDS,
    'git.values in a matrix: pre-resolved with the first child, then rendered with the git set',
  ),
  'spec.generators[].git.requeueAfterSeconds': notRendering('polling'),
  'spec.generators[].matrix': exact(EXPAND, matrix, 'a matrix nested in a matrix or a merge'),
  'spec.generators[].merge': exact(EXPAND, merge, 'a merge nested in a matrix or a merge'),
  'spec.generators[].merge.mergeKeys[]': exact(EXPAND, merge),
  'spec.generators[].selector.**': exact(EXPAND, selector),
  ...clusters(),
  'spec.generators[].clusterDecisionResource.**': needs('reads a duck-typed resource from the cluster'),
  ...scmProvider(),
  ...scmConnection(),
  ...pullRequestFilters(),
  'spec.generators[].plugin.**': needs('calls a plugin service over HTTP'),
  'spec.ignoreApplicationDifferences[].**': notRendering('what the controller may leave different in the Applications'),
  'spec.preservedFields.**': notRendering('what the controller keeps of the Applications'),
  'spec.strategy.**': notRendering('the order of the sync'),
  'spec.syncPolicy.**': notRendering('whether Applications are created, updated, deleted'),
}
