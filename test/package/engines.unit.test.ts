import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import semver from 'semver'
import {describe, expect, it} from 'vitest'

/**
 * `engines` is true for the whole production tree: every package `npm install ameide` brings supports every Node
 * version our own `engines.node` allows (the lock records each package's declared engines).
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as {engines: {node: string}}
const lock = JSON.parse(readFileSync(`${ROOT}package-lock.json`, 'utf8')) as {
  packages: Record<
    string,
    {version?: string; dev?: boolean; devOptional?: boolean; engines?: {node?: string} | string[]}
  >
}

describe('engines', () => {
  it(`every production dependency supports node ${pkg.engines.node}`, () => {
    const ours = pkg.engines.node
    const production = Object.entries(lock.packages).filter(([p, info]) => p !== '' && !info.dev && !info.devOptional)
    expect(production.length).toBeGreaterThan(50)
    const conflicts = production
      .map(([p, info]) => [p, info.version, Array.isArray(info.engines) ? undefined : info.engines?.node] as const)
      .filter(([, , node]) => node !== undefined && !semver.subset(ours, node))
      .map(([p, version, node]) => `${p}@${version} wants node ${node}`)
    expect(conflicts).toEqual([])
  })

  it('the check is not blind: node >=20.11 is not within a dependency wanting >=22', () => {
    expect(semver.subset('>=20.11', '>=22')).toBe(false)
    expect(semver.subset('>=22.12', '^20.19 || >=22.12')).toBe(true)
    expect(semver.subset('>=22.12', '>=24')).toBe(false)
  })

  it('is the supported LTS lines, 22.12 and newer (Node 20 is end of life)', () => {
    expect(pkg.engines.node).toBe('>=22.12')
  })
})
