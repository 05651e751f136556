/**
 * AWS CodeCommit (`scmProvider.awsCodeCommit`, Argo CD v3.5.1's services/scm_provider/aws_codecommit.go): the registry's line for it. This folder holds all of
 * it: service.ts (the generator's side: what it asks, what it makes of the answers), listing.ts (what is asked of the
 * API, within the run's bounds), client.ts (the HTTP client), fields.ts (its rows of the field table).
 */
import {scmProvider} from '../provider.js'
import {awsCodeCommitFields} from './fields.js'
import {awsCodeCommitService, type CodeCommitProtocol} from './service.js'

export const awsCodeCommit = scmProvider<CodeCommitProtocol>({
  id: 'awsCodeCommit',
  option: 4,
  flag: "awsCodeCommit (the CodeCommit endpoint from --api-url, else https://codecommit.<AWS_REGION or AWS_DEFAULT_REGION>.amazonaws.com, the tagging API's derived from it; requests signed with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN; a generator's region other than AWS_REGION is not asked)",
  apiUrlRequired: false,
  service: awsCodeCommitService,
  listing: async () => (await import('./listing.js')).awsCodeCommitListing,
  connection: ['role'],
  fields: awsCodeCommitFields,
})
