export type Settled<T> = {ok: true; value: T} | {ok: false; error: unknown}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the input order. Never rejects. */
export async function mapConcurrent<I, O>(
  items: readonly I[],
  limit: number,
  fn: (item: I, index: number) => Promise<O>,
): Promise<Settled<O>[]> {
  const results: Settled<O>[] = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      try {
        results[index] = {ok: true, value: await fn(items[index], index)}
      } catch (error) {
        results[index] = {ok: false, error}
      }
    }
  }
  await Promise.all(Array.from({length: Math.max(1, Math.min(limit, items.length))}, worker))
  return results
}

/** At most `size` holders at a time (the CPU-heavy steps: builds, SBOM generation, cosign). */
export class Semaphore {
  private available: number
  private readonly waiting: (() => void)[] = []

  constructor(size: number) {
    this.available = Math.max(1, size)
  }

  async use<T>(fn: () => Promise<T>): Promise<T> {
    if (this.available > 0) this.available--
    else await new Promise<void>((resolve) => this.waiting.push(resolve))
    try {
      return await fn()
    } finally {
      const next = this.waiting.shift()
      if (next) next()
      else this.available++
    }
  }
}

/** Registry-only work (HEAD/GET/PUT of small manifests) runs wider than the CPU-bound steps. */
export function registryConcurrency(jobs: number): number {
  return Math.max(16, jobs * 4)
}
