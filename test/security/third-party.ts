// The attacker: a real HTTP server on 127.0.0.2 (another host than the backend on 127.0.0.1). It
// records what reached it and answers what the test tells it to (session headers, Set-Cookie).
import { createServer } from 'node:http'
import type { OutgoingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Received {
  method: string
  url: string
  headers: Record<string, string | string[] | undefined>
}

export interface ThirdParty {
  /** `http://127.0.0.2:<port>` */
  url: string
  port: number
  received: Received[]
  /** The headers of every later answer (status 200, a JSON body). */
  answerWith(headers: OutgoingHttpHeaders): void
  close(): Promise<void>
}

export async function startThirdParty(headers: OutgoingHttpHeaders = {}): Promise<ThirdParty> {
  let answer = headers
  const received: Received[] = []
  const server = createServer((req, res) => {
    received.push({ method: req.method ?? '', url: req.url ?? '', headers: { ...req.headers } })
    res.writeHead(200, { 'content-type': 'application/json', ...answer }).end('{"third":"party"}')
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.2', resolve)
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.2:${port}`,
    port,
    received,
    answerWith(next) {
      answer = next
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** Everything a request could carry of a session, as one string to search for an id. */
export const carried = (r: Received): string =>
  [r.url, r.headers.cookie ?? '', r.headers['x-session-id'] ?? '', r.headers.session_id ?? ''].join(' ')
