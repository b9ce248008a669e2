// An app's life, seeded and random, against a real server with a short idle timeout (issue 11):
// bursts of 1–20 concurrent requests, idle gaps shorter and longer than the server's TTL, hide/show
// shorter and longer than it, cold restarts from the same storage, logout then login, and calls
// to a hostile third party on 127.0.0.2 that answers with an attacker's session id in every
// header and cookie it can. Every answer the app sees must be a success for the device's user: no
// rejection, no 401, no other user's data; the attacker's id is never the session, and no
// session id ever reaches the third party. The app never logs in by hand except right after its own logout.
// Run by soak.test.ts (a short life per backend × mode) and by `npm run soak` (long ones).
import type { Client } from '../../src/client.js'
import type { SessionOptions } from '../../src/options.js'
import { carried, startThirdParty } from '../security/servers.js'
import type { Backend } from './backends.js'
import { body } from './env.js'
import type { Env } from './env.js'
import { seededRandom as random } from '../helpers/random.js'

export interface LifeOptions {
  backend: Backend
  seed: number
  /** The life ends after this many app requests. */
  requests: number
  /** The server's idle timeout, ms of the fake clock. */
  ttl?: number
}

export interface LifeReport {
  label: string
  seed: number
  steps: number
  requests: number
  /** The SDK's own warm-ups (its debug log), and its keep-alives. */
  warmups: number
  keepAlives: number
  /** Logins at the server; by the app's hand: only right after its own logout. */
  logins: number
  loginsByHand: number
  unauthorized: number
  /** Calls that reached the hostile third party. */
  thirdParty: number
  storageWrites: number
  restarts: number
}

type Call = { url: string; method?: 'GET' | 'POST'; data?: unknown; needLogin?: boolean; user: boolean }
const BACKEND_CALLS: Call[] = [
  { url: '/orders', user: true },
  { url: '/me', user: true },
  { url: '/orders', method: 'POST', data: { item: 1 }, user: true },
  { url: '/session', needLogin: false, user: false }, // a public page: does not wait for a login
]

/** What the third party answers: the attacker's id everywhere an id could be read from. */
const ATTACKER = 'ATTACKER'
const SESSION_NAMES = ['connect.sid', 'PHPSESSID', 'JSESSIONID', 'sid']
const PLANTED = {
  'X-Session-Id': ATTACKER,
  session_id: ATTACKER,
  'Set-Cookie': [
    ...SESSION_NAMES.map((name) => `${name}=${ATTACKER}; Path=/`),
    ...SESSION_NAMES.map((name) => `${name}=${ATTACKER}; Domain=127.0.0.1; Path=/`),
  ],
}

export async function runLife({ backend, seed, requests, ttl = 3000 }: LifeOptions): Promise<LifeReport> {
  const label = `${backend.name} ${backend.mode}`
  const rand = random(seed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T
  const between = (min: number, max: number): number => Math.round(min + rand() * (max - min))
  const env: Env = await backend.start(ttl)
  const third = await startThirdParty(PLANTED)
  const CALLS: Call[] = [...BACKEND_CALLS, { url: `${third.url}/widget`, needLogin: false, user: false }]
  const ids = new Set<string>() // every session id the app had, to look for at the third party
  const sdk = { warmups: 0, keepAlives: 0 }
  const options: SessionOptions = {
    ...backend.options,
    debug: (line) => {
      if (line.startsWith('warm-up GET')) sdk.warmups++
      if (line.startsWith('refresh')) sdk.keepAlives++
    },
    warmup: '/session',
    login: { url: '/login' },
    logout: '/logout',
    // Longer than the TTL: idle gaps between the two expire the session before the keep-alive.
    refreshInterval: Math.round(ttl * 1.5),
  }
  const report: LifeReport = {
    label,
    seed,
    steps: 0,
    requests: 0,
    warmups: 0,
    keepAlives: 0,
    logins: 0,
    loginsByHand: 0,
    unauthorized: 0,
    thirdParty: 0,
    storageWrites: 0,
    restarts: 0,
  }
  let client: Client = env.client(options)
  let writesBefore = 0 // storage writes of earlier launches (each runtime counts its own)
  let step = 0
  let doing = 'start'
  const fail = (message: string): never => {
    throw new Error(`soak ${label}: seed ${seed}, step ${step} (${doing}): ${message}`)
  }

  async function burst(size: number): Promise<void> {
    const calls = Array.from({ length: size }, () => pick(CALLS))
    const results = await Promise.all(
      calls.map((call) =>
        client
          .request({
            url: call.url,
            ...(call.method ? { method: call.method } : {}),
            ...(call.data ? { data: call.data as Record<string, unknown> } : {}),
            ...(call.needLogin === false ? { needLogin: false } : {}),
          })
          .then(
            (res) => ({ call, res, error: undefined }),
            (error: unknown) => ({ call, res: undefined, error }),
          ),
      ),
    )
    report.requests += size
    for (const { call, res, error } of results) {
      if (error) fail(`${call.method ?? 'GET'} ${call.url} rejected: ${String(error)}`)
      if (!res || res.statusCode >= 400)
        fail(`${call.method ?? 'GET'} ${call.url} answered ${res?.statusCode}: ${JSON.stringify(res?.data)}`)
      if (call.user && body(res!).openid !== env.rt.openid)
        fail(`${call.url} answered for ${String(body(res!).openid)}, not the device's user`)
    }
    checkSession()
  }

  function checkSession(): void {
    const { id } = client.getSession()
    if (id === ATTACKER) fail("the third party's id became the session")
    if (id) ids.add(id)
  }

  // The user logs out while a burst is out (possibly in a renew): calls sent before may fail as
  // the app would expect of a logout, or succeed for the device's user, but nothing may log the
  // user back in: after they settle the session is still logged out.
  async function logoutDuringBurst(size: number, afterEvents: number): Promise<void> {
    const seen = env.server.events.length
    let settled = false
    const pending = Promise.allSettled(
      Array.from({ length: size }, () => pick(CALLS)).map((call) =>
        client.request({ url: call.url, ...(call.needLogin === false ? { needLogin: false } : {}) }).then(
          (res) => ({ call, res }),
          (error: unknown) => Promise.reject(error),
        ),
      ),
    ).then((results) => ((settled = true), results))
    for (let turn = 0; turn < 400 && !settled && env.server.events.length < seen + afterEvents; turn++)
      await new Promise((resolve) => setTimeout(resolve, 1))
    await client.logout()
    const results = await pending
    report.requests += size
    if (client.getSession().loggedIn) fail('logged back in by a call sent before logout()')
    for (const result of results) {
      if (result.status === 'rejected') {
        const code = (result.reason as { code?: string }).code
        if (!['SESSION_EXPIRED', 'LOGIN_FAILED'].includes(code ?? ''))
          fail(`a call sent before logout() rejected ${String(result.reason)}`)
        continue
      }
      const { call, res } = result.value
      if (call.user && res.statusCode < 400 && body(res).openid !== env.rt.openid)
        fail(`${call.url} answered for ${String(body(res).openid)}, not the device's user`)
    }
  }

  try {
    while (report.requests < requests) {
      step++
      const roll = rand()
      if (roll < 0.45) {
        const size = between(1, 20)
        doing = `burst of ${size}`
        await burst(size)
      } else if (roll < 0.65) {
        const gap = between(ttl * 0.2, ttl * 3)
        doing = `idle ${gap} ms`
        await env.advance(gap)
      } else if (roll < 0.8) {
        const away = between(ttl * 0.3, ttl * 3)
        doing = `hidden ${away} ms`
        env.rt.hide()
        await env.advance(away)
        env.rt.show()
      } else if (roll < 0.9) {
        doing = 'cold restart'
        writesBefore += env.rt.stats.storageWrites
        env.restart()
        client = env.client(options)
        report.restarts++
      } else if (roll < 0.95) {
        const size = between(1, 20)
        const after = between(0, 4)
        doing = `logout after ${after} server events of a burst of ${size}`
        await logoutDuringBurst(size, after)
        await client.login()
        report.loginsByHand++
      } else {
        doing = 'logout, then login'
        await client.logout()
        if (client.getSession().loggedIn) fail('still logged in after logout()')
        await client.login()
        report.loginsByHand++
      }
    }
    for (const request of third.received)
      for (const id of ids)
        if (carried(request).includes(id)) fail(`session id ${id} reached the third party: ${request.url}`)
  } finally {
    await third.close()
    report.steps = step
    report.warmups = sdk.warmups
    report.keepAlives = sdk.keepAlives
    report.logins = env.server.count('login')
    report.unauthorized = env.server.count('unauthorized')
    report.thirdParty = third.received.length
    report.storageWrites = writesBefore + env.rt.stats.storageWrites
    await env.close()
  }
  return report
}

export const formatReport = (r: LifeReport): string =>
  `${r.label.padEnd(14)} seed ${r.seed}: ${r.requests} requests in ${r.steps} steps, ` +
  `${r.warmups} warm-ups, ${r.keepAlives} keep-alives, ${r.logins} logins (${r.loginsByHand} by hand after ` +
  `a logout), ${r.unauthorized} 401s, ${r.thirdParty} third-party calls, ` +
  `${r.storageWrites} storage writes, ${r.restarts} restarts`
