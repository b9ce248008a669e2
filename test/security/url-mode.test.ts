// URL mode (issue 12 point 3): the id goes into the URL encoded, as one path parameter of the
// last segment (servlet) or one query value (PHP), so an id such as `x/../../admin` or
// `abc?admin=1#f` cannot move the request or add to its query; a path-less URL gets its '/'.
import { afterEach, describe, expect, it } from 'vitest'
import { createClient } from '../../src/client.js'
import type { Client } from '../../src/client.js'
import { withSessionInUrl } from '../../src/session/carrier.js'
import { createClock, createRuntime } from '../../src/testing/index.js'
import type { Runtime } from '../../src/testing/index.js'
import { body, expressEnv } from '../session/env.js'
import type { Env } from '../session/env.js'
import { startLoginBodyBackend } from './servers.js'
import type { Recorder } from './servers.js'

const INJECTIONS = [
  'x/../../admin',
  'abc?admin=1#f',
  'a;b=c',
  '..',
  '%2e%2e',
  'a\\..\\b',
  'id&admin=1',
  'a%2Fb',
]

describe('withSessionInUrl', () => {
  it.each([
    ['https://h/orders?page=2', 'https://h/orders;jsessionid=ID?page=2'],
    ['https://h?page=1', 'https://h/;jsessionid=ID?page=1'],
    ['https://h', 'https://h/;jsessionid=ID'],
    ['https://h#top', 'https://h/;jsessionid=ID#top'],
    ['https://h:8443', 'https://h:8443/;jsessionid=ID'],
    ['https://h/a/', 'https://h/a/;jsessionid=ID'],
    ['https://h/a;v=1/b;x=2', 'https://h/a;v=1/b;x=2;jsessionid=ID'],
    // one already there is replaced, in the last segment only
    ['https://h/a;jsessionid=OLD?q', 'https://h/a;jsessionid=ID?q'],
    ['https://h/a;JSESSIONID=OLD;x=1', 'https://h/a;x=1;jsessionid=ID'],
    ['https://h/a;jsessionid=OLD/b', 'https://h/a;jsessionid=OLD/b;jsessionid=ID'],
  ])('path: %s → %s', (url, expected) => {
    expect(withSessionInUrl(url, 'path', 'jsessionid', 'ID')).toBe(expected)
  })

  it.each([
    ['https://h/x?a=1#frag', 'https://h/x?a=1&PHPSESSID=ID#frag'],
    ['https://h/x#a?b', 'https://h/x?PHPSESSID=ID#a?b'],
    ['https://h/x?PHPSESSID=OLD&a=1', 'https://h/x?a=1&PHPSESSID=ID'],
    ['https://h?a=1', 'https://h?a=1&PHPSESSID=ID'],
  ])('query: %s → %s', (url, expected) => {
    expect(withSessionInUrl(url, 'query', 'PHPSESSID', 'ID')).toBe(expected)
  })

  it.each(INJECTIONS)('%s: one encoded value; the path and query WHATWG reads stay the caller’s', (id) => {
    const base = 'https://h/orders?page=2'
    const path = new URL(withSessionInUrl(base, 'path', 'jsessionid', id))
    expect(path.pathname).toBe(`/orders;jsessionid=${encodeURIComponent(id)}`)
    expect(path.search).toBe('?page=2')
    expect(path.hash).toBe('')
    const query = new URL(withSessionInUrl(base, 'query', 'PHPSESSID', id))
    expect(query.pathname).toBe('/orders')
    expect([...query.searchParams]).toEqual([
      ['page', '2'],
      ['PHPSESSID', id],
    ])
  })
})

describe.each(['path', 'query'] as const)('an injected id on the wire (%s style)', (style) => {
  let rt: Runtime | undefined
  let backend: Recorder | undefined
  let client: Client | undefined
  afterEach(async () => {
    client?.dispose()
    rt?.destroy()
    await backend?.close()
    rt = backend = client = undefined
  })

  it.each(INJECTIONS)('%s: the request reaches the path it named, with the id as one value', async (id) => {
    backend = await startLoginBodyBackend({ sessionId: id })
    rt = createRuntime({ clock: createClock() })
    client = createClient({
      platform: rt.wx,
      clock: rt.clock,
      baseURL: backend.url,
      mode: 'url',
      url: { style },
      login: { url: '/login' },
      sessionFromBody: (data) => (data as { sessionId: string }).sessionId,
    })
    await client.login()
    expect(client.getSession().id).toBe(id)
    const answers = [
      await client.request({ url: '/orders?page=2' }),
      await client.request({ url: `${backend.url}?page=1` }),
    ]
    const [orders = '', pathless = ''] = answers.map((a) => String(body(a).url))
    const value = encodeURIComponent(id)
    if (style === 'path') {
      expect(orders).toBe(`/orders;jsessionid=${value}?page=2`)
      expect(pathless).toBe(`/;jsessionid=${value}?page=1`)
    } else {
      expect(orders).toBe(`/orders?page=2&PHPSESSID=${value}`)
      expect(pathless).toBe(`/?page=1&PHPSESSID=${value}`)
    }
    // what a server reads: the caller's path, the caller's query and the id
    const read = new URL(orders, backend.url)
    expect(read.pathname.split(';')[0]).toBe('/orders')
    expect(read.searchParams.get('admin')).toBeNull()
  })
})

describe('path style on express (servlet ;jsessionid= mapped onto express-session)', () => {
  let env: Env | undefined
  afterEach(async () => {
    await env?.close()
    env = undefined
  })

  it('a path-less URL and a URL with a query: the session rides along, the route is the one named', async () => {
    env = await expressEnv()
    const c = env.client({ mode: 'url', warmup: '/session', login: { url: '/login' } })
    const who = (await c.login()) as { openid: string }
    const me = body(await c.request({ url: '/me?x=1' }))
    expect(me.openid).toBe(who.openid)
    const root = await c.request({ url: env.server.url + '?page=1' })
    expect(root.statusCode).toBe(404) // express has no '/': the call went to '/', not elsewhere
    const last = env.server.events[env.server.events.length - 1]
    expect(last).toMatchObject({ path: '/', via: 'url' })
  })
})
