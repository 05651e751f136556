import {createServer, request as httpRequest, Agent, type IncomingMessage, type ServerResponse} from 'node:http'
import type {AddressInfo, Socket} from 'node:net'

/**
 * '503': 503 Service Unavailable; '429': 429 Too Many Requests with `Retry-After: 1`;
 * 'reset': the socket is destroyed before any response byte.
 */
export type FaultMode = '503' | '429' | 'reset'

export interface RequestRecord {
  method: string
  /** Path without the query string, e.g. /v2/app/manifests/main */
  path: string
  /** Status sent to the client, or 'reset'. */
  outcome: number | 'reset'
  injected: boolean
}

export interface FaultRule {
  mode: FaultMode
  /** How many matching requests get this fault; afterwards they pass through. */
  times: number
  /** Only requests for which this returns true count (default: all), e.g. (m, p) => m === 'PUT'. */
  match?: (method: string, path: string) => boolean
}

export interface FaultProxy {
  /** `127.0.0.1:PORT` — use instead of the registry's host. */
  host: string
  url: string
  /** Queues faults, applied in order to the next matching requests. */
  inject(...rules: FaultRule[]): void
  /** Every request seen, in order. */
  readonly requests: readonly RequestRecord[]
  /** Requests so far. */
  total(): number
  /** Counts keyed `METHOD /path` (query stripped). */
  countsByRoute(): Record<string, number>
  /** Calls `fn` on each request as it arrives (before it is forwarded); returns the function that stops it. */
  watch(fn: (method: string, path: string) => void): () => void
  /** Forgets the request log (not pending faults). */
  resetCounts(): void
  stop(): Promise<void>
}

/**
 * A loopback HTTP proxy in front of `targetUrl` (e.g. a test registry's url). Requests pass through unchanged,
 * including the Host header (so registry Location headers point back at the proxy), except those consumed by
 * injected faults. Counts all requests so tests can assert request budgets.
 */
export async function startFaultProxy(targetUrl: string, ...initialFaults: FaultRule[]): Promise<FaultProxy> {
  const target = new URL(targetUrl)
  const upstreamAgent = new Agent({keepAlive: true})
  const pending: FaultRule[] = initialFaults.map((rule) => ({...rule}))
  const requests: RequestRecord[] = []
  const sockets = new Set<Socket>()
  const watchers = new Set<(method: string, path: string) => void>()

  function takeFault(method: string, path: string): FaultMode | undefined {
    const index = pending.findIndex((rule) => rule.times > 0 && (rule.match?.(method, path) ?? true))
    if (index < 0) return undefined
    const rule = pending[index]
    rule.times -= 1
    if (rule.times === 0) pending.splice(index, 1)
    return rule.mode
  }

  function fail(mode: FaultMode, req: IncomingMessage, res: ServerResponse, record: RequestRecord): void {
    if (mode === 'reset') {
      record.outcome = 'reset'
      req.socket.destroy()
      return
    }
    req.resume() // drop any request body
    const status = mode === '429' ? 429 : 503
    record.outcome = status
    const code = mode === '429' ? 'TOOMANYREQUESTS' : 'UNAVAILABLE'
    const body = JSON.stringify({errors: [{code, message: `fault-proxy injected ${status}`}]})
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
      Connection: 'close',
      ...(mode === '429' ? {'Retry-After': '1'} : {}),
    })
    res.end(body)
  }

  function forward(req: IncomingMessage, res: ServerResponse, record: RequestRecord): void {
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent: upstreamAgent,
      },
      (upstreamRes) => {
        record.outcome = upstreamRes.statusCode ?? 0
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.rawHeaders)
        upstreamRes.pipe(res)
      },
    )
    upstream.on('error', (error) => {
      record.outcome = 502
      if (!res.headersSent) res.writeHead(502, {'Content-Type': 'text/plain'})
      res.end(`fault-proxy upstream error: ${error.message}`)
    })
    req.pipe(upstream)
  }

  const server = createServer((req, res) => {
    const method = req.method ?? 'GET'
    const path = (req.url ?? '/').split('?')[0]
    const fault = takeFault(method, path)
    const record: RequestRecord = {method, path, outcome: 0, injected: fault !== undefined}
    requests.push(record)
    for (const fn of watchers) fn(method, path)
    if (fault) fail(fault, req, res, record)
    else forward(req, res, record)
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const {port} = server.address() as AddressInfo
  const host = `127.0.0.1:${port}`

  return {
    host,
    url: `http://${host}`,
    inject: (...rules) => pending.push(...rules.map((rule) => ({...rule}))),
    requests,
    total: () => requests.length,
    countsByRoute: () => {
      const counts: Record<string, number> = {}
      for (const r of requests) counts[`${r.method} ${r.path}`] = (counts[`${r.method} ${r.path}`] ?? 0) + 1
      return counts
    },
    watch: (fn) => {
      watchers.add(fn)
      return () => watchers.delete(fn)
    },
    resetCounts: () => {
      requests.length = 0
    },
    stop: async () => {
      for (const socket of sockets) socket.destroy()
      upstreamAgent.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
