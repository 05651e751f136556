import type {Kind} from '../primitives/kinds.js'

/** The links of backlog/671's Definition of Done, in order. */
export const LINK_IDS = ['verify', 'image', 'wiring', 'enablement', 'deployed'] as const
export type LinkId = (typeof LINK_IDS)[number]

/**
 * The state of one link. `done`: the link holds. `pending`: a pull request that makes it hold is open. `behind`: it
 * holds for an older image (or an unpinned one, or Argo CD has not caught up). `absent`: nothing there yet. `failed`:
 * it is there and wrong (verify findings, missing evidence, an unhealthy application). `unknown`: it cannot be known
 * (no token, a remote kept failing): `reason` says why — never a guess.
 */
export const LINK_STATES = ['done', 'pending', 'behind', 'absent', 'failed', 'unknown'] as const
export type LinkState = (typeof LINK_STATES)[number]

export interface PullRequestRef {
  number: number
  url: string
  branch: string
}

export interface LinkStatus {
  link: LinkId
  /** enablement and deployed: the environment. */
  env?: string
  state: LinkState
  /** One line for humans: what was found. */
  summary: string
  /** unknown: why it cannot be known. */
  reason?: string
  /** pending: the open pull request. */
  pullRequest?: PullRequestRef
  /** Facts of the link (schema: per link). */
  details: Record<string, unknown>
}

export interface PrimitiveStatus {
  kind: Kind
  name: string
  version: string
  /** `<kind>-<name>-<version>`: the GitOps component. */
  component: string
  /** `<registry>/primitive-<kind>-<name>`. */
  repository: string
  /** True when every link is done. */
  done: boolean
  links: LinkStatus[]
  /** The one next command for this primitive (empty when done), exact. */
  nextSteps: string[]
}

export interface StatusResult {
  /** The commit whose image is looked for (HEAD, or --sha). */
  sha: string
  registry: string
  gitops: {repository: string; ref: string}
  environments: string[]
  /** The Argo CD server asked, or null without --argocd-server. */
  argocdServer: string | null
  summary: 'done' | 'not-done'
  primitives: PrimitiveStatus[]
  /** HTTP requests sent, per system (registry token requests included). */
  requests: {registry: number; github: number; argocd: number}
  /** The next command of every primitive that is not done, in primitive order. */
  nextSteps: string[]
}
