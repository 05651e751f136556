/**
 * `evidencePolicy` of a GitOps repository's ameide.yaml: per image glob, who may sign and what the attestations
 * must say. The shape is checked by schemas/config.schema.json; this module adds what a schema cannot say (a
 * signer's regexp compiles, a key file stays inside the repository) and finds the entry of an image (first match
 * wins). Judging attestations against an entry is src/attestations/statements.ts.
 */
import path from 'node:path'

import {globMatcher} from './glob.js'

/** A signer: a cosign public key file (relative to the repository root), or a keyless identity and issuer. */
export type PolicySigner = {key: string} | {identity: string; issuer: string}

/** What a SLSA v1 provenance must say; every list absent means "anything". */
export interface ProvenanceRequirements {
  sourceRepositories?: string[]
  builders?: string[]
  buildTypes?: string[]
  commitMatchesTag?: boolean
}

/** One entry as written in ameide.yaml. */
export interface EvidencePolicyEntry {
  images: string[]
  signers: PolicySigner[]
  /** Default `required` (any content). */
  provenance?: 'required' | 'optional' | ProvenanceRequirements
  /** Default `required`. */
  sbom?: 'required' | 'optional'
}

/** An entry made ready to judge with: its index, compiled globs, and the requirements spelt out. */
export interface ResolvedPolicyEntry {
  /** 0-based position in `evidencePolicy` (the JSON says which entry judged an image). */
  index: number
  images: string[]
  signers: PolicySigner[]
  provenance: {required: boolean} & ProvenanceRequirements
  sbom: {required: boolean}
}

/** The problems a schema cannot see, each `evidencePolicy.<i>.<path>: <what>` (empty: the policy is good). */
export function evidencePolicyProblems(entries: EvidencePolicyEntry[]): string[] {
  const problems: string[] = []
  entries.forEach((entry, i) => {
    entry.signers.forEach((signer, j) => {
      const at = `evidencePolicy.${i}.signers.${j}`
      if ('key' in signer) {
        const key = signer.key
        if (/^[a-z][a-z0-9+.-]*:\/\//i.test(key)) {
          problems.push(
            `${at}.key: ${JSON.stringify(key)} is a URI; a policy names a public key file in the repository`,
          )
        } else if (path.isAbsolute(key) || path.normalize(key).split(/[\\/]/)[0] === '..') {
          problems.push(`${at}.key: ${JSON.stringify(key)} is not a path inside the repository (relative to its root)`)
        }
      } else {
        try {
          new RegExp(signer.identity)
        } catch (error) {
          problems.push(`${at}.identity: not a regular expression (${(error as Error).message})`)
        }
      }
    })
    const provenance = entry.provenance
    if (typeof provenance === 'object' && Object.keys(provenance).length === 0) {
      problems.push(`evidencePolicy.${i}.provenance: an empty object requires nothing; write "required" or a field`)
    }
  })
  return problems
}

/** Entries with their defaults spelt out. */
export function resolveEvidencePolicy(entries: EvidencePolicyEntry[]): ResolvedPolicyEntry[] {
  return entries.map((entry, index) => {
    const p = entry.provenance ?? 'required'
    return {
      index,
      images: entry.images,
      signers: entry.signers,
      provenance: typeof p === 'string' ? {required: p === 'required'} : {required: true, ...p},
      sbom: {required: (entry.sbom ?? 'required') === 'required'},
    }
  })
}

/** The first entry whose `images` globs match the repository (`registry/path`), or undefined. */
export function policyEntryFor<E extends {images: string[]}>(entries: E[], repository: string): E | undefined {
  return entries.find((e) => e.images.some((glob) => globMatcher(glob).test(repository)))
}

/** How a signer is named in output: the key file, or the identity and issuer. */
export function describeSigner(signer: PolicySigner): string {
  return 'key' in signer ? `key ${signer.key}` : `identity ${signer.identity} (issuer ${signer.issuer})`
}
