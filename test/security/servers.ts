// Real HTTP servers for the security tests. The attacker is on 127.0.0.2 (another host than the
// backend on 127.0.0.1): it records what reached it and answers what the test tells it to. A
// small backend on 127.0.0.1 answers its login with a body the test chooses (the id an app's
// sessionFromBody reads) and records every request line and header as it arrived.
import { createServer } from 'node:http'
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Received {
  method: string
  /** The request target as it arrived on the wire (path and query). */
  url: string
  headers: Record<string, string | string[] | undefined>
}

export interface Recorder {
  /** `http://<host>:<port>` */
  url: string
  port: number
  received: Received[]
  close(): Promise<void>
}

type Answer = (req: IncomingMessage) => { headers?: OutgoingHttpHeaders; body: unknown }

async function startRecorder(host: string, answer: Answer): Promise<Recorder> {
  const received: Received[] = []
  const server = createServer((req, res) => {
    received.push({ method: req.method ?? '', url: req.url ?? '', headers: { ...req.headers } })
    const { headers = {}, body } = answer(req)
    res.writeHead(200, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, host, resolve)
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://${host}:${port}`,
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

export interface ThirdParty extends Recorder {
  /** The headers of every later answer (status 200, body { third: 'party' }). */
  answerWith(headers: OutgoingHttpHeaders): void
}

export async function startThirdParty(headers: OutgoingHttpHeaders = {}): Promise<ThirdParty> {
  let current = headers
  const recorder = await startRecorder('127.0.0.2', () => ({ headers: current, body: { third: 'party' } }))
  return {
    ...recorder,
    answerWith(next) {
      current = next
    },
  }
}

/**
 * A backend on 127.0.0.1: POST /login answers `loginBody`, GET /session answers {} (no id), any
 * other path answers { url } (the request target it received).
 */
export const startLoginBodyBackend = (loginBody: unknown): Promise<Recorder> =>
  startRecorder('127.0.0.1', (req) => {
    if (req.url === '/login') return { body: loginBody }
    return { body: req.url === '/session' ? {} : { url: req.url } }
  })

/** Everything a request could carry of a session, as one string to search for an id. */
export const carried = (r: Received): string =>
  [r.url, r.headers.cookie ?? '', r.headers['x-session-id'] ?? '', r.headers.session_id ?? ''].join(' ')
