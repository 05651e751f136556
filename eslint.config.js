import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {ignores: ['dist/', 'node_modules/', '.tools/', 'templates/', 'coverage/']},
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {globals: {process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly'}},
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_'}],
      'no-empty': ['error', {allowEmptyCatch: true}],
    },
  },
  {
    // A revision is held in memory (src/core/memory-fs): its readers take their file functions from there. One that
    // imported node:fs would find nothing at a revision's path, and a gate that cannot read must not pass by it.
    files: [
      'src/gitops/**/*.ts',
      'src/effects/helm.ts',
      'src/effects/chart-archive.ts',
      'src/effects/render-module/helm.ts',
    ],
    ignores: [
      // The host's own files: the working tree a revision is read from, the write-back and its pull request, the
      // scan of the working tree, the CLI's own files, the event file, the chart cache and cosign's key files.
      'src/gitops/revision/index.ts',
      'src/gitops/write/**',
      'src/gitops/pr/**',
      'src/gitops/verify/scan.ts',
      'src/gitops/verify/cache.ts',
      'src/gitops/evidence/verifier.ts',
      'src/gitops/fields-doc/doc.ts',
      'src/gitops/preview/pull-request.ts',
      'src/gitops/helm/charts/fetcher.ts',
      'src/gitops/helm/charts/verify.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['node:fs', 'node:fs/promises', 'fs', 'fs/promises'].map((name) => ({
            name,
            message:
              "A revision's reader takes its file functions from src/core/memory-fs (the revision is in memory).",
          })),
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {'@typescript-eslint/no-explicit-any': 'off'},
  },
)
