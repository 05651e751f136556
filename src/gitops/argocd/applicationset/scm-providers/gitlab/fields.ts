/**
 * The field table's rows of `scmProvider.gitlab` (docs/gitops-fields.md): the `scmProvider` generator with `gitlab`,
 * evaluated as services/scm_provider/gitlab.go asks GitLab through client-go v1.46.0 (`--scm-provider gitlab`), proven
 * by the cases of argo-cd v3.5.1's gitlab_test.go over its own canned answers. The fields that shape GET
 * /groups/{id}/projects are held to the request URIs argo-cd's own mock serves (the query client-go sends): GitLab
 * publishes no description of that operation, so its answers are Argo CD's canned ones from a real GitLab, and the
 * fake checks the request exactly, not against a description.
 */
import {providerFields} from '../provider-fields.js'

/** A note of a field that shapes the group's listing, and where that listing's shape is held. */
const listing = (note: string) =>
  `${note} (GET /groups/{id}/projects as client-go sends it, held to the request URIs of Argo CD's mock and its canned answers: GitLab publishes no description of that operation)`

export const gitlabFields = providerFields(
  'scm-providers/gitlab/gitlab.test.ts',
  "with --scm-provider gitlab (GitLab's API at --api-url, else https://gitlab.com; GITLAB_TOKEN); without it the generator is not rendered, named",
  [
    [
      'group',
      'multiple repos with labels: every parameter, short_sha of a short sha',
      listing(
        "the group's projects, every page (the first unnumbered, then X-Next-Page until X-Page reaches X-Total-Pages); organization is the namespace's full path, labels the topics, else the tag_list",
      ),
    ],
    [
      'includeSubgroups',
      'all subgroups: includeSubgroups lists the subgroup project',
      listing('include_subgroups, always sent'),
    ],
    [
      'includeSharedProjects',
      'all subgroups and shared projects: includeSharedProjects true, and unset (WillIncludeSharedProjects)',
      listing('with_shared; unset is true, as WillIncludeSharedProjects reads it'),
    ],
    ['topic', 'specific topic: topic is the listing query', listing('topic, sent even when empty')],
    [
      'includeArchivedRepos',
      'all branches with archived repos: includeArchivedRepos asks archived=true',
      listing('archived=true, sent only when set'),
    ],
    [
      'api',
      'the API of another host is never asked: not rendered, named; the same API with /api/v4 is this one',
      "the base URL as client-go sets it (a trailing slash, then api/v4/); an empty api is https://gitlab.com/api/v4/; any other than the run's API is never asked",
    ],
    [
      'allBranches',
      'all branches: every branch, one page (no X-Next-Page)',
      'GET …/repository/branches, every page until X-Next-Page is 0 (a 404 is none); without it GET …/branches/{default branch} (a 404 is none)',
    ],
  ],
)
