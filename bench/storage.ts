// Storage writes per 1000 requests against express-session with `rolling: true` (a new Expires on
// every response, the same session id): our client vs weapp-cookie, each on its own emulated wx
// doing real HTTP to 127.0.0.1. wx.setStorageSync is synchronous and slows the app down
// (PLATFORM.md 3), so a write per response is a cost users pay on every request.
import { createClient } from '../src/index.js'
import { createRuntime } from '../src/testing/index.js'
import { startExpressServer } from '../test/servers/express.js'
import type { BenchRow } from './index.js'
import { call, loadWeappCookie } from './request.js'

export async function benchStorage({ requests = 1000 } = {}): Promise<BenchRow[]> {
  const cloud = createRuntime()
  const server = await startExpressServer({ code2Session: cloud.code2Session, rolling: true })
  try {
    const ours = createRuntime()
    const client = createClient({
      platform: ours.wx,
      baseURL: server.url,
      warmup: '/session',
      refreshInterval: false,
    })
    const oursBefore = ours.stats.storageWrites
    const oursIds = new Set<unknown>()
    for (let i = 0; i < requests; i++) {
      const res = (await client.request({ url: '/keepalive' })) as {
        statusCode: number
        data: { sid?: string }
      }
      if (res.statusCode !== 200) throw new Error(`ours: /keepalive answered ${res.statusCode}`)
      oursIds.add(res.data.sid)
    }
    client.dispose()
    const oursWrites = ours.stats.storageWrites - oursBefore

    const theirs = createRuntime()
    loadWeappCookie(theirs.wx)
    const theirsBefore = theirs.stats.storageWrites
    await call(theirs.wx.request as never, `${server.url}/session`)
    const theirsIds = new Set<unknown>()
    for (let i = 0; i < requests; i++) {
      const res = (await call(theirs.wx.request as never, `${server.url}/keepalive`)) as {
        statusCode: number
        data: { sid?: string }
      }
      if (res.statusCode !== 200) throw new Error(`weapp-cookie: /keepalive answered ${res.statusCode}`)
      theirsIds.add(res.data.sid)
    }
    const theirsWrites = theirs.stats.storageWrites - theirsBefore
    // "with an unchanged session id": one session each for the whole run, or the figure means nothing.
    if (oursIds.size !== 1 || theirsIds.size !== 1) {
      throw new Error(
        `session ids changed during the run: ours ${oursIds.size}, weapp-cookie ${theirsIds.size}`,
      )
    }
    return [
      {
        name: `storage writes per ${requests} requests, rolling cookie (incl. session creation)`,
        ops: oursWrites,
        unit: 'writes',
        vs: { 'weapp-cookie': theirsWrites },
      },
    ]
  } finally {
    await server.close()
  }
}
