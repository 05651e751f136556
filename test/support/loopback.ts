import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

/** An HTTP server on 127.0.0.1 at a free port, answering with `handler`; the stand-ins (GitHub, Argo CD, Sigstore) share it. */
export async function listenLoopback(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{server: Server; url: string}> {
  const server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`}
}

/** Closes a loopback server and every connection it still holds (a stopped server is an unreachable service). */
export async function closeLoopback(server: Server | undefined): Promise<void> {
  if (!server) return
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
}
