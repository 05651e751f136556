import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Tests start real registries, builders and CLI processes; two cores, so keep parallelism modest.
    maxConcurrency: 4,
  },
})
