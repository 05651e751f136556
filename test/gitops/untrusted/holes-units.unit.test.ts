/**
 * The pure parts of the first line's new checks: the release name as Helm checks it (and Flux's shortening), the
 * paths helm would split, the manifests' byte-order marks as Argo CD decodes them, the kind and name of a document
 * that did not parse, and messages made repository-relative.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {declared} from '../../../src/gitops/kubernetes/manifests.js'
import {fluxShortenedName, releaseNameProblem} from '../../../src/gitops/helm/release-name.js'
import {decodeManifest} from '../../../src/gitops/argocd/directory/render.js'
import {isPlainPath} from '../../../src/gitops/helm/plain-paths.js'
import {repoRelative} from '../../../src/gitops/revision/paths.js'

describe('release names', () => {
  it('accepts what Helm accepts and names the rest (a template refused, another invalid name failed)', () => {
    for (const ok of ['a', 'my-app', 'my-app.v1', '0abc', 'a'.repeat(53)])
      expect(releaseNameProblem(ok)).toBeUndefined()
    expect(releaseNameProblem('{{ getHostByName "x" }}')?.status).toBe('refused')
    expect(releaseNameProblem('{{env "HOME"}}')?.status).toBe('refused')
    for (const bad of ['', 'A', '-a', 'a-', 'a_b', 'a..b', 'a'.repeat(54), 'a b', '.a']) {
      expect(releaseNameProblem(bad)?.status, bad).toBe('failed')
    }
  })

  it("shortens a computed Flux name past 53 characters as helm-controller does (40 + '-' + 12 hex)", () => {
    expect(fluxShortenedName('short')).toBe('short')
    const long = `${'n'.repeat(30)}-${'x'.repeat(30)}`
    const short = fluxShortenedName(long)
    expect(short).toMatch(/^n{30}-x{9}-[0-9a-f]{12}$/)
    expect(short.length).toBe(53)
  })
})

describe('paths helm would split', () => {
  it('plain: letters, digits, _ . / @ + ~ - and spaces; not: a comma, a quote, a backslash, =, a line break', () => {
    expect(isPlainPath('/dev/shm/ameide-diff-head-Ab12Cd/tree/charts/app/values-prod.yaml')).toBe(true)
    for (const p of ['vals/x,/etc/passwd', 'a"b', 'files/\\../x', 'p,leak=/x', 'a=b', 'a\nb'])
      expect(isPlainPath(p), p).toBe(false)
  })
})

describe('manifest bytes as Argo CD reads them', () => {
  const text = 'kind: ConfigMap\n'
  it('UTF-16 LE and BE by their byte-order mark, a UTF-8 mark dropped, else UTF-8', () => {
    expect(decodeManifest(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]))).toBe(text)
    expect(decodeManifest(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]))).toBe(text)
    expect(decodeManifest(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]))).toBe(text)
    expect(decodeManifest(Buffer.from(text))).toBe(text)
  })
})

describe('a document that did not parse', () => {
  it('says the deployable kind and the plainly written name it declares', () => {
    expect(
      declared('apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: app\n  namespace: argocd\n'),
    ).toEqual({
      kind: 'Application',
      name: 'app',
    })
    expect(declared('kind: HelmRelease\nmetadata: {name: rel, namespace: x}\n')).toEqual({
      kind: 'HelmRelease',
      name: 'rel',
    })
    expect(declared('kind: ConfigMap\nmetadata:\n  name: x\n')).toBeUndefined()
  })
})

describe('messages made repository-relative', () => {
  it('every spelling of the revision folder, with and without a trailing slash', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ameide-units-'))
    try {
      expect(repoRelative(`failed to parse ${dir}/charts/app/v.yaml in ${dir}`, dir)).toBe(
        'failed to parse charts/app/v.yaml in .',
      )
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
