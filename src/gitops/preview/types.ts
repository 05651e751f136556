/** What `ameide gitops preview` answers: will this pull request's preview environment come up? */
import type {YamlModule} from '../../images/yaml/index.js'
import type {CheckoutIdentity} from '../model/context.js'
import type {PullRequest} from '../model/types.js'
import type {RegisteredClusters, ScmProviderApi} from '../model/types.js'
import type {Layout} from '../layout/index.js'
import type {EvidenceFacts} from '../evidence/types.js'

/** What generating a preview and rendering it both read: the checkout and its layout, the PR, the outside lists. */
export interface PreviewSource {
  root: string
  files: string[]
  layout: Layout
  yaml: YamlModule
  checkout: CheckoutIdentity
  pullRequest: PullRequest
  clusters?: RegisteredClusters
  /** GitHub's API (`--scm-provider github`): the `scmProvider.github` generators ask it. */
  scm?: ScmProviderApi
}

/** The rules of a preview's findings: its own, and the preview-* rules of `gitops verify`. */
export type PreviewFindingRule =
  | 'not-previewed'
  | 'generation-failed'
  | 'pull-request-input-missing'
  | 'render-failed'
  | 'render-unavailable'
  | 'image-missing'
  | 'image-unresolved'
  | 'unsigned'
  | 'sbom-missing'
  | 'provenance-missing'
  | 'provenance-commit'
  | 'evidence-mismatch'
  | 'namespace-missing'
  | 'preview-project'
  | 'preview-namespace'
  | 'preview-untrusted'
  | 'preview-template-strict'
  | 'preview-cleanup'
  | 'preview-pr-input'
  | 'preview-refresh'

export interface PreviewFinding {
  rule: PreviewFindingRule
  severity: 'error' | 'warning'
  message: string
  /** The generated Application it is about. */
  application?: string
  /** The image it is about, as the Application pulls it. */
  image?: string
  /** The repo-relative file and line of the GitOps revision that decided it. */
  file?: string
  line?: number
  /** The command that fixes it, where one does. */
  fix?: string
}

export interface PreviewImage {
  /** As the rendered container names it. */
  ref: string
  /** The manifest digest the registry answered (null: it has none, or was not asked). */
  digest: string | null
  exists: boolean
  /** The value line that set it. */
  file: string
  line: number
  /** With --evidence: signature, SBOM and provenance of the digest. */
  evidence?: EvidenceFacts
}

export interface PreviewApplication {
  name: string
  /** The destination namespace. */
  namespace: string
  /** The ApplicationSet that generates it, and where. */
  applicationSet: string
  file: string
  ready: boolean
  images: PreviewImage[]
}

export interface PreviewResult {
  /** Some ApplicationSet's pull-request generator lists this pull request. */
  previewed: boolean
  /** Previewed, every Application rendered, every image there (and its evidence), every namespace created. */
  ready: boolean
  pr: {
    number: number
    headSha: string
    branch?: string
    targetBranch?: string
    labels: string[]
    title?: string
    author?: string
    repository?: string
    /** Where the repository was said: --repository, the pull_request event, or every pull-request generator listing it. */
    repositoryFrom?: 'flag' | 'event' | 'generators'
  }
  /** The ApplicationSets with a pull-request generator, and whether each previews this PR. */
  applicationSets: Array<{name: string; file: string; previewed: boolean; reason?: string}>
  applications: PreviewApplication[]
  findings: PreviewFinding[]
  /** With --markdown: where the pull-request comment was written. */
  markdown?: {file: string; characters: number}
}
