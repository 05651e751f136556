/**
 * Every secret the process handles (tokens, passwords, key material) is registered here the moment it
 * is read, and every byte ameide prints passes through `redact`. Defence in depth: code should not put
 * secrets in messages at all, and this catches the case where a child process echoes one back.
 */
const secrets = new Set<string>()

/** Minimum length worth redacting: shorter values would blank out ordinary words. */
const MIN_SECRET_LENGTH = 4

export function registerSecret(value: string | undefined): void {
  if (value && value.length >= MIN_SECRET_LENGTH) secrets.add(value)
}

export function redact(text: string): string {
  let out = text
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join('***')
  }
  return out
}

/** For tests only: forget registered secrets. */
export function clearSecretsForTests(): void {
  secrets.clear()
}
