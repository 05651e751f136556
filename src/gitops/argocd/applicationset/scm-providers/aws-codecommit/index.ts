/**
 * AWS CodeCommit (`scmProvider.awsCodeCommit`, Argo CD v3.5.1's services/scm_provider/aws_codecommit.go): the registry's line for it. This folder holds all of
 * it: service.ts (the generator's side: what it asks, what it makes of the answers), listing.ts (what is asked of the
 * API, within the run's bounds), client.ts (the HTTP client), fields.ts (its rows of the field table).
 */
import {scmProvider} from '../provider.js'
import {awsCodeCommitFields} from './fields.js'
import {awsCodeCommitService, type CodeCommitProtocol} from './service.js'
import {awsCodeCommitAbout} from './about.js'

export const awsCodeCommit = scmProvider<CodeCommitProtocol>({
  ...awsCodeCommitAbout,
  service: awsCodeCommitService,
  listing: async () => (await import('./listing.js')).awsCodeCommitListing,
  fields: awsCodeCommitFields,
})
