/**
 * Whether a literal looks generated (a key, a password) rather than written by a person (a word, a name, an
 * identifier, a URL): by entropy and by character mix, judged on the whole value. Used by the generic rule on
 * every assigned value and by the provider rules on a token's body.
 */
import {isPlaceholder} from './placeholders.js'

/** Shannon entropy in bits per character. */
export function entropy(value: string): number {
  const counts = new Map<string, number>()
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1)
  let bits = 0
  for (const n of counts.values()) {
    const p = n / value.length
    bits -= p * Math.log2(p)
  }
  return bits
}

const VOWEL = /[aeiouy]/i

/** Letters a person wrote: each camel-case part at least two letters long and holding a vowel, no long clusters. */
function wordLike(letters: string): boolean {
  const parts = letters.match(/[A-Z]?[a-z]+|[A-Z]+(?![a-z])/g) ?? []
  if (parts.length === 0) return false
  const mixed = /[a-z]/.test(letters) && /[A-Z]/.test(letters)
  if (mixed && parts.some((p) => p.length < 2 || !VOWEL.test(p))) return false
  // camelCase words are long; a random mix of cases falls into short parts (GO Mdvre LCA Jyk UOO).
  if (mixed && letters.length / parts.length < 4) return false
  const vowels = (letters.match(/[aeiouy]/gi) ?? []).length
  const longestCluster = Math.max(0, ...(letters.match(/[^aeiouy]+/gi) ?? []).map((c) => c.length))
  return vowels / letters.length >= 0.25 && longestCluster <= 6
}

/** A name built of words and short numbers (`orders-v1-db`, `api.v2.internal`, `user_2`). */
export function nameLike(value: string): boolean {
  const segments = value.split(/[._/:@-]+/).filter(Boolean)
  if (segments.length === 0) return false
  return segments.every((s) => /^\d{1,3}$/.test(s) || (/^[A-Za-z]+\d{0,3}$/.test(s) && wordLike(s.replace(/\d+$/, ''))))
}

/** The least entropy a random value of this length has, with room for the unlucky draws of short values. */
function entropyFloor(length: number, hexOrDigits: boolean): number {
  const ceiling = Math.log2(Math.min(length, hexOrDigits ? 16 : 64))
  return Math.min(hexOrDigits ? 2.5 : 3.0, ceiling - 1.0)
}

/** Base64 that decodes to readable text ("dummy text data …") encodes words, not a key. */
function encodesText(value: string): boolean {
  if (value.length < 16 || value.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return false
  const text = Buffer.from(value, 'base64').toString('latin1')
  return /^[\x20-\x7e]+$/.test(text) && / /.test(text) && (text.match(/[a-z]/gi) ?? []).length / text.length > 0.7
}

export function looksRandom(value: string, minLength = 8): boolean {
  if (value.length < minLength) return false
  if (/\s/.test(value)) return false
  if (isPlaceholder(value)) return false
  if (/^[a-z][a-z0-9+.-]*:\/\/[^@\s]*$/i.test(value)) return false // URLs without credentials
  if (/^[A-Za-z]+$/.test(value)) return !wordLike(value)
  if (encodesText(value)) return false
  if (nameLike(value)) return false
  if (/^\d+$/.test(value)) return value.length >= 16 && entropy(value) >= 2.7
  const hex = /^[0-9a-f]+$/i.test(value)
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(value)).length
  if (!hex && classes < 2) return false
  return entropy(value) >= entropyFloor(value.length, hex)
}
