/**
 * Which revision of this repository a source deploys, as the controllers resolve it: a same-repository source at the
 * branch under review (or `HEAD`, or no revision) deploys the revision under review; one pinned to another branch, a
 * tag or a commit (an Argo CD Application's `targetRevision`, a Flux GitRepository's `ref`) deploys that ref, not the
 * pull request's. The branches under review are the ones `gitops diff` compares (`--base`, `--head`), the branch
 * checked out, the default branch, and those a CI job reviews (src/effects/actions.ts reviewedBranches; for
 * `gitops preview`, the pull request's head and target); every other name is looked up among the clone's refs, read
 * once. `gitops diff`, `verify --render` and `preview` resolve pins alike.
 */
import {gitMaybe} from '../../effects/git.js'

/** A source pinned to another revision: the ref as written, what it names, and its commit where the clone has it. */
export interface Pin {
  ref: string
  kind: 'branch' | 'tag' | 'commit' | 'semver' | 'unknown'
  commit?: string
}

/** The pin of a ref (`undefined`: the revision under review). */
export type Pinned = (ref: string | undefined) => Pin | undefined

const COMMIT = /^[0-9a-f]{7,40}$/
const SEMVER_RANGE = /[*^~<>=|]|(^|\.)[xX](\.|$)/
const SHORT = (ref: string) => ref.replace(/^refs\/(heads|tags)\//, '').replace(/^(refs\/remotes\/)?origin\//, '')

/** The refs of the clone at `root` and the branches under review: the resolver of pins. */
export async function pinnedRevisions(root: string, underReview: ReadonlyArray<string | undefined>): Promise<Pinned> {
  const [refs, current, origin] = await Promise.all([
    gitMaybe(root, [
      'for-each-ref',
      '--format=%(refname) %(objectname) %(*objectname)',
      'refs/heads',
      'refs/tags',
      'refs/remotes',
    ]),
    gitMaybe(root, ['symbolic-ref', '--quiet', '--short', 'HEAD']),
    gitMaybe(root, ['symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD']),
  ])
  // Outside a git clone (`verify` on a plain folder) there is no other revision: the folder is what is read.
  if (!refs.ok) return () => undefined
  const review = new Set(
    ['', 'HEAD', ...underReview, current.ok ? current.stdout.trim() : '', origin.ok ? origin.stdout.trim() : '']
      .filter((r): r is string => r !== undefined && r !== '')
      .map(SHORT),
  )
  const branches = new Map<string, string>()
  const tags = new Map<string, string>()
  for (const line of refs.ok ? refs.stdout.split('\n') : []) {
    const [name, object, peeled] = line.split(' ')
    if (!name) continue
    if (name.startsWith('refs/tags/')) tags.set(name.slice('refs/tags/'.length), peeled || object)
    else if (!name.endsWith('/HEAD')) branches.set(SHORT(name), object)
  }
  // Without origin/HEAD, the default branch `gitops diff` compares with (../diff/revisions.ts): main, else master.
  if (!origin.ok) for (const b of ['main', 'master'].filter((b) => branches.has(b)).slice(0, 1)) review.add(b)
  return (written) => pinOf(written, {review, branches, tags})
}

function pinOf(
  written: string | undefined,
  refs: {review: ReadonlySet<string>; branches: ReadonlyMap<string, string>; tags: ReadonlyMap<string, string>},
): Pin | undefined {
  const ref = (written ?? '').trim()
  if (ref === '' || refs.review.has(SHORT(ref))) return undefined
  const tag = refs.tags.get(SHORT(ref))
  if (tag !== undefined && !ref.startsWith('refs/heads/')) return {ref, kind: 'tag', commit: tag}
  const branch = refs.branches.get(SHORT(ref))
  if (branch !== undefined) return {ref, kind: 'branch', commit: branch}
  if (COMMIT.test(ref)) return {ref, kind: 'commit', ...(ref.length === 40 ? {commit: ref} : {})}
  // A semver constraint (`1.*`, `>=1.2.0`, `~1.2`): the highest tag it matches, whatever this clone holds.
  if (SEMVER_RANGE.test(ref)) return {ref, kind: 'semver'}
  return {ref, kind: 'unknown'}
}

/** The pin of a Flux GitRepository's `spec.ref` (no ref: the revision under review, as the bootstrap's default). */
export function fluxPin(ref: unknown, pinned: Pinned): Pin | undefined {
  if (ref === null || typeof ref !== 'object') return undefined
  const r = ref as Record<string, unknown>
  const s = (k: string) => (typeof r[k] === 'string' && r[k] !== '' ? (r[k] as string) : undefined)
  // source-controller's precedence: commit, then name, then semver, then tag, then branch.
  const commit = s('commit')
  if (commit) return {ref: commit, kind: 'commit', ...(commit.length === 40 ? {commit} : {})}
  const name = s('name')
  if (name) return pinned(name)
  const semver = s('semver')
  if (semver) return {ref: semver, kind: 'semver'}
  const tag = s('tag')
  if (tag) {
    const found = pinned(`refs/tags/${tag}`)
    return {ref: tag, kind: 'tag', ...(found?.kind === 'tag' && found.commit ? {commit: found.commit} : {})}
  }
  return pinned(s('branch'))
}

/** How a pin is said: `tag v1.2.0 (commit 1a2b3c4d5e6f)`, `branch release-1`, `ref stable (not in this clone)`. */
export function describePin(pin: Pin): string {
  const what = pin.kind === 'unknown' ? 'ref' : pin.kind === 'semver' ? 'the tags matching' : pin.kind
  const at = pin.commit ? ` (commit ${pin.commit.slice(0, 12)})` : pin.kind === 'unknown' ? ' (not in this clone)' : ''
  return `${what} ${pin.ref}${at}`
}
