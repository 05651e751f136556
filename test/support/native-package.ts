/**
 * The native render helpers as an installed copy carries them (scripts/build-native.mjs, package.json "files",
 * scripts/release.mjs): dist/render-module/native.json and, for Linux x64 and arm64, the executable it names, whose
 * sha256 is the recorded one — the file the host (src/effects/render-module/native.ts) checks and starts.
 */
import {createHash} from 'node:crypto'
import {readFile, stat} from 'node:fs/promises'
import path from 'node:path'
import {expect} from 'vitest'

import type {NativeBuild} from '../../src/effects/render-module/native.js'
import {originApplication} from './helm-repo.js'

export const NATIVE_PLATFORMS = ['linux-x64', 'linux-arm64'] as const

/** Asserts both helpers are in `packageDir` as its native.json records them; returns the record. */
export async function expectHelpersAsRecorded(packageDir: string): Promise<NativeBuild> {
  const dir = path.join(packageDir, 'dist/render-module')
  const record = JSON.parse(await readFile(path.join(dir, 'native.json'), 'utf8')) as NativeBuild
  expect(Object.keys(record.helpers).sort()).toEqual([...NATIVE_PLATFORMS].sort())
  for (const platform of NATIVE_PLATFORMS) {
    const helper = record.helpers[platform]!
    expect(helper.file).toBe(`native/render-native-${platform}`)
    const file = path.join(dir, helper.file)
    const bytes = await readFile(file)
    expect(createHash('sha256').update(bytes).digest('hex'), platform).toBe(helper.sha256)
    expect(bytes.byteLength).toBe(helper.bytes)
    expect((await stat(file)).mode & 0o111, `${platform} is executable`).toBe(0o111)
  }
  return record
}

/** A one-chart GitOps repository's files (helmGitopsRepo): one ConfigMap rendered by `helm template`. */
export const ONE_CHART = {
  'charts/app/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 0.1.0\n',
  'charts/app/templates/cm.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {a: {{ .Values.a | default "1" | quote }}}\n',
  'apps/app.yaml': originApplication('app', 'path: charts/app'),
}
