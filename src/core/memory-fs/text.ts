/**
 * The UTF-8 text of a file of a frozen tree, decoded once for its bytes: they never change, and the revisions read
 * together share the bytes of each blob they share (a pull request's base and head, nearly all), so each reader of
 * either revision gets the one text.
 */
const texts = new WeakMap<Uint8Array, string>()

export function frozenText(bytes: Uint8Array): string {
  let text = texts.get(bytes)
  if (text === undefined) {
    text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')
    texts.set(bytes, text)
  }
  return text
}
