/**
 * What the attestations cosign verified say, and whether that is what the evidence policy allows. Pure functions:
 * cosign's `verify-attestation` stdout (one DSSE envelope a line) in, in-toto statements, facts and mismatches out.
 * - Provenance (SLSA v1, https://slsa.dev/provenance/v1): the subject digest is the image's; the source repository
 *   (`buildDefinition.externalParameters.repository` and the `git+<repo>@<commit>` resolved dependency, which must
 *   agree), the builder id (globs), the build type and the commit.
 * - SBOM: a CycloneDX (https://cyclonedx.org/bom) or SPDX (https://spdx.dev/Document) document that names components.
 */
import {globMatcher} from '../core/glob.js'
import type {ProvenanceRequirements} from '../core/evidence-policy.js'

/** An in-toto statement (v0.1 or v1) as decoded from a DSSE envelope's payload. */
export interface Statement {
  _type?: unknown
  predicateType?: unknown
  subject?: unknown
  predicate?: unknown
}

export const CYCLONEDX_PREDICATE = 'https://cyclonedx.org/bom'
export const SPDX_PREDICATE = 'https://spdx.dev/Document'

/** Something a statement says that the policy does not allow: which field, what is allowed, what it says. */
export interface Mismatch {
  field: 'subject' | 'repository' | 'resolvedDependencies' | 'builder' | 'buildType' | 'commit' | 'statement'
  allowed: string
  found: string
}

/** What a provenance says (each field absent when it says nothing usable). */
export interface ProvenanceFacts {
  repository?: string
  commit?: string
  builder?: string
  buildType?: string
}

export interface SbomFacts {
  format: 'cyclonedx' | 'spdx'
  components: number
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined)

/**
 * The statements of cosign's stdout: each non-empty line a DSSE envelope whose base64 payload is an in-toto
 * statement. A line that is none of these is a problem (the caller fails closed on it).
 */
export function decodeEnvelopes(stdout: string): {statements: Statement[]; problems: string[]} {
  const statements: Statement[] = []
  const problems: string[] = []
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue
    try {
      const envelope = JSON.parse(line) as unknown
      if (!isObject(envelope) || typeof envelope.payload !== 'string') throw new Error('not a DSSE envelope')
      if (envelope.payloadType !== 'application/vnd.in-toto+json') {
        throw new Error(`payload type ${JSON.stringify(envelope.payloadType)} is not in-toto`)
      }
      const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as unknown
      if (!isObject(statement)) throw new Error('the payload is not a JSON object')
      statements.push(statement)
    } catch (error) {
      problems.push(`an attestation cosign verified could not be read: ${(error as Error).message}`)
    }
  }
  return {statements, problems}
}

/** The subject mismatch of a statement that is not about `digest` (`sha256:<hex>`), or undefined. */
export function subjectMismatch(statement: Statement, digest: string): Mismatch | undefined {
  const want = digest.replace(/^sha256:/, '')
  const subjects = Array.isArray(statement.subject) ? statement.subject : []
  const digests = subjects.map((s) => (isObject(s) && isObject(s.digest) ? str(s.digest.sha256) : undefined))
  if (digests.includes(want)) return undefined
  const found = digests.filter((d): d is string => d !== undefined).map((d) => `sha256:${d}`)
  return {field: 'subject', allowed: digest, found: found.length > 0 ? found.join(', ') : '(no sha256 subject)'}
}

/** `https://github.com/org/repo.git/` and `https://GitHub.com/org/repo` name one repository. */
export function sameRepository(a: string, b: string): boolean {
  return canonicalRepository(a) === canonicalRepository(b)
}

function canonicalRepository(url: string): string {
  let out = url
    .trim()
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/]*)(.*)$/i.exec(out)
  if (m) out = `${m[1].toLowerCase()}${m[2].toLowerCase()}${m[3]}`
  return out
}

/** `git+https://host/org/repo@<sha>` → repository and commit. */
export function parseGitDependency(uri: string): {repository: string; commit?: string} | undefined {
  if (!uri.startsWith('git+')) return undefined
  const rest = uri.slice(4)
  const at = rest.lastIndexOf('@')
  // An `@` inside the authority (user@host) is not a revision: a revision follows the path.
  if (at > rest.indexOf('://') + 3 && !rest.slice(at).includes('/')) {
    return {repository: rest.slice(0, at), commit: rest.slice(at + 1) || undefined}
  }
  return {repository: rest}
}

/**
 * The facts of a SLSA v1 provenance and its mismatches against `required` (undefined: nothing required but the
 * subject and an internally consistent statement).
 */
export function judgeProvenance(
  statement: Statement,
  digest: string,
  required: ProvenanceRequirements | undefined,
): {facts: ProvenanceFacts; mismatches: Mismatch[]} {
  const mismatches: Mismatch[] = []
  const subject = subjectMismatch(statement, digest)
  if (subject) mismatches.push(subject)
  const predicate = isObject(statement.predicate) ? statement.predicate : {}
  const definition = isObject(predicate.buildDefinition) ? predicate.buildDefinition : {}
  const external = isObject(definition.externalParameters) ? definition.externalParameters : {}
  const runDetails = isObject(predicate.runDetails) ? predicate.runDetails : {}
  const builder = isObject(runDetails.builder) ? str(runDetails.builder.id) : undefined
  const buildType = str(definition.buildType)
  const declared = str(external.repository)
  const dependencies = Array.isArray(definition.resolvedDependencies) ? definition.resolvedDependencies : []
  const git = dependencies
    .filter(isObject)
    .map((d) => {
      const parsed = parseGitDependency(str(d.uri) ?? '')
      const gitCommit = isObject(d.digest) ? (str(d.digest.gitCommit) ?? str(d.digest.sha1)) : undefined
      return parsed ? {...parsed, commit: gitCommit ?? parsed.commit} : undefined
    })
    .filter((d) => d !== undefined)

  // The repository: the declared one and every git+ dependency must name the same.
  for (const dep of git) {
    if (declared && !sameRepository(dep.repository, declared)) {
      mismatches.push({
        field: 'resolvedDependencies',
        allowed: `the git+ dependency names externalParameters.repository (${declared})`,
        found: `git+${dep.repository}`,
      })
    }
  }
  const repository = declared ?? git[0]?.repository
  // The commit: the git+ dependency's, and ameide's externalParameters.sha when present, agree.
  const commits = [...new Set([...git.map((d) => d.commit), str(external.sha)].filter((c) => c !== undefined))]
  if (commits.length > 1) {
    mismatches.push({field: 'commit', allowed: 'one commit in the statement', found: commits.join(' and ')})
  }
  const facts: ProvenanceFacts = {
    ...(repository ? {repository} : {}),
    ...(commits.length === 1 ? {commit: commits[0]} : {}),
    ...(builder ? {builder} : {}),
    ...(buildType ? {buildType} : {}),
  }

  if (required?.sourceRepositories) {
    const allowed = required.sourceRepositories.join(', ')
    if (!declared || git.length === 0) {
      mismatches.push({
        field: 'repository',
        allowed,
        found: !declared
          ? 'no buildDefinition.externalParameters.repository'
          : 'no git+ resolved dependency naming the source',
      })
    } else if (!required.sourceRepositories.some((r) => sameRepository(r, declared))) {
      mismatches.push({field: 'repository', allowed, found: declared})
    }
  }
  if (required?.builders && !(builder && required.builders.some((g) => globMatcher(g).test(builder)))) {
    mismatches.push({field: 'builder', allowed: required.builders.join(', '), found: builder ?? '(no builder id)'})
  }
  if (required?.buildTypes && !(buildType && required.buildTypes.includes(buildType))) {
    mismatches.push({
      field: 'buildType',
      allowed: required.buildTypes.join(', '),
      found: buildType ?? '(no build type)',
    })
  }
  return {facts, mismatches}
}

/** `commitMatchesTag`: the mismatch of a reference whose tag is a 40-hex commit other than the provenance's. */
export function tagCommitMismatch(tag: string | undefined, commit: string | undefined): Mismatch | undefined {
  if (tag === undefined || !/^[0-9a-f]{40}$/.test(tag)) return undefined
  if (commit === tag) return undefined
  return {field: 'commit', allowed: `${tag} (the reference's tag)`, found: commit ?? '(no commit)'}
}

/** The SBOM a statement carries, or why it is not one (the subject must be the image too). */
export function judgeSbom(statement: Statement, digest: string): {facts?: SbomFacts; problem?: string} {
  const subject = subjectMismatch(statement, digest)
  if (subject) return {problem: `its subject is ${subject.found}, not ${digest}`}
  const p = statement.predicate
  if (statement.predicateType === CYCLONEDX_PREDICATE) {
    if (!isObject(p) || p.bomFormat !== 'CycloneDX' || !str(p.specVersion)) {
      return {problem: 'the cyclonedx predicate is not a CycloneDX document (bomFormat "CycloneDX", specVersion)'}
    }
    return named(p.components, 'components', 'cyclonedx')
  }
  if (statement.predicateType === SPDX_PREDICATE) {
    if (!isObject(p) || !str(p.spdxVersion)?.startsWith('SPDX-')) {
      return {problem: 'the spdx predicate is not an SPDX document (spdxVersion "SPDX-…")'}
    }
    return named(p.packages, 'packages', 'spdx')
  }
  return {problem: `predicate type ${JSON.stringify(statement.predicateType)} is not an SBOM`}
}

function named(list: unknown, key: string, format: SbomFacts['format']): {facts?: SbomFacts; problem?: string} {
  if (!Array.isArray(list) || list.length === 0) return {problem: `the ${format} document names no ${key}`}
  const unnamed = list.filter((c) => !isObject(c) || !str(c.name)).length
  if (unnamed > 0) return {problem: `${unnamed} of its ${list.length} ${key} have no name`}
  return {facts: {format, components: list.length}}
}

/** One line for a finding: `repository: the policy allows X; the attestation says Y`. */
export function describeMismatch(m: Mismatch): string {
  return `${m.field}: the policy allows ${m.allowed}; the attestation says ${m.found}`
}
