/**
 * How the fail-closed suites corrupt a file a root reads (test/gitops/diff/diff-fail-closed*.test.ts), and what a
 * right answer to the corrupted repository is: `incomplete`, exit 1, each failure naming a file and why, or exactly the
 * intact answer (where the controller still builds the corrupted file) — never "No change", never exit 0 with a change
 * hidden, never `incomplete` naming nothing.
 */
import path from 'node:path'

import type {DiffVerdict} from './diff-repo.js'
import {linkTo, type Files, type FixtureRepo} from './fixture-repos.js'

/**
 * How a file is corrupted: its text replaced, or (null) the file removed while a kustomization still names it;
 * undefined: not a corruption of that file.
 */
export interface Corruption {
  name: string
  apply: (file: string, text: string, files: Files) => string | null | undefined
}

const KUSTOMIZATION = /(^|\/)kustomization\.ya?ml$/
/** The kind of an Argo CD or Flux object: what a root applying them expects. */
const OWN_KIND = /^kind: (Application|ApplicationSet|AppProject|Kustomization|HelmRelease|GitRepository)\b/m

export const CORRUPTIONS: Corruption[] = [
  // The first line twice: a mapping key already defined (kustomize and Argo CD refuse it).
  {name: 'duplicate key', apply: (_f, text) => `${text.split('\n')[0]}\n${text}`},
  {name: 'invalid YAML', apply: (_f, text) => `${text}broken: [unclosed\n`},
  // A kustomization naming a base the revision does not hold; any other file gone from under its kustomization.
  {
    name: 'missing base',
    apply: (file, text, files) =>
      KUSTOMIZATION.test(file) && text.includes('resources:\n')
        ? text.replace('resources:\n', 'resources:\n- ../gone\n')
        : namedByKustomization(file, files)
          ? null
          : undefined,
  },
  {
    name: 'unknown kind',
    apply: (file, text) =>
      OWN_KIND.test(text)
        ? text.replace(OWN_KIND, 'kind: $1Typo')
        : KUSTOMIZATION.test(file)
          ? `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomisation\n${text}`
          : undefined,
  },
  {name: 'link out', apply: () => linkTo('/etc/passwd')},
]

/** Whether the kustomization beside `file` lists it (a folder kustomize-controller generates one for names nothing). */
const namedByKustomization = (file: string, files: Files): boolean => {
  const dir = path.posix.dirname(file)
  return (files[`${dir}/kustomization.yaml`] ?? '').includes(`- ${path.posix.basename(file)}\n`)
}

export interface Case {
  repo: FixtureRepo
  file: string
  corruption: Corruption
  files: Files
}

/** Every applicable (file, corruption) of `repo`. */
export const casesOf = (repo: FixtureRepo): Case[] =>
  repo.reads.flatMap((file) =>
    CORRUPTIONS.flatMap((corruption) => {
      const files = repo.files()
      const text = corruption.apply(file, files[file], files)
      if (text === undefined) return []
      if (text === null) delete files[file]
      else files[file] = text
      return [{repo, file, corruption, files}]
    }),
  )

/** What a verdict says of the change: the deployables changed, by environment, Application and source. */
const changes = (result: DiffVerdict) =>
  result.deployables.map((d) => `${d.change} ${d.environment ?? '-'} ${d.application ?? '-'} ${d.source}`)

export type Run = {exitCode: number; stdout?: string; result: DiffVerdict}

/** Why the corrupted repository's answer is wrong (see the file's comment), or undefined. */
export function wrongAnswer(run: Run, intact: DiffVerdict): string | undefined {
  const {summary, failures} = run.result
  const named = failures.length > 0 && failures.every((f) => f.file !== '' && f.message !== '')
  if (summary === 'incomplete' && run.exitCode === 1 && named) return undefined
  const same = JSON.stringify(changes(run.result)) === JSON.stringify(changes(intact))
  if (summary === 'changed' && run.exitCode === 0 && failures.length === 0 && same) return undefined
  return `${summary}, exit ${run.exitCode}, ${failures.length} failures, ${JSON.stringify(changes(run.result))}`
}
