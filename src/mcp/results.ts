/**
 * The whole documents of the paged tools' calls, kept for the server's life as MCP resources (`ameide://results/N`):
 * an answer cut to its budget names the one holding all of it. The last {@link Results.KEPT} are kept; the server
 * writes nothing to the user's files.
 */
export class Results {
  static readonly KEPT = 16
  private readonly docs = new Map<string, {name: string; text: string}>()
  private count = 0

  /** Keeps a document; its resource URI. */
  keep(tool: string, text: string): string {
    const uri = `ameide://results/${++this.count}`
    this.docs.set(uri, {name: `${tool} result ${this.count}`, text})
    for (const old of [...this.docs.keys()].slice(0, Math.max(0, this.docs.size - Results.KEPT))) this.docs.delete(old)
    return uri
  }

  read(uri: string): string | undefined {
    return this.docs.get(uri)?.text
  }

  /** Whether a kept result is one of this tool's. */
  of(uri: string, tool: string): boolean {
    return this.docs.get(uri)?.name.startsWith(`${tool} `) === true
  }

  list() {
    return [...this.docs].map(([uri, d]) => ({
      uri,
      name: d.name,
      mimeType: 'application/json',
      size: Buffer.byteLength(d.text, 'utf8'),
    }))
  }
}
