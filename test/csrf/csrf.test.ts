// src/session/csrf.ts on its own: which headers an unsafe request gets, what an answer gives,
// which answers are CSRF refusals, and the token fetch (shared; one-time turns). Property tests
// check the rules over generated requests; a failing run prints fast-check's seed and path.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isSessionError } from '../../src/errors.js'
import type { SessionResponse } from '../../src/options.js'
import { createCsrf, defaultCsrfEcho, isCsrfFailure, resolveCsrf } from '../../src/session/csrf.js'
import type { CookiePair, Csrf, CsrfOptions } from '../../src/session/csrf.js'

const runs = { numRuns: 300 }
const answer = (
  statusCode: number,
  data: unknown,
  header: Record<string, unknown> = {},
): SessionResponse => ({
  statusCode,
  header,
  data,
})

function csrfWith(options?: CsrfOptions | false, id: { current: string | undefined } = { current: 's1' }) {
  return createCsrf(resolveCsrf(options), () => id.current)
}
const attached = (
  csrf: Csrf,
  method: string,
  cookies: CookiePair[],
  header: Record<string, string> = {},
  isBackend = true,
): Record<string, string> => {
  const copy = { ...header }
  csrf.attach(copy, method, isBackend, () => cookies)
  return copy
}

describe('attach: the echo of token cookies', () => {
  const cookies: CookiePair[] = [
    { name: 'connect.sid', value: 's%3Aabc.def' },
    { name: 'XSRF-TOKEN', value: 'eyJpdiI6IkFCQyJ9%3D' },
    { name: 'csrftoken', value: 'DjangoToken64' },
    { name: '__Host-psifi.x-csrf-token', value: 'hmac.random' },
  ]

  it('sends each default pair on unsafe methods, URL-decoded (Laravel %3D)', () => {
    for (const method of ['POST', 'put', 'PATCH', 'DELETE', 'CUSTOM'])
      expect(attached(csrfWith(), method, cookies)).toEqual({
        'X-XSRF-TOKEN': 'eyJpdiI6IkFCQyJ9=',
        'X-CSRFToken': 'DjangoToken64',
        'x-csrf-token': 'hmac.random',
      })
  })

  it('sends nothing on GET, HEAD, OPTIONS, TRACE, nor to another origin', () => {
    for (const method of ['GET', 'head', 'OPTIONS', 'TRACE'])
      expect(attached(csrfWith(), method, cookies)).toEqual({})
    expect(attached(csrfWith(), 'POST', cookies, {}, false)).toEqual({})
  })

  it('does not read the jar when nothing is to be sent', () => {
    const csrf = csrfWith()
    const never = (): CookiePair[] => {
      throw new Error('jar read')
    }
    const header = {}
    csrf.attach(header, 'GET', true, never)
    csrf.attach(header, 'POST', false, never)
    expect(() =>
      createCsrf(resolveCsrf({ echo: {} }), () => 's').attach({}, 'POST', true, never),
    ).not.toThrow()
  })

  it("keeps the caller's header in any casing, and its value", () => {
    const header = { 'x-xsrf-token': 'mine', 'X-CSRFTOKEN': 'mine too' }
    expect(attached(csrfWith(), 'POST', cookies, header)).toEqual({
      ...header,
      'x-csrf-token': 'hmac.random',
    })
  })

  it('takes the first of two same-named cookies (the jar sends longer paths first)', () => {
    const two = [
      { name: 'csrftoken', value: 'deep' },
      { name: 'csrftoken', value: 'root' },
    ]
    expect(attached(csrfWith(), 'POST', two)).toEqual({ 'X-CSRFToken': 'deep' })
    const unusable = [{ name: 'csrftoken', value: '' }, ...two]
    expect(attached(csrfWith(), 'POST', unusable)).toEqual({})
  })

  it('sends a stray % as it is, and never a value that is not visible ASCII once decoded', () => {
    const odd = [
      { name: 'XSRF-TOKEN', value: 'ab%E0%A4%A' },
      { name: 'csrftoken', value: 'a%0D%0AX-Evil:%201' },
      { name: '__Host-psifi.x-csrf-token', value: '' },
    ]
    expect(attached(csrfWith(), 'POST', odd)).toEqual({ 'X-XSRF-TOKEN': 'ab%E0%A4%A' })
    expect(attached(csrfWith(), 'POST', [{ name: 'csrftoken', value: '%E4%B8%AD' }])).toEqual({})
    expect(attached(csrfWith(), 'POST', [{ name: 'csrftoken', value: 'x'.repeat(4097) }])).toEqual({})
  })

  it('uses the pairs given instead of the defaults; cookie names are case-sensitive', () => {
    const csrf = csrfWith({ echo: { MY_TOKEN: 'X-My-Token' } })
    expect(attached(csrf, 'POST', [...cookies, { name: 'MY_TOKEN', value: 't' }])).toEqual({
      'X-My-Token': 't',
    })
    expect(attached(csrf, 'POST', [{ name: 'my_token', value: 't' }])).toEqual({})
    const extended = csrfWith({ echo: { ...defaultCsrfEcho, MY_TOKEN: 'X-My-Token' } })
    expect(
      Object.keys(attached(extended, 'POST', [...cookies, { name: 'MY_TOKEN', value: 't' }])),
    ).toHaveLength(4)
  })

  it('csrf: false sends nothing and recognises no failure', () => {
    const off = csrfWith(false)
    off.capture(answer(200, {}, { 'X-CSRF-Token': 't' }))
    expect(attached(off, 'POST', cookies)).toEqual({})
    expect(off.isFailure('POST', true, answer(419, ''))).toBe(false)
    expect(off.ensure('POST', true, () => Promise.resolve())).toBeUndefined()
  })

  // The rules over generated requests: caller's headers untouched, nothing for safe methods or
  // other origins, every added header is the first matching cookie's decoded value, no duplicates.
  it('property: the rules hold for any method, header set and cookie list', () => {
    const names = ['XSRF-TOKEN', 'csrftoken', '__Host-psifi.x-csrf-token', 'sid', 'xsrf-token']
    const cookie = fc.record({
      name: fc.constantFrom(...names),
      value: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('a%3D', '%', '%0A', 'ok.tok-1')),
    })
    const headerName = fc.constantFrom(
      'x-xsrf-token',
      'X-CSRFTOKEN',
      'X-CSRF-Token',
      'content-type',
      'Cookie',
    )
    fc.assert(
      fc.property(
        fc.constantFrom('GET', 'HEAD', 'OPTIONS', 'TRACE', 'POST', 'PUT', 'DELETE', 'PATCH', 'post'),
        fc.boolean(),
        fc.dictionary(headerName, fc.string({ maxLength: 5 }), { maxKeys: 3 }),
        fc.array(cookie, { maxLength: 6 }),
        (method, isBackend, header, jar) => {
          const out = attached(csrfWith(), method, jar, header, isBackend)
          for (const name in header) expect(out[name]).toBe(header[name])
          const added = Object.keys(out).filter((name) => !(name in header))
          if (!isBackend || /^(GET|HEAD|OPTIONS|TRACE)$/.test(method)) expect(added).toEqual([])
          const lower = Object.keys(out).map((name) => name.toLowerCase())
          expect(new Set(lower).size).toBe(lower.length)
          for (const name of added) {
            const [cookieName] = Object.entries(defaultCsrfEcho).find(([, h]) => h === name)!
            const first = jar.find((c) => c.name === cookieName)!
            let value = first.value
            try {
              value = decodeURIComponent(value)
            } catch {
              // sent as it is
            }
            expect(out[name]).toBe(value)
            expect(out[name]).toMatch(/^[\x21-\x7e]+$/)
          }
        },
      ),
      runs,
    )
  })
})

describe('capture: a token from the answers, bound to the session id', () => {
  it('reads a response header in any casing (an array on iOS) and sends it in tokenHeader', () => {
    const csrf = csrfWith({ tokenFrom: 'X-CSRF-Token' })
    csrf.capture(answer(200, {}, { 'x-csrf-token': ['t1', 't0'] }))
    expect(attached(csrf, 'POST', [])).toEqual({ 'X-CSRF-Token': 't1' })
    csrf.capture(answer(200, {}, { 'X-Csrf-Token': 't2' }))
    expect(attached(csrf, 'PUT', [])).toEqual({ 'X-CSRF-Token': 't2' })
    const named = csrfWith({ tokenFrom: 'X-Token', tokenHeader: 'X-CSRF-TOKEN' })
    named.capture(answer(200, {}, { 'x-token': 't3' }))
    expect(attached(named, 'POST', [])).toEqual({ 'X-CSRF-TOKEN': 't3' })
  })

  it('reads a body through the function; ignores what is not a usable token and a throwing function', () => {
    const csrf = csrfWith({ tokenFrom: (body) => (body as { csrf?: unknown }).csrf })
    csrf.capture(answer(200, { csrf: 'b1' }))
    for (const bad of [{ csrf: 42 }, { csrf: '' }, { csrf: 'a b' }, { csrf: 'x\r\ny' }, {}])
      csrf.capture(answer(200, bad))
    expect(() => csrf.capture(answer(200, null))).not.toThrow() // null.csrf throws inside: ignored
    expect(attached(csrf, 'POST', [])).toEqual({ 'X-CSRF-Token': 'b1' })
  })

  it('the token of one session id is not sent with another; forget() voids it', () => {
    const id = { current: 'A' as string | undefined }
    const csrf = csrfWith({ tokenFrom: 'X-CSRF-Token' }, id)
    csrf.capture(answer(200, {}, { 'X-CSRF-Token': 'for-A' }))
    id.current = 'B' // login rotated the id
    expect(attached(csrf, 'POST', [])).toEqual({})
    id.current = 'A'
    expect(attached(csrf, 'POST', [])).toEqual({ 'X-CSRF-Token': 'for-A' })
    csrf.forget()
    expect(attached(csrf, 'POST', [])).toEqual({})
    id.current = undefined // no session yet: a token may still come (and go with the first id)
    csrf.capture(answer(200, {}, { 'X-CSRF-Token': 'anonymous' }))
    expect(attached(csrf, 'POST', [])).toEqual({ 'X-CSRF-Token': 'anonymous' })
  })

  it('the token comes before the echoed cookies; a cookie pair with the same header adds nothing', () => {
    const csrf = csrfWith({ tokenFrom: 'X-CSRF-Token' })
    csrf.capture(answer(200, {}, { 'X-CSRF-Token': 'from-answer' }))
    const out = attached(csrf, 'POST', [{ name: '__Host-psifi.x-csrf-token', value: 'from-cookie' }])
    expect(out).toEqual({ 'X-CSRF-Token': 'from-answer' })
  })
})

describe('isCsrfFailure', () => {
  const django403 =
    '<html><title>403 Forbidden</title><h1>Forbidden <span>(403)</span></h1><p>CSRF verification failed. Request aborted.</p>'
  it.each([
    ['Laravel 419, any body', answer(419, 'Page Expired'), true],
    ['Django 403 page', answer(403, django403), true],
    [
      'csrf-csrf / csrf-sync 403 JSON',
      answer(403, { code: 'EBADCSRFTOKEN', message: 'invalid csrf token' }),
      true,
    ],
    ['Flask-WTF 400', answer(400, '<p>The CSRF token is missing.</p>'), true],
    ['Spring 403 naming XSRF', answer(403, { message: 'Invalid XSRF token' }), true],
    ['a plain 403 (forbidden resource)', answer(403, { error: 'Forbidden' }), false],
    ['a 400 about something else', answer(400, { errmsg: 'missing code' }), false],
    ['401 naming csrf', answer(401, 'csrf'), false],
    ['200 naming csrf', answer(200, { csrfToken: 'x' }), false],
    ['403 with a binary body', answer(403, new ArrayBuffer(8)), false],
    ['403 with no body', answer(403, undefined), false],
  ])('%s → %s', (_what, res, expected) => {
    expect(isCsrfFailure(res)).toBe(expected)
  })

  it('a body that cannot be serialised is not a failure (and does not throw)', () => {
    const loop: Record<string, unknown> = {}
    loop.self = loop
    expect(isCsrfFailure(answer(403, loop))).toBe(false)
  })

  it('the instance asks only about unsafe backend requests, with the configured predicate', () => {
    const csrf = csrfWith({ isFailure: (res) => res.statusCode === 403 })
    expect(csrf.isFailure('POST', true, answer(403, 'Forbidden'))).toBe(true)
    expect(csrf.isFailure('GET', true, answer(403, 'Forbidden'))).toBe(false)
    expect(csrf.isFailure('POST', false, answer(403, 'Forbidden'))).toBe(false)
    expect(csrfWith().isFailure('DELETE', true, answer(419, ''))).toBe(true)
  })
})

describe('resolveCsrf', () => {
  it('fills in the defaults', () => {
    expect(resolveCsrf(undefined)).toEqual({
      echo: Object.entries(defaultCsrfEcho),
      tokenFrom: undefined,
      tokenHeader: 'X-CSRF-Token',
      endpoint: false,
      oneTime: false,
      isFailure: isCsrfFailure,
    })
    expect(resolveCsrf({})).toEqual(resolveCsrf(undefined))
  })

  it.each([
    [{ echo: 'XSRF-TOKEN' }, 'csrf.echo'],
    [{ echo: null }, 'csrf.echo'],
    [{ echo: { csrftoken: 'X CSRF' } }, 'csrf.echo'],
    [{ echo: { csrftoken: 7 } }, 'csrf.echo'],
    [{ tokenHeader: 'bad:name' }, 'csrf.tokenHeader'],
    [{ oneTime: true }, 'csrf.oneTime'],
  ])('refuses %j with INVALID_OPTION naming %s', (input, name) => {
    let error: unknown
    try {
      resolveCsrf(input as unknown as CsrfOptions)
    } catch (e) {
      error = e
    }
    expect(isSessionError(error) && error.code).toBe('INVALID_OPTION')
    expect(String((error as Error).message)).toContain(`\`${name}\``)
  })
})

// A token endpoint stand-in that answers when told to; each fetch is numbered.
function endpoint(csrf: Csrf, token = (n: number) => `t${n}`) {
  const pending: Array<{ n: number; answer(): void; fail(e: Error): void }> = []
  let fetches = 0
  const fetchToken = (): Promise<unknown> => {
    const n = ++fetches
    return new Promise<void>((resolve, reject) => {
      pending.push({
        n,
        answer: () => {
          csrf.capture(answer(200, { csrfToken: token(n) }))
          resolve()
        },
        fail: reject,
      })
    })
  }
  return {
    fetchToken,
    pending,
    get fetches() {
      return fetches
    },
  }
}
const tick = () => new Promise((resolve) => setTimeout(resolve, 0))
const bodyToken = { endpoint: '/csrf', tokenFrom: (body: unknown) => Object(body).csrfToken }

describe('ensure: the token endpoint', () => {
  it('nothing to wait for: no endpoint, a safe method, another origin', () => {
    const csrf = csrfWith(bodyToken)
    const f = () => Promise.resolve()
    expect(csrfWith().ensure('POST', true, f)).toBeUndefined()
    expect(csrf.ensure('GET', true, f)).toBeUndefined()
    expect(csrf.ensure('POST', false, f)).toBeUndefined()
  })

  it('concurrent unsafe requests share one fetch; then none until the id changes or forget()', async () => {
    const id = { current: 'A' as string | undefined }
    const csrf = csrfWith(bodyToken, id)
    const ep = endpoint(csrf)
    const waits = [1, 2, 3, 4, 5].map(() => csrf.ensure('POST', true, ep.fetchToken))
    await tick()
    expect(ep.fetches).toBe(1)
    ep.pending[0]!.answer()
    for (const done of await Promise.all(waits)) done!()
    expect(attached(csrf, 'POST', [])).toEqual({ 'X-CSRF-Token': 't1' })
    expect(csrf.ensure('POST', true, ep.fetchToken)).toBeUndefined()
    id.current = 'B'
    const again = csrf.ensure('DELETE', true, ep.fetchToken)
    expect(again).toBeDefined()
    await tick()
    ep.pending[1]!.answer()
    await again
    expect(ep.fetches).toBe(2)
    expect(attached(csrf, 'POST', [])).toEqual({ 'X-CSRF-Token': 't2' })
    csrf.forget()
    expect(csrf.ensure('POST', true, ep.fetchToken)).toBeDefined()
  })

  it('a fetch whose answer made a new session counts for that session', async () => {
    const id = { current: 'dropped' as string | undefined }
    const csrf = csrfWith(bodyToken, id)
    const ep = endpoint(csrf)
    const waiting = csrf.ensure('POST', true, ep.fetchToken)!
    await tick()
    id.current = 'fresh' // the server no longer knew the id: its answer set a new one
    ep.pending[0]!.answer()
    await waiting
    expect(ep.fetches).toBe(1)
    expect(attached(csrf, 'POST', [])).toEqual({ 'X-CSRF-Token': 't1' })
    expect(csrf.ensure('POST', true, ep.fetchToken)).toBeUndefined()
  })

  it('a fetch overtaken by forget() (logout) is followed by one more, once', async () => {
    const csrf = csrfWith(bodyToken)
    const ep = endpoint(csrf)
    const waiting = csrf.ensure('POST', true, ep.fetchToken)!
    await tick()
    csrf.forget()
    ep.pending[0]!.answer()
    await tick()
    expect(ep.fetches).toBe(2)
    ep.pending[1]!.answer()
    await waiting
    expect(attached(csrf, 'POST', [])).toEqual({ 'X-CSRF-Token': 't2' })
    expect(csrf.ensure('POST', true, ep.fetchToken)).toBeUndefined()
  })

  it('a failed fetch rejects every waiter with its error; the next request fetches again', async () => {
    const csrf = csrfWith(bodyToken)
    const ep = endpoint(csrf)
    const waits = [1, 2].map(() => csrf.ensure('POST', true, ep.fetchToken)!)
    await tick()
    const down = new Error('endpoint down')
    ep.pending[0]!.fail(down)
    for (const w of waits) await expect(w).rejects.toBe(down)
    const next = csrf.ensure('POST', true, ep.fetchToken)
    expect(next).toBeDefined()
    await tick()
    expect(ep.fetches).toBe(2)
  })
})

describe('ensure: one-time tokens', () => {
  const oneTime = { ...bodyToken, oneTime: true }

  it('each unsafe request fetches its own token; the next waits until done(); the token is used up', async () => {
    const csrf = csrfWith(oneTime)
    const ep = endpoint(csrf)
    const first = csrf.ensure('POST', true, ep.fetchToken)!
    const second = csrf.ensure('POST', true, ep.fetchToken)!
    await tick()
    expect(ep.fetches).toBe(1)
    ep.pending[0]!.answer()
    const done = await first
    expect(attached(csrf, 'POST', [])).toEqual({ 'X-CSRF-Token': 't1' })
    await tick()
    expect(ep.fetches).toBe(1) // the second waits for the first's answer
    done()
    expect(attached(csrf, 'POST', [])).toEqual({}) // used up
    await tick()
    expect(ep.fetches).toBe(2)
    ep.pending[1]!.answer()
    ;(await second)()
  })

  it('a failed fetch gives its turn to the next request', async () => {
    const csrf = csrfWith(oneTime)
    const ep = endpoint(csrf)
    const first = csrf.ensure('POST', true, ep.fetchToken)!
    const second = csrf.ensure('POST', true, ep.fetchToken)!
    await tick()
    ep.pending[0]!.fail(new Error('down'))
    await expect(first).rejects.toThrow('down')
    await tick()
    ep.pending[1]!.answer()
    ;(await second)()
    expect(ep.fetches).toBe(2)
  })

  // Any interleaving of requests arriving, fetches answering and answers coming back: turns never
  // overlap, each request sends the token fetched in its own turn, every request gets one.
  it('property: turns never overlap and each sends its own fresh token', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.integer({ min: 1, max: 8 }), async (s, count) => {
        const csrf = csrfWith(oneTime)
        let fetches = 0
        let inTurn = 0
        const sent: string[] = []
        const fetchToken = (): Promise<unknown> => {
          const n = ++fetches
          inTurn++
          expect(inTurn).toBe(1)
          return s.schedule(Promise.resolve()).then(() => csrf.capture(answer(200, { csrfToken: `t${n}` })))
        }
        const request = async (): Promise<void> => {
          const done = await csrf.ensure('POST', true, fetchToken)!
          const header = attached(csrf, 'POST', [])
          sent.push(header['X-CSRF-Token']!)
          await s.schedule(Promise.resolve()) // the answer comes back
          inTurn--
          done()
        }
        const all = Promise.all(
          Array.from({ length: count }, () => s.schedule(Promise.resolve()).then(request)),
        )
        await s.waitFor(all)
        expect(fetches).toBe(count)
        expect(sent).toEqual(Array.from({ length: count }, (_, i) => `t${i + 1}`))
      }),
      { numRuns: 200 },
    )
  })
})
