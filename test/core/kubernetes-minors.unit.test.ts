import {describe, expect, it} from 'vitest'

import {DEFAULT_CONFIG} from '../../src/core/config.js'
import {kubernetesMinorOf, requireRenderKubernetesVersion} from '../../src/core/kubernetes-minors.js'

const policy = (render: Partial<(typeof DEFAULT_CONFIG)['gitopsPolicy']['render']>) => ({
  render: {...DEFAULT_CONFIG.gitopsPolicy.render, ...render},
})

describe('the Kubernetes minor of each environment', () => {
  it("is the environment's own where gitopsPolicy.render.kubernetesVersions names it, else kubernetesVersion", () => {
    const p = policy({kubernetesVersion: '1.33', kubernetesVersions: {production: '1.31'}})
    expect(kubernetesMinorOf(p, 'production')).toBe('1.31')
    expect(kubernetesMinorOf(p, 'staging')).toBe('1.33')
    expect(kubernetesMinorOf(p, null)).toBe('1.33')
    // An environment named like an Object.prototype key is no entry.
    expect(kubernetesMinorOf(p, 'constructor')).toBe('1.33')
    expect(kubernetesMinorOf(policy({}), null)).toBe('1.34')
  })

  it('must lie in 1.29–1.37, each named one: else CONFIG_INVALID naming the key', () => {
    expect(() => requireRenderKubernetesVersion(policy({kubernetesVersion: '1.29'}))).not.toThrow()
    expect(() => requireRenderKubernetesVersion(policy({kubernetesVersion: '1.37'}))).not.toThrow()
    expect(() => requireRenderKubernetesVersion(policy({kubernetesVersion: '1.28'}))).toThrow(
      /kubernetesVersion "1\.28"/,
    )
    expect(() => requireRenderKubernetesVersion(policy({kubernetesVersions: {qa: '1.38'}}))).toThrow(
      /kubernetesVersions\.qa "1\.38" is outside .*1\.29–1\.37/,
    )
  })
})
