import type {Language} from '../primitives/kinds.js'

/** The source language of a file, by extension, or null. */
export function sourceLanguage(rel: string): Language | null {
  if (rel.endsWith('.go')) return 'go'
  if (rel.endsWith('.py') || rel.endsWith('.pyi')) return 'python'
  if (/\.(?:[cm]?ts|tsx|[cm]?js|jsx)$/.test(rel) && !rel.endsWith('.d.ts')) return 'typescript'
  return null
}

const base = (rel: string) => rel.slice(rel.lastIndexOf('/') + 1)

/** Test files of each language: what the `tests` check counts. */
export function isTestFileOf(language: Language, rel: string): boolean {
  const name = base(rel)
  switch (language) {
    case 'go':
      return name.endsWith('_test.go')
    case 'python':
      return /^test_.*\.py$/.test(name) || /_test\.py$/.test(name)
    case 'typescript':
      return /\.(?:test|spec)\.(?:[cm]?ts|tsx)$/.test(name)
  }
}

/**
 * Files exempt from the import policy ("unit tests may import proto types directly"): the test files
 * above, plus test support: Python conftest.py and anything under a tests/, __tests__/ or testdata/ folder.
 */
export function isTestSupportFile(rel: string): boolean {
  const lang = sourceLanguage(rel)
  if (lang && isTestFileOf(lang, rel)) return true
  if (/\.(?:test|spec)\.(?:[cm]?js|jsx)$/.test(base(rel))) return true
  if (base(rel) === 'conftest.py') return true
  return /(^|\/)(tests|__tests__|testdata)\//.test(rel)
}

export function isDockerfile(rel: string): boolean {
  const name = base(rel)
  return (
    name === 'Dockerfile' || name.startsWith('Dockerfile.') || name.endsWith('.Dockerfile') || name === 'Containerfile'
  )
}

export function isYaml(rel: string): boolean {
  return rel.endsWith('.yaml') || rel.endsWith('.yml')
}

export function isJson(rel: string): boolean {
  return rel.endsWith('.json')
}
