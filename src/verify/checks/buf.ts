import path from 'node:path'

import {AmeideError} from '../../core/errors.js'
import {bufCheck, type BufIssue} from '../../effects/buf.js'
import {gitMaybe} from '../../effects/git.js'
import type {Check, CheckOutcome, Finding, PrimitiveContext} from '../types.js'

const BUF_INSTALL_HINT =
  'Install the project dependencies (npm ci provides @bufbuild/buf in node_modules/.bin), or put buf on PATH.'

/** The buf modules of a primitive: every folder holding a `buf.yaml`. */
function modules(ctx: PrimitiveContext): string[] {
  return ctx.files
    .filter((f) => path.posix.basename(f.rel) === 'buf.yaml')
    .map((f) => path.posix.dirname(f.rel))
    .sort()
}

const noModule = (ctx: PrimitiveContext) =>
  modules(ctx).length === 0 ? 'no buf module (buf.yaml) in the primitive' : null

function toFinding(ctx: PrimitiveContext, moduleRel: string, issue: BufIssue, rule: string): Finding {
  const rel = moduleRel === '.' ? issue.path : `${moduleRel}/${issue.path}`
  return {
    rule,
    severity: 'error',
    file: issue.path ? `${ctx.path}/${rel}` : `${ctx.path}/${moduleRel}/buf.yaml`,
    line: issue.line,
    column: issue.column || undefined,
    message: `${issue.type}: ${issue.message}`,
    hint:
      rule === 'buf-lint'
        ? 'Fix the proto as buf lint says, or change the rule set in the module buf.yaml (lint: use: …) on purpose.'
        : 'Keep the wire contract: add a new field or RPC instead of removing, renaming or retyping one (buf.yaml breaking: use: [FILE]).',
  }
}

function toolMissing(ctx: PrimitiveContext, moduleRel: string): CheckOutcome {
  return {
    findings: [
      {
        rule: 'tool-missing',
        severity: 'error',
        file: `${ctx.path}/${moduleRel}/buf.yaml`,
        line: 0,
        message: 'buf is not installed, so the buf module cannot be checked.',
        hint: BUF_INSTALL_HINT,
      },
    ],
  }
}

function failed(ctx: PrimitiveContext, moduleRel: string, command: string, failure: string): Finding {
  return {
    rule: 'buf-failed',
    severity: 'error',
    file: `${ctx.path}/${moduleRel}/buf.yaml`,
    line: 0,
    message: `buf ${command} failed: ${failure}`,
    hint: `Run buf ${command} in ${ctx.path}/${moduleRel} and fix what it reports.`,
  }
}

/** `buf lint` on each buf module of the primitive, with the module's own rules. */
export const bufLintCheck: Check = {
  id: 'buf-lint',
  summary: 'buf lint on the primitive buf modules (its own buf.yaml rules)',
  skipReason: noModule,
  async run(ctx) {
    const findings: Finding[] = []
    for (const moduleRel of modules(ctx)) {
      if (!ctx.tools.buf) return toolMissing(ctx, moduleRel)
      const result = await bufCheck({
        buf: ctx.tools.buf,
        moduleDir: path.join(ctx.dir, moduleRel),
        command: 'lint',
        searchPath: ctx.tools.path,
      })
      findings.push(...result.issues.map((i) => toFinding(ctx, moduleRel, i, 'buf-lint')))
      if (result.failure) findings.push(failed(ctx, moduleRel, 'lint', result.failure))
    }
    return {findings}
  },
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
  async run(ctx) {
    const base = await changeBase(ctx)
    if ('skip' in base) return {status: 'skip', note: base.skip, findings: []}
    const findings: Finding[] = []
    const notes: string[] = []
    for (const moduleRel of modules(ctx)) {
      if (!ctx.tools.buf) return toolMissing(ctx, moduleRel)
      const moduleRepoPath = moduleRel === '.' ? ctx.path : `${ctx.path}/${moduleRel}`
      const existed = await gitMaybe(ctx.repoRoot, ['cat-file', '-e', `${base.sha}:${moduleRepoPath}/buf.yaml`])
      if (!existed.ok) {
        notes.push(`${moduleRepoPath} is new since ${base.sha.slice(0, 12)}: nothing to break`)
        continue
      }
      const result = await bufCheck({
        buf: ctx.tools.buf,
        moduleDir: path.join(ctx.dir, moduleRel),
        command: 'breaking',
        against: `${path.join(ctx.repoRoot, '.git')}#ref=${base.sha},subdir=${moduleRepoPath}`,
        searchPath: ctx.tools.path,
      })
      findings.push(...result.issues.map((i) => toFinding(ctx, moduleRel, i, 'buf-breaking')))
      if (result.failure) findings.push(failed(ctx, moduleRel, 'breaking', result.failure))
    }
    const note = [`against ${base.description} (${base.sha.slice(0, 12)})`, ...notes].join('; ')
    if (findings.length === 0 && notes.length === modules(ctx).length) return {status: 'skip', note, findings}
    return {note, findings}
  },
}

async function changeBase(ctx: PrimitiveContext): Promise<{sha: string; description: string} | {skip: string}> {
  const {detectChanges, resolvePublishedCommit} = await import('../../changes/detect.js')
  try {
    const sha = await resolvePublishedCommit(ctx.repoRoot, undefined)
    const changes = await detectChanges({repoRoot: ctx.repoRoot, sha, baseBranch: ctx.tools.baseBranch, all: false})
    if (!changes.base) return {skip: `no base to compare with (${changes.baseDescription})`}
    return {sha: changes.base, description: changes.baseDescription}
  } catch (error) {
    if (error instanceof AmeideError) return {skip: `no base to compare with: ${error.message}`}
    throw error
  }
}
