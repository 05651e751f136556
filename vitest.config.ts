import {configDefaults, defineConfig} from 'vitest/config'

/**
 * Two lanes, both in `npm test`. The unit lane, `*.unit.test.ts`: in process, no build (`npm run test:unit`; .ci/run
 * runs it before anything is built). The end-to-end lane, every other `*.test.ts`: the built CLI, the WebAssembly
 * programs, real registries, builders and git. The suites that sign or verify with cosign run twice: with Debian's
 * cosign 2.5 (the default project) and with cosign 3 first on PATH (what sigstore/cosign-installer installs today;
 * test/support/toolchain.ts).
 */
const COSIGN_SUITES = [
  'test/publish/effects/cosign.test.ts',
  'test/publish/publish-e2e.test.ts',
  'test/publish/keyless-e2e.test.ts',
  'test/publish/cosign-fleet.test.ts',
  'test/gitops/evidence/evidence-policy.test.ts',
]

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Tests start real registries, builders and CLI processes; two cores, so keep parallelism modest.
    maxConcurrency: 4,
    projects: [
      {extends: true, test: {name: 'unit', include: ['test/**/*.unit.test.ts']}},
      {
        extends: true,
        test: {
          name: 'cosign 2',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/**/*.unit.test.ts'],
        },
      },
      {extends: true, test: {name: 'cosign 3', include: COSIGN_SUITES, env: {AMEIDE_TEST_COSIGN: '3'}}},
    ],
  },
})
