import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Callbacks } from '../../src/testing/index.js'

export interface TestServer {
  url: string
  server: Server
  close(): Promise<void>
}

/** A node:http server on 127.0.0.1 and a free port. */
export async function startServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<TestServer> {
  const server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** Results are read loosely in assertions: a wrong shape fails the assertion rather than the compile. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any

export interface Outcome<T = Loose> {
  ok: boolean
  result: T
  /** 'success' | 'fail' then 'complete', in the order the runtime called them. */
  order: string[]
  /** true when complete received the very object success/fail got. */
  sameObject: boolean
}

/** Calls a callback-style API and resolves once `complete` ran; the outcome records the order. */
export function outcome<O extends Callbacks, R>(
  api: (o: O) => R,
  options: Omit<O, keyof Callbacks>,
): { task: R; done: Promise<Outcome> } {
  let task!: R
  const done = new Promise<Outcome>((resolve) => {
    const order: string[] = []
    let first: unknown
    let ok = false
    task = api({
      ...options,
      success: (r: unknown) => {
        order.push('success')
        ok = true
        first = r
      },
      fail: (r: unknown) => {
        order.push('fail')
        first = r
      },
      complete: (r: unknown) => {
        order.push('complete')
        resolve({ ok, result: r, order, sameObject: r === first })
      },
    } as unknown as O)
  })
  return { task, done }
}

/** Waits (real time, bounded) until `check()` is true: for events that happen on a real socket. */
export async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  for (let waited = 0; !check(); waited += 5) {
    if (waited >= ms) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

export const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
