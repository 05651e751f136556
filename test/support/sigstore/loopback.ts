import type {IncomingMessage, Server, ServerResponse} from 'node:http'

import {closeLoopback, listenLoopback} from '../loopback.js'

export interface Violation {
  where: string
  problem: string
}

/**
 * The shell of a Sigstore stand-in: an HTTP server on 127.0.0.1, a log of requests, the violations of its API
 * contract it saw (a test asserts there are none), and `stop()` (a stopped server is an unreachable service).
 */
export abstract class LoopbackServer {
  readonly violations: Violation[] = []
  readonly requests: string[] = []
  url = ''
  private server: Server | undefined

  constructor(readonly name: string) {}

  async start(): Promise<this> {
    ;({server: this.server, url: this.url} = await listenLoopback((req, res) => void this.dispatch(req, res)))
    return this
  }

  async stop(): Promise<void> {
    await closeLoopback(this.server)
    this.server = undefined
  }

  protected abstract handle(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): void | Promise<void>

  protected violation(where: string, problem: string): void {
    this.violations.push({where: `${this.name} ${where}`, problem})
  }

  protected json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, {'content-type': 'application/json', ...headers})
    res.end(JSON.stringify(body))
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const url = new URL(req.url ?? '/', this.url)
    this.requests.push(`${req.method} ${url.pathname}`)
    try {
      await this.handle(req, res, url, Buffer.concat(chunks))
    } catch (error) {
      this.violation(`${req.method} ${url.pathname}`, `stand-in failed: ${(error as Error).stack ?? String(error)}`)
      if (!res.headersSent) this.json(res, 500, {code: 500, message: 'stand-in failed'})
    }
  }
}
