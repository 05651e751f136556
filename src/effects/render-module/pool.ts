/** The render module's threads (WebAssembly workers or native helpers), shared between requests. */
/**
 * At most `size` threads, each running one request at a time; a dead one is replaced by a fresh one. The first starts
 * with the first request; another only when requests have waited GROW_AFTER_MS behind busy threads — counted from
 * when a thread is there to serve them (not while the first starts: the six-Application diff of
 * bench/gitops-diff-scale.mjs then renders on one thread, 45 MB and 0.2 s of CPU less) and ended when the queue
 * empties: a thread's own start (instantiate and Go's init, ≈ 80 ms of CPU, tens of MB) is paid back only by a queue
 * that long. On 20 Applications (bench/render-paths.mjs) one thread used 0.85× the CPU and 0.84× the memory of two
 * started at once. No thread idles while a request waits; among the waiting, a freed thread takes first one whose
 * affinity it ran before, then one no thread ran before, then the oldest.
 */
const GROW_AFTER_MS = 250
/** A thread's affinities are forgotten past this many (the module keeps at most 1,024 charts: chart_files.go). */
const AFFINITIES = 1024

interface Waiter<T> {
  affinity?: string
  resolve: (t: T) => void
  reject: (e: unknown) => void
}

/** What the pool needs of a thread (a worker's, ./host.ts Thread; ./native.ts's helper). */
export interface PoolThread {
  /** The trees it keeps (./tree.ts). */
  readonly held: Set<string>
  /** The affinities of the requests it ran (RenderRequest.affinity). */
  readonly ran: Set<string>
  /** Ended (a time-out, the module's exit): not given back to the pool. */
  readonly dead: boolean
}

export class Pool<T extends PoolThread> {
  private readonly idle: T[] = []
  private readonly waiting: Array<Waiter<T>> = []
  private readonly threads = new Set<T>()
  private live = 0
  private growing: NodeJS.Timeout | undefined
  constructor(
    private readonly size: number,
    private readonly start: () => Promise<T>,
  ) {}

  async take(affinity?: string): Promise<T> {
    const at = this.idle.findIndex((t) => affinity !== undefined && t.ran.has(affinity))
    const idle = at >= 0 ? this.idle.splice(at, 1)[0] : this.idle.pop()
    if (idle) return this.runs(idle, affinity)
    if (this.live === 0) return this.runs(await this.grow(), affinity)
    const waited = new Promise<T>((resolve, reject) => this.waiting.push({affinity, resolve, reject}))
    this.growLater()
    return this.runs(await waited, affinity)
  }

  give(thread: T): void {
    if (thread.dead) {
      this.live--
      this.threads.delete(thread)
      const next = this.waiting.shift()
      if (next) this.grow().then(next.resolve, (e: unknown) => this.requeue(next, e))
      return
    }
    const next = this.next(thread)
    if (next) next.resolve(thread)
    else this.idle.push(thread)
    // A backlog counts from when a thread serves it (not while the first starts), and ends when the queue is empty.
    if (this.waiting.length > 0) return this.growLater()
    clearTimeout(this.growing)
    this.growing = undefined
  }

  /** The waiting request `thread` takes (removed from the queue), if any. */
  private next(thread: T): Waiter<T> | undefined {
    const ranBefore = (w: Waiter<T>) => w.affinity !== undefined && thread.ran.has(w.affinity)
    const fresh = (w: Waiter<T>) => w.affinity === undefined || ![...this.threads].some((t) => t.ran.has(w.affinity!))
    const at = [ranBefore, fresh].map((p) => this.waiting.findIndex(p)).find((i) => i >= 0) ?? 0
    return this.waiting.splice(at, 1)[0]
  }

  private runs(thread: T, affinity: string | undefined): T {
    if (affinity === undefined) return thread
    if (thread.ran.size >= AFFINITIES) thread.ran.clear()
    thread.ran.add(affinity)
    return thread
  }

  private async grow(): Promise<T> {
    this.live++
    try {
      const thread = await this.start()
      this.threads.add(thread)
      if (this.waiting.length > 0) this.growLater()
      return thread
    } catch (e) {
      this.live--
      // No thread left to serve them: the waiting fail as the start did (a caller may turn elsewhere), never hang.
      if (this.live === 0) for (const w of this.waiting.splice(0)) w.reject(e)
      throw e
    }
  }

  /** A request whose thread did not start waits for another, or fails as the start did when none is left. */
  private requeue(waiter: Waiter<T>, error: unknown): void {
    if (this.live === 0) waiter.reject(error)
    else this.waiting.unshift(waiter)
  }

  /** A thread more for the first waiting request, if it still waits after GROW_AFTER_MS and the pool may grow. */
  private growLater(): void {
    if (this.growing || this.live >= this.size || this.threads.size === 0) return
    this.growing = setTimeout(() => {
      this.growing = undefined
      const next = this.waiting.shift()
      if (!next) return
      if (this.live >= this.size) return void this.waiting.unshift(next)
      this.grow().then(next.resolve, (e: unknown) => this.requeue(next, e))
    }, GROW_AFTER_MS)
    this.growing.unref()
  }
}
