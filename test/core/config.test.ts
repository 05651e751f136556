import {mkdir, mkdtemp, rm, symlink, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {AmeideError} from '../../src/core/errors.js'
import {DEFAULT_CONFIG, loadConfig} from '../../src/core/config.js'

let dir: string
afterEach(async () => rm(dir, {recursive: true, force: true}))

async function withConfig(text: string | null) {
  dir = await mkdtemp(path.join(tmpdir(), 'ameide-config-'))
  if (text !== null) await writeFile(path.join(dir, 'ameide.yaml'), text)
  return loadConfig(dir)
}

async function configError(text: string): Promise<AmeideError> {
  const error = await withConfig(text).then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AmeideError)
  return error as AmeideError
}

describe('ameide.yaml', () => {
  it('defaults apply when there is no file', async () => {
    const loaded = await withConfig(null)
    expect(loaded.source).toBeNull()
    expect(loaded.config.registry).toBe('ghcr.io/ameideio')
    expect(loaded.config.gitops.repository).toBe('ameideio/ameide-gitops')
  })

  it('the file overrides defaults key by key', async () => {
    const {config, source} = await withConfig(
      'version: 1\nregistry: registry.example.com/team\ngitops:\n  ref: release\npublish:\n  sharedInputs: ["libs/**"]\n',
    )
    expect(source).toBe('ameide.yaml')
    expect(config.registry).toBe('registry.example.com/team')
    expect(config.gitops).toEqual({...DEFAULT_CONFIG.gitops, ref: 'release'})
    expect(config.publish.sharedInputs).toEqual(['libs/**'])
    expect(config.publish.builder).toBe('auto')
  })

  it('gitopsPolicy.preview merges key by key; an unknown preview key is an error', async () => {
    const {config} = await withConfig('gitopsPolicy:\n  preview:\n    webhook: true\n')
    expect(config.gitopsPolicy.preview).toEqual({projects: [], repositories: [], webhook: true})
    expect(config.gitopsPolicy.environments).toEqual(DEFAULT_CONFIG.gitopsPolicy.environments)
    const error = await configError('gitopsPolicy:\n  preview:\n    project: previews\n')
    expect(error.message).toContain('gitopsPolicy.preview: unknown key "project"')
  })

  it('a link to a file outside the repository (or /proc/self/environ) is refused unread; one inside is read', async () => {
    const outside = await mkdtemp(path.join(tmpdir(), 'ameide-config-outside-'))
    try {
      await writeFile(path.join(outside, 'leak.yaml'), 'registry: canary-outside\nbad: [\n')
      for (const target of [path.join(outside, 'leak.yaml'), '/proc/self/environ']) {
        dir = await mkdtemp(path.join(tmpdir(), 'ameide-config-'))
        await symlink(target, path.join(dir, 'ameide.yaml'))
        const error = await loadConfig(dir).then(
          () => null,
          (e: unknown) => e as AmeideError,
        )
        expect(error?.code).toBe('CONFIG_INVALID')
        expect(error?.message).toContain('a symbolic link to a path outside the repository')
        expect(JSON.stringify(error)).not.toContain('canary-outside')
        await rm(dir, {recursive: true, force: true})
      }
      dir = await mkdtemp(path.join(tmpdir(), 'ameide-config-'))
      await mkdir(path.join(dir, 'config'))
      await writeFile(path.join(dir, 'config', 'ameide.yaml'), 'registry: registry.example.com/linked\n')
      await symlink('config/ameide.yaml', path.join(dir, 'ameide.yaml'))
      expect((await loadConfig(dir)).config.registry).toBe('registry.example.com/linked')
    } finally {
      await rm(outside, {recursive: true, force: true})
    }
  })

  it('an unknown key is an error (exit 3) naming the key', async () => {
    const error = await configError('registry: ghcr.io/x\ngitops:\n  repo: a/b\n')
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.exitCode).toBe(3)
    expect(error.message).toContain('gitops: unknown key "repo"')
  })

  it('a wrong type, a bad enum and invalid YAML are errors', async () => {
    expect((await configError('publish:\n  builder: kaniko\n')).message).toContain('publish.builder')
    expect((await configError('insecureRegistries: localhost:5000\n')).message).toContain('insecureRegistries')
    expect((await configError('registry: [unclosed\n')).message).toContain('not valid YAML')
    expect((await configError('registry: a\nregistry: b\n')).message).toContain('not valid YAML')
  })
})
