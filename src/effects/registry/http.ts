import {Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders} from 'node:http'
import {Agent as HttpsAgent, request as httpsRequest} from 'node:https'

/**
 * The registry client's HTTP transport: node:http(s) with keep-alive agents instead of `fetch`. Measured on the
 * publish bench: fetch (undici, web streams, per-request AbortSignal) costs ≈ 2.5× the CPU per small manifest
 * exchange, and a retag-only publish is hundreds of them. What fetch did and the client relies on is kept:
 * redirects are followed (up to 20; 303, and 301/302 after POST, become GET; the Authorization header is dropped on
 * a cross-origin redirect, as fetch does, so a bearer token never reaches a blob CDN), the whole exchange (headers
 * and body) is bounded by one timeout that fails with a `TimeoutError`, and a connection that drops mid-body is
 * reported with an `ECONNRESET` code, so `classifyRegistryError` sees the same transient failures as before.
 * No Accept-Encoding is sent: manifests come back byte for byte (their digest is over the exact bytes).
 */
export interface HttpExchange {
  status: number
  headers: {get(name: string): string | null}
  body: Buffer
}

/** One HTTP exchange, redirects followed, bounded by `timeoutMs`: what the registry client sends through. */
export type Transport = (
  method: string,
  url: string,
  headers: Record<string, string>,
  body: Buffer | undefined,
  timeoutMs: number,
) => Promise<HttpExchange>

// One connection per request in flight (no pipelining), kept open between requests; idle sockets do not hold the process.
const agentOptions = {keepAlive: true, scheduling: 'lifo' as const}
const httpAgent = new HttpAgent(agentOptions)
const httpsAgent = new HttpsAgent(agentOptions)

const MAX_REDIRECTS = 20

class HttpTimeoutError extends Error {
  override name = 'TimeoutError'
}

/** The default `Transport`. */
export async function httpExchange(
  method: string,
  url: string,
  headers: Record<string, string>,
  body: Buffer | undefined,
  timeoutMs: number,
): Promise<HttpExchange> {
  const deadline = Date.now() + timeoutMs
  let current = new URL(url)
  let currentMethod = method
  let currentHeaders = headers
  let currentBody = body
  for (let redirects = 0; ; redirects++) {
    const timeLeft = Math.max(1, deadline - Date.now())
    const res = await exchangeOnce(currentMethod, current, currentHeaders, currentBody, {timeoutMs: timeLeft})
    const location = res.status >= 300 && res.status < 400 && res.status !== 304 ? res.headers.get('location') : null
    if (!location) return res
    if (redirects >= MAX_REDIRECTS)
      throw Object.assign(new TypeError(`${method} ${url}: too many redirects`), {
        cause: {code: 'ERR_TOO_MANY_REDIRECTS'},
      })
    const next = new URL(location, current)
    if (res.status === 303 || ((res.status === 301 || res.status === 302) && currentMethod === 'POST')) {
      currentMethod = currentMethod === 'HEAD' ? 'HEAD' : 'GET'
      currentBody = undefined
      currentHeaders = withoutHeaders(currentHeaders, ['content-type', 'content-length'])
    }
    if (next.origin !== current.origin) currentHeaders = withoutHeaders(currentHeaders, ['authorization'])
    current = next
  }
}

function withoutHeaders(headers: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !names.includes(k.toLowerCase())))
}

/** What bounds one exchange: its time, and (for downloads) its size, refused with `tooBig`'s error. */
export interface ExchangeBounds {
  timeoutMs: number
  agent?: HttpAgent | HttpsAgent
  maxBytes?: number
  tooBig?: () => Error
}

/**
 * One request and its whole answer, no redirect followed: bounded by `timeoutMs` (a `TimeoutError`) and `maxBytes`
 * (declared or counted), a connection dropped mid-body an `ECONNRESET`. The registry's and the chart repositories'
 * transports both send through it.
 */
export function exchangeOnce(
  method: string,
  url: URL,
  headers: Record<string, string>,
  body: Buffer | undefined,
  bounds: ExchangeBounds,
): Promise<HttpExchange> {
  return new Promise((resolve, reject) => {
    const https = url.protocol === 'https:'
    if (!https && url.protocol !== 'http:') {
      reject(new TypeError(`unsupported protocol ${url.protocol}`))
      return
    }
    const options = {
      method,
      agent: bounds.agent ?? (https ? httpsAgent : httpAgent),
      headers: {'User-Agent': 'ameide', ...headers, ...(body ? {'Content-Length': String(body.length)} : {})},
    }
    let settled = false
    const fail = (error: Error) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      req.destroy()
      reject(error)
    }
    const cut = () =>
      fail(withCode(new Error('terminated: the connection closed before the body was complete'), 'ECONNRESET'))
    const req = (https ? httpsRequest : httpRequest)(url, options, (res) => {
      const maxBytes = bounds.maxBytes ?? Infinity
      const tooBig = () => fail(bounds.tooBig?.() ?? new Error(`${method} ${url.href}: over ${maxBytes} bytes`))
      if (Number(res.headers['content-length'] ?? 0) > maxBytes) return tooBig()
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size > maxBytes) tooBig()
        else chunks.push(chunk)
      })
      res.on('error', (error) => fail(withCode(error, 'ECONNRESET')))
      res.on('aborted', cut)
      res.on('close', () => {
        if (!res.complete) cut()
      })
      res.on('end', () => {
        if (!res.complete) return cut()
        if (settled) return
        settled = true
        clearTimeout(timer)
        resolve({
          status: res.statusCode ?? 0,
          headers: headerGetter(res.headers),
          body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks),
        })
      })
    })
    const timer = setTimeout(
      () => fail(new HttpTimeoutError(`The operation was aborted due to timeout (${bounds.timeoutMs} ms)`)),
      bounds.timeoutMs,
    )
    req.on('error', (error) => fail(error))
    req.end(body)
  })
}

function withCode(error: Error, code: string): Error {
  const e = error as Error & {code?: string}
  if (!e.code) e.code = code
  return e
}

function headerGetter(headers: IncomingHttpHeaders): HttpExchange['headers'] {
  return {
    get(name: string): string | null {
      const value = headers[name.toLowerCase()]
      if (value === undefined) return null
      return Array.isArray(value) ? value.join(', ') : value
    },
  }
}
