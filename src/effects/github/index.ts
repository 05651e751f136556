/**
 * src/effects/github/: the one way ameide talks to GitHub. client.ts (verb groups over transport.ts, openGitHub),
 * actions.ts · contents.ts · git-data.ts · pulls.ts · repositories.ts · users.ts (one file per verb group), errors.ts (GitHubApiError
 * and the mapping to registered codes), token.ts, target.ts (repository/workflow names, API URL), branch.ts.
 */
export {openGitHub, type GitHubClient} from './client.js'
export {GitHubApiError, asAmeideError, guardGitHub, type GitHubStage} from './errors.js'
export {type GitHubTransportOptions} from './transport.js'
export type {DispatchBody, RepoRef, WorkflowRun} from './types.js'
