// Session fixation from a third party (issue 12 point 1, 串号): a real server on 127.0.0.2 answers
// with the session headers and cookies of every backend and mode, setting ATTACKER or deleting the
// session. The backend's session must not move: the next /me is the same user on the same id, in
// cookie, header and URL mode, on express-session and PHP, now and after a restart.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createClient } from '../../src/client.js'
import type { SessionOptions } from '../../src/options.js'
import { backendRows } from '../session/backends.js'
import { createClock, createRuntime } from '../../src/testing/index.js'
import { body } from '../session/env.js'
import type { Env } from '../session/env.js'
import { startThirdParty } from './servers.js'
import type { ThirdParty } from './servers.js'

const NAMES = ['connect.sid', 'PHPSESSID', 'JSESSIONID', 'jsessionid', 'sid', 'SESSION', 'sessionid']

/** The third party sets ATTACKER through every carrier: headers, host-only and Domain cookies. */
const plant = {
  'X-Session-Id': 'ATTACKER',
  session_id: 'ATTACKER',
  'Set-Cookie': [
    ...NAMES.map((n) => `${n}=ATTACKER; Path=/`),
    ...NAMES.map((n) => `${n}=ATTACKER; Domain=127.0.0.1; Path=/`),
    ...NAMES.map((n) => `${n}=ATTACKER; Domain=other.com; Path=/`),
  ],
}
/** The third party deletes the session through every carrier. */
const erase = {
  'Set-Cookie': [
    ...NAMES.map((n) => `${n}=; Max-Age=0; Path=/`),
    ...NAMES.map((n) => `${n}=; Domain=127.0.0.1; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/`),
  ],
}

describe.each(backendRows)('fixation from a third party (%s)', (_label, backend) => {
  let env: Env | undefined
  let third: ThirdParty | undefined
  afterEach(async () => {
    await env?.close()
    await third?.close()
    env = third = undefined
  })
  const options = (more: SessionOptions = {}): SessionOptions => ({
    ...backend.options,
    warmup: '/session',
    login: { url: '/login' },
    refreshInterval: false,
    ...more,
  })

  it.each([
    [
      'sets ATTACKER (X-Session-Id, session_id, Set-Cookie host-only, Domain=127.0.0.1, Domain=other.com)',
      plant,
    ],
    ['deletes the session (Max-Age=0, a past Expires, Domain=127.0.0.1)', erase],
  ])(
    'a third-party answer that %s: the same user on the same id, also after a restart',
    async (_what, headers) => {
      env = await backend.start(60_000)
      third = await startThirdParty(headers)
      const c = env.client(options())
      const who = (await c.login()) as { openid: string }
      const id = c.getSession().id
      const before = body(await c.request({ url: '/me' }))
      expect(before.openid).toBe(who.openid)

      const res = await c.request({ url: `${third.url}/ad` })
      expect(body(res)).toEqual({ third: 'party' })
      expect(third.received).toHaveLength(1)
      expect(c.getSession()).toMatchObject({ id, loggedIn: true })
      const after = body(await c.request({ url: '/me' }))
      expect(after).toMatchObject({ sid: before.sid, openid: who.openid })

      env.restart()
      const next = env.client(options())
      expect(next.getSession()).toMatchObject({ id, loggedIn: true })
      expect(body(await next.request({ url: '/me' }))).toMatchObject({ sid: before.sid, openid: who.openid })
      expect(env.server.count('login')).toBe(1)
    },
  )

  it('without baseURL: the session is bound to the backend that set it, a third party cannot take it over', async () => {
    env = await backend.start(60_000)
    third = await startThirdParty(plant)
    const base = env.server.url
    const c = env.client(options({ baseURL: '', warmup: `${base}/session`, login: { url: `${base}/login` } }))
    const who = (await c.login()) as { openid: string }
    const id = c.getSession().id
    await c.request({ url: `${third.url}/ad` })
    expect(c.getSession()).toMatchObject({ id, loggedIn: true })
    expect(body(await c.request({ url: `${base}/me` })).openid).toBe(who.openid)
    // nothing of the backend's went to the third party
    expect(JSON.stringify(third.received)).not.toContain(String(id))
  })
})

/**
 * A backend whose session cookie ends by Max-Age (on the jar's clock, which the test moves):
 * GET /session starts a session `S<n>`; every other path answers the Cookie header it received.
 */
async function maxAgeBackend(maxAgeSeconds: number) {
  let sessions = 0
  const server = createServer((req, res) => {
    if (req.url === '/session') {
      res.setHeader('Set-Cookie', `sid=S${++sessions}; Max-Age=${maxAgeSeconds}; Path=/`)
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
      return
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ cookie: req.headers.cookie ?? '' }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sessions: () => sessions,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

describe.each(backendRows.filter(([, b]) => b.mode !== 'cookie'))(
  'without baseURL, the first call of the app is to the third party (%s)',
  (_label, backend) => {
    let env: Env | undefined
    let third: ThirdParty | undefined
    afterEach(async () => {
      await env?.close()
      await third?.close()
      env = third = undefined
    })

    it('the warm-up runs first and binds the session to the backend: ATTACKER is never the id', async () => {
      env = await backend.start(60_000)
      third = await startThirdParty(plant)
      const base = env.server.url
      const c = env.client({
        ...backend.options,
        baseURL: '',
        warmup: `${base}/session`,
        login: { url: `${base}/login` },
        refreshInterval: false,
      })
      await c.request({ url: `${third.url}/first`, needLogin: false })
      expect(env.server.count('warmup')).toBe(1)
      const id = c.getSession().id
      expect(id).toBeTruthy()
      expect(id).not.toBe('ATTACKER')
      const who = (await c.login()) as { openid: string }
      await c.request({ url: `${third.url}/again` })
      expect(body(await c.request({ url: `${base}/me` })).openid).toBe(who.openid)
      expect(JSON.stringify(third.received)).not.toContain(String(c.getSession().id))
    })
  },
)

describe('cookie mode: a third-party session cookie is not the session once the backend cookie expired', () => {
  it("getSession().id is not the third party's cookie, and the next backend call warms up again", async () => {
    const clock = createClock()
    const rt = createRuntime({ clock })
    const backend = await maxAgeBackend(60)
    const third = await startThirdParty({
      'Set-Cookie': ['sid=ATTACKER; Path=/', 'connect.sid=ATTACKER; Path=/'],
    })
    const c = createClient({ platform: rt.wx, clock: rt.clock, baseURL: backend.url, warmup: '/session' })
    try {
      await c.request({ url: '/echo' }) // warms up first
      expect(c.getSession().id).toBe('S1')
      await c.request({ url: `${third.url}/ad` })
      expect(c.getSession().id).toBe('S1')

      await clock.advance(61_000)
      expect(c.getSession().id).toBeUndefined() // not ATTACKER: that cookie is 127.0.0.2's
      const seen = body(await c.request({ url: '/echo' }))
      expect(backend.sessions()).toBe(2) // the warm-up ran again
      expect(c.getSession().id).toBe('S2')
      expect(seen.cookie).toBe('sid=S2')
      // the third party's cookies are still its own: sent to it, and only to it
      await c.request({ url: `${third.url}/again` })
      expect(third.received[1]?.headers.cookie).toBe('sid=ATTACKER; connect.sid=ATTACKER')
    } finally {
      c.dispose()
      rt.destroy()
      await backend.close()
      await third.close()
    }
  })
})
