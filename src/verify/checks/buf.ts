import path from 'node:path'

import {AmeideError} from '../../core/errors.js'
import {bufCheck, type BufIssue} from '../../effects/buf.js'
import {gitMaybe} from '../../effects/git.js'
import type {Check, CheckOutcome, Finding, PrimitiveContext, VerifyTools} from '../types.js'

const BUF_INSTALL_HINT =
  'Install the project dependencies (npm ci provides @bufbuild/buf in node_modules/.bin), or put buf on PATH.'

/**
 * What the buf checks look at: a repo-relative folder (a primitive, or the shared proto module) and its buf
 * modules. The primitive checks and the shared module (src/verify/shared.ts) run the same code on it.
 */
export interface BufTarget {
  repoRoot: string
  /** Repo-relative folder, e.g. primitives/domain/orders or packages/ameide_core_proto. */
  path: string
  /** Absolute folder. */
  dir: string
  /** Every folder (relative to `path`, `.` for the folder itself) holding a `buf.yaml`, sorted. */
  modules: string[]
  tools: VerifyTools
}

/** The buf modules among `rels` (file paths relative to a folder): every folder holding a `buf.yaml`. */
export function bufModules(rels: readonly string[]): string[] {
  return rels
    .filter((rel) => path.posix.basename(rel) === 'buf.yaml')
    .map((rel) => path.posix.dirname(rel))
    .sort()
}

const targetOf = (ctx: PrimitiveContext): BufTarget => ({
  repoRoot: ctx.repoRoot,
  path: ctx.path,
  dir: ctx.dir,
  modules: bufModules(ctx.files.map((f) => f.rel)),
  tools: ctx.tools,
})

const noModule = (ctx: PrimitiveContext) =>
  targetOf(ctx).modules.length === 0 ? 'no buf module (buf.yaml) in the primitive' : null

/** Repo-relative folder of one module of the target. */
const moduleRepoPath = (target: BufTarget, moduleRel: string) =>
  moduleRel === '.' ? target.path : `${target.path}/${moduleRel}`

function toFinding(target: BufTarget, moduleRel: string, issue: BufIssue, rule: string): Finding {
  const folder = moduleRepoPath(target, moduleRel)
  return {
    rule,
    severity: 'error',
    file: issue.path ? `${folder}/${issue.path}` : `${folder}/buf.yaml`,
    line: issue.line,
    column: issue.column || undefined,
    message: `${issue.type}: ${issue.message}`,
    hint:
      rule === 'buf-lint'
        ? 'Fix the proto as buf lint says, or change the rule set in the module buf.yaml (lint: use: …) on purpose.'
        : 'Keep the wire contract: add a new field or RPC instead of removing, renaming or retyping one (buf.yaml breaking: use: [FILE]).',
  }
}

function toolMissing(target: BufTarget, moduleRel: string): CheckOutcome {
  return {
    findings: [
      {
        rule: 'tool-missing',
        severity: 'error',
        file: `${moduleRepoPath(target, moduleRel)}/buf.yaml`,
        line: 0,
        message: 'buf is not installed, so the buf module cannot be checked.',
        hint: BUF_INSTALL_HINT,
      },
    ],
  }
}

function failed(target: BufTarget, moduleRel: string, command: string, failure: string): Finding {
  const folder = moduleRepoPath(target, moduleRel)
  return {
    rule: 'buf-failed',
    severity: 'error',
    file: `${folder}/buf.yaml`,
    line: 0,
    message: `buf ${command} failed: ${failure}`,
    hint: `Run buf ${command} in ${folder} and fix what it reports.`,
  }
}

/** `buf lint` on each buf module of the target, with the module's own rules. */
export async function runBufLint(target: BufTarget): Promise<CheckOutcome> {
  const findings: Finding[] = []
  for (const moduleRel of target.modules) {
    if (!target.tools.buf) return toolMissing(target, moduleRel)
    const result = await bufCheck({
      buf: target.tools.buf,
      moduleDir: path.join(target.dir, moduleRel),
      command: 'lint',
      searchPath: target.tools.path,
    })
    findings.push(...result.issues.map((i) => toFinding(target, moduleRel, i, 'buf-lint')))
    if (result.failure) findings.push(failed(target, moduleRel, 'lint', result.failure))
  }
  return {findings}
}

/**
 * `buf breaking --against` the base `publish` compares with, on each buf module of the target. No base, or every
 * module new since the base: skip, with the reason.
 */
export async function runBufBreaking(target: BufTarget): Promise<CheckOutcome> {
  const base = await changeBase(target)
  if ('skip' in base) return {status: 'skip', note: base.skip, findings: []}
  const findings: Finding[] = []
  const notes: string[] = []
  for (const moduleRel of target.modules) {
    if (!target.tools.buf) return toolMissing(target, moduleRel)
    const folder = moduleRepoPath(target, moduleRel)
    const existed = await gitMaybe(target.repoRoot, ['cat-file', '-e', `${base.sha}:${folder}/buf.yaml`])
    if (!existed.ok) {
      notes.push(`${folder} is new since ${base.sha.slice(0, 12)}: nothing to break`)
      continue
    }
    const result = await bufCheck({
      buf: target.tools.buf,
      moduleDir: path.join(target.dir, moduleRel),
      command: 'breaking',
      against: `${path.join(target.repoRoot, '.git')}#ref=${base.sha},subdir=${folder}`,
      searchPath: target.tools.path,
    })
    findings.push(...result.issues.map((i) => toFinding(target, moduleRel, i, 'buf-breaking')))
    if (result.failure) findings.push(failed(target, moduleRel, 'breaking', result.failure))
  }
  const note = [`against ${base.description} (${base.sha.slice(0, 12)})`, ...notes].join('; ')
  if (findings.length === 0 && notes.length === target.modules.length) return {status: 'skip', note, findings}
  return {note, findings}
}

/** `buf lint` on each buf module of the primitive, with the module's own rules. */
export const bufLintCheck: Check = {
  id: 'buf-lint',
  summary: 'buf lint on the primitive buf modules (its own buf.yaml rules)',
  skipReason: noModule,
  run: (ctx) => runBufLint(targetOf(ctx)),
}

/**
 * `buf breaking --against` the base `publish` compares with (merge-base with origin/<baseBranch>; on the base
 * branch, the first parent). No base (a root commit, a shallow clone) or a module that is new since the base: skip,
 * with the reason.
 */
export const bufBreakingCheck: Check = {
  id: 'buf-breaking',
  summary: 'buf breaking against the change-detection base of publish (buf.yaml breaking rules)',
  skipReason: noModule,
  run: (ctx) => runBufBreaking(targetOf(ctx)),
}

async function changeBase(target: BufTarget): Promise<{sha: string; description: string} | {skip: string}> {
  const {detectChanges, resolvePublishedCommit} = await import('../../changes/detect.js')
  try {
    const sha = await resolvePublishedCommit(target.repoRoot, undefined)
    const changes = await detectChanges({
      repoRoot: target.repoRoot,
      sha,
      baseBranch: target.tools.baseBranch,
      all: false,
    })
    if (!changes.base) return {skip: `no base to compare with (${changes.baseDescription})`}
    return {sha: changes.base, description: changes.baseDescription}
  } catch (error) {
    if (error instanceof AmeideError) return {skip: `no base to compare with: ${error.message}`}
    throw error
  }
}
