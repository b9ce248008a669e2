// Bearer tokens (issue 15): header mode sending `Authorization: Bearer <id>`, reading the id back
// from that header (prefix stripped) or from the login body, against real express routes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { headerCarrier } from '../../src/session/carrier.js'
import { expressEnv } from '../session/env.js'
import type { Env } from '../session/env.js'

describe('bearer tokens in header mode', () => {
  let env: Env
  beforeEach(async () => {
    env = await expressEnv()
  })
  afterEach(() => env.close())

  it('prefix: the token comes back from `Authorization: Bearer …` and goes out the same way', async () => {
    const c = env.client({
      mode: 'header',
      header: { name: 'Authorization', prefix: 'Bearer ' },
      login: { url: '/bearer/login' },
    })
    const answer = (await c.login()) as { token: string }
    expect(c.getSession()).toMatchObject({ id: answer.token, loggedIn: true })
    const me = await c.request({ url: '/bearer/me' })
    expect(me.statusCode).toBe(200)
    expect(me.data).toMatchObject({ token: answer.token, openid: env.rt.openid })
  })

  it('format with the id read from the login body; an expired token renews by logging in', async () => {
    const c = env.client({
      mode: 'header',
      header: { name: 'Authorization', format: (id) => `Bearer ${id}` },
      sessionFromBody: (data) => (data as { token?: string }).token,
      login: { url: '/bearer/login' },
    })
    // autoLogin: the first call waits for the login.
    const first = await c.request({ url: '/bearer/me' })
    const token = (first.data as { token: string }).token
    expect(c.getSession().id).toBe(token)
    expect(env.server.events.map((e) => `${e.path} ${e.status}`)).toEqual([
      '/bearer/login 200',
      '/bearer/me 200',
    ])
  })

  it('reads only a value with the prefix; the scheme is case-insensitive; the id is validated as before', () => {
    const bearer = headerCarrier('Bearer ')
    expect(bearer.formatId('abc')).toBe('Bearer abc')
    expect(bearer.parseId('bearer abc')).toBe('abc')
    expect(bearer.parseId('Basic abc')).toBeUndefined()
    expect(bearer.parseId(undefined)).toBeUndefined()
    const plain = headerCarrier('')
    expect(plain.parseId('abc')).toBe('abc')
    expect(headerCarrier('', (id) => `Token ${id}`).parseId('Token abc')).toBeUndefined()
  })

  it('a token that is not visible ASCII is refused and reported, the session kept', async () => {
    const errors: string[] = []
    const c = env.client({
      mode: 'header',
      header: { name: 'Authorization', prefix: 'Bearer ' },
      login: { url: '/bearer/login' },
      sessionFromBody: () => 'bad token with spaces',
      onError: (e) => void errors.push(e.message),
    })
    const answer = (await c.login()) as { token: string }
    // The login body's id is the one taken when there is one (as before bearer tokens); refused,
    // nothing is taken: no session rather than a bad one.
    expect(errors.some((m) => m.includes('refused a session id'))).toBe(true)
    expect(c.getSession().id).toBeUndefined()
    expect(answer.token).toBeTruthy()
  })
})
