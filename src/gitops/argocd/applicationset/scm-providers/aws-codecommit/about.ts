/** awsCodeCommit's description (./index.ts is all of it): what `--scm-provider`'s help and the field table say of it. */
import type {ScmProviderAbout} from '../provider.js'

export const awsCodeCommitAbout = {
  id: 'awsCodeCommit',
  option: 4,
  flag: "awsCodeCommit (the CodeCommit endpoint from --api-url, else https://codecommit.<AWS_REGION or AWS_DEFAULT_REGION>.amazonaws.com, the tagging API's derived from it; requests signed with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN; a generator's region other than AWS_REGION is not asked)",
  apiUrlRequired: false,
  connection: ['role'],
} as const satisfies ScmProviderAbout
