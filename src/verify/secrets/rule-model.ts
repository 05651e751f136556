/** A provider rule of the secrets check (./rules.ts), and the token boundaries and regex flags the rows share. */
export interface SecretRule {
  id: string
  provider: string
  /** "a GitHub personal access token": what the finding's message calls it. */
  what: string
  keywords: string[]
  pattern: RegExp
  body?: 'after-prefix' | 'whole' | 'any'
  /** An extra whole-secret test (structure a regex cannot say, e.g. a JWT's decodable header). */
  validate?: (secret: string) => boolean
}

// Token boundaries: a token starts after, and ends before, a character that cannot continue it.
export const B = '(?<![A-Za-z0-9_])'
export const E = '(?![A-Za-z0-9_])'
export const rx = (source: string, flags = ''): RegExp => new RegExp(source, 'gd' + flags)
