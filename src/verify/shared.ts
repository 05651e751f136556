import {stat} from 'node:fs/promises'
import path from 'node:path'

import type {BufTarget} from './checks/buf.js'
import {listFiles} from './files.js'
import type {CheckId, CheckOutcome, CheckResult, SharedResult, VerifyTools} from './types.js'

/**
 * The repository's shared proto module (seed layout: protos under `packages/ameide_core_proto/src/ameide_core_proto/**`,
 * the per-primitive buf templates beside them). Not a primitive: `--all` checks it with the buf checks only.
 */
export const SHARED_PROTO_MODULE = 'packages/ameide_core_proto'

/** The checks that apply to a shared module, in report order; the buf checks' module loads when the folder exists. */
const SHARED_CHECKS: ReadonlyArray<{id: CheckId; run: (target: BufTarget) => Promise<CheckOutcome>}> = [
  {id: 'buf-lint', run: async (target) => (await import('./checks/buf.js')).runBufLint(target)},
  {id: 'buf-breaking', run: async (target) => (await import('./checks/buf.js')).runBufBreaking(target)},
]

/**
 * Runs the selected buf checks on the shared proto module. Null (nothing reported) when the folder does not exist
 * or no buf check is selected; a folder without a `buf.yaml` reports the checks as skip, with the reason.
 */
export async function verifyShared(
  repoRoot: string,
  ids: readonly CheckId[],
  tools: VerifyTools,
  folder = SHARED_PROTO_MODULE,
): Promise<SharedResult | null> {
  const checks = SHARED_CHECKS.filter((c) => ids.includes(c.id))
  const dir = path.join(repoRoot, folder)
  if (checks.length === 0 || !(await isDir(dir))) return null
  const [{bufModules}, {checkResult}] = await Promise.all([import('./checks/buf.js'), import('./primitive.js')])
  const target: BufTarget = {repoRoot, path: folder, dir, modules: bufModules(await listFiles(dir)), tools}
  const results: CheckResult[] = []
  for (const check of checks) {
    results.push(
      target.modules.length === 0
        ? {id: check.id, status: 'skip', note: `no buf module (buf.yaml) in ${folder}`, findings: []}
        : checkResult(check.id, await check.run(target)),
    )
  }
  return {path: folder, summary: results.some((r) => r.status === 'fail') ? 'fail' : 'pass', checks: results}
}

const isDir = (p: string) =>
  stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  )
