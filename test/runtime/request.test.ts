import type { ServerResponse } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createClock,
  createRuntime,
  profiles,
  type HeadersReceived,
  type RequestOptions,
} from '../../src/testing/index.js'
import { outcome, readBody, startServer, until, type TestServer } from './helpers.js'

// A server with one route per quirk. Raw header lines are written by hand to control name casing.
let server: TestServer
const hanging: ServerResponse[] = []
let inFlight = 0
let maxInFlight = 0
const held: ServerResponse[] = []
const THREE_COOKIES = [
  'a=1; Path=/',
  'b=2; Expires=Wed, 21 Oct 2099 07:28:00 GMT; Path=/api; HttpOnly',
  'c=3; Domain=127.0.0.1; Secure; SameSite=Lax',
]

beforeAll(async () => {
  server = await startServer(async (req, res) => {
    const url = new URL(req.url!, 'http://x')
    const body = await readBody(req)
    switch (url.pathname) {
      case '/echo':
        res.setHeader('Content-Type', 'application/json')
        return res.end(
          JSON.stringify({
            method: req.method,
            url: req.url,
            rawHeaders: req.rawHeaders,
            body: body.toString(),
          }),
        )
      case '/cookies':
        // writeHead with a raw array keeps the exact casing and every Set-Cookie line.
        res.writeHead(200, [
          'X-Custom-Header',
          'yes',
          'Set-Cookie',
          THREE_COOKIES[0]!,
          'Set-Cookie',
          THREE_COOKIES[1]!,
          'Set-Cookie',
          THREE_COOKIES[2]!,
          'Vary',
          'Accept',
          'Vary',
          'Origin',
        ])
        return res.end('{"ok":true}')
      case '/status':
        res.statusCode = Number(url.searchParams.get('code'))
        return res.end(JSON.stringify({ status: res.statusCode }))
      case '/text':
        res.setHeader('Content-Type', 'application/json')
        return res.end('not json {')
      case '/bom':
        res.setHeader('Content-Type', 'text/html')
        return res.end('\ufeff{"bom":1}')
      case '/hang':
        hanging.push(res)
        return
      case '/held':
        inFlight++
        maxInFlight = Math.max(maxInFlight, inFlight)
        held.push(res)
        res.on('finish', () => inFlight--)
        return
      case '/hop':
        res.writeHead(302, ['Location', '/final', 'Set-Cookie', 'hop=lost; Path=/'])
        return res.end()
      case '/final':
        res.writeHead(200, ['Set-Cookie', 'final=kept; Path=/', 'Content-Type', 'application/json'])
        return res.end(JSON.stringify({ method: req.method, body: body.toString() }))
      default:
        res.statusCode = 404
        res.end()
    }
  })
})
afterAll(async () => {
  for (const res of [...hanging, ...held]) res.destroy()
  await server.close()
})

// The server holds /hang on purpose: advance() need not wait for its answer (see ClockOptions).
const heldClock = () => createClock(Date.now(), { networkWait: 0 })

const requestWith = (
  rt: ReturnType<typeof createRuntime>,
  o: Omit<RequestOptions, 'success' | 'fail' | 'complete'>,
) => outcome(rt.wx.request, o)
const headerPairs = (raw: string[]) =>
  Object.fromEntries(raw.flatMap((v, i) => (i % 2 ? [] : [[v.toLowerCase(), raw[i + 1]]])))

describe('wx.request: request side', () => {
  it('returns a task synchronously and calls back asynchronously, success then complete with the same object', async () => {
    const rt = createRuntime()
    let returned = false
    const { task, done } = requestWith(rt, { url: `${server.url}/echo` })
    returned = true
    expect(typeof (task as { abort: unknown }).abort).toBe('function')
    expect(task).not.toBeInstanceOf(Promise)
    const out = await done
    expect(returned).toBe(true)
    expect(out.order).toEqual(['success', 'complete'])
    expect(out.sameObject).toBe(true)
    expect(out.result.errMsg).toBe('request:ok')
    expect(rt.stats.requests).toBe(1)
  })

  it('defaults: GET, content-type application/json, fixed Referer (a caller Referer is dropped), Cookie passed unchanged', async () => {
    const rt = createRuntime({ appid: 'wxabc' })
    const out = await requestWith(rt, {
      url: `${server.url}/echo`,
      header: { Referer: 'https://evil.example/', Cookie: 'sid=1; x=2' },
    }).done
    const sent = headerPairs(out.result.data.rawHeaders)
    expect(out.result.data.method).toBe('GET')
    expect(sent['content-type']).toBe('application/json')
    expect(sent['referer']).toBe('https://servicewechat.com/wxabc/0/page-frame.html')
    expect(sent['cookie']).toBe('sid=1; x=2')
    const devtools = createRuntime({ appid: 'wxabc', profile: profiles.devtools })
    const dev = await requestWith(devtools, { url: `${server.url}/echo` }).done
    expect(headerPairs(dev.result.data.rawHeaders)['referer']).toBe(
      'https://servicewechat.com/wxabc/devtools/page-frame.html',
    )
  })

  it('sends no cookie of its own: a Set-Cookie received is not replayed', async () => {
    const rt = createRuntime()
    await requestWith(rt, { url: `${server.url}/cookies` }).done
    const out = await requestWith(rt, { url: `${server.url}/echo` }).done
    expect(headerPairs(out.result.data.rawHeaders)['cookie']).toBeUndefined()
  })

  it('encodes GET data as a query string, POST objects as JSON or form, strings unchanged', async () => {
    const rt = createRuntime()
    const get = await requestWith(rt, { url: `${server.url}/echo?x=1`, data: { a: 'b c', é: '&' } }).done
    expect(get.result.data.url).toBe('/echo?x=1&a=b%20c&%C3%A9=%26')
    const json = await requestWith(rt, { url: `${server.url}/echo`, method: 'POST', data: { n: 1, s: 'x' } })
      .done
    expect(json.result.data.body).toBe('{"n":1,"s":"x"}')
    const form = await requestWith(rt, {
      url: `${server.url}/echo`,
      method: 'POST',
      header: { 'Content-Type': 'application/x-www-form-urlencoded' },
      data: { n: 1, s: 'a b' },
    }).done
    expect(form.result.data.body).toBe('n=1&s=a%20b')
    expect(headerPairs(form.result.data.rawHeaders)['content-type']).toBe('application/x-www-form-urlencoded')
    const raw = await requestWith(rt, { url: `${server.url}/echo`, method: 'PUT', data: 'plain' }).done
    expect(raw.result.data).toMatchObject({ method: 'PUT', body: 'plain' })
  })
})

describe('wx.request: response side', () => {
  it('joins several Set-Cookie lines into one string with a bare comma, keeps name casing, lists cookies', async () => {
    const out = await requestWith(createRuntime(), { url: `${server.url}/cookies` }).done
    expect(out.result.header['Set-Cookie']).toBe(THREE_COOKIES.join(','))
    expect(out.result.header['set-cookie']).toBeUndefined()
    expect(out.result.header['X-Custom-Header']).toBe('yes')
    expect(out.result.header['Vary']).toBe('Accept, Origin')
    expect(out.result.cookies).toEqual(THREE_COOKIES)
    expect(out.result.data).toEqual({ ok: true })
  })

  it('QQ Android joins with ";", high-performance mode lower-cases names, old base libraries have no cookies', async () => {
    const qq = await requestWith(createRuntime({ profile: profiles.qqAndroid }), {
      url: `${server.url}/cookies`,
    }).done
    expect(qq.result.header['Set-Cookie']).toBe(THREE_COOKIES.join(';'))
    const hp = await requestWith(createRuntime({ profile: profiles.androidHighPerformance }), {
      url: `${server.url}/cookies`,
    }).done
    expect(hp.result.header['set-cookie']).toBe(THREE_COOKIES.join(','))
    expect(hp.result.header['x-custom-header']).toBe('yes')
    expect(hp.result.header['Set-Cookie']).toBeUndefined()
    const legacy = await requestWith(createRuntime({ profile: profiles.legacy }), {
      url: `${server.url}/cookies`,
    }).done
    expect('cookies' in legacy.result).toBe(false)
    const arr = await requestWith(createRuntime({ profile: { setCookieJoin: 'array' } }), {
      url: `${server.url}/cookies`,
    }).done
    expect(arr.result.header['Set-Cookie']).toEqual(THREE_COOKIES)
  })

  it('sends 401 and 500 to success', async () => {
    const rt = createRuntime()
    for (const code of [401, 500]) {
      const out = await requestWith(rt, { url: `${server.url}/status?code=${code}` }).done
      expect(out.order).toEqual(['success', 'complete'])
      expect(out.result.statusCode).toBe(code)
      expect(out.result.data).toEqual({ status: code })
    }
  })

  it('parses JSON whatever the content-type, strips a BOM, keeps invalid JSON and dataType text as strings', async () => {
    const rt = createRuntime()
    expect((await requestWith(rt, { url: `${server.url}/bom` }).done).result.data).toEqual({ bom: 1 })
    expect((await requestWith(rt, { url: `${server.url}/text` }).done).result.data).toBe('not json {')
    expect((await requestWith(rt, { url: `${server.url}/cookies`, dataType: 'text' }).done).result.data).toBe(
      '{"ok":true}',
    )
    const buf = (await requestWith(rt, { url: `${server.url}/cookies`, responseType: 'arraybuffer' }).done)
      .result.data
    expect(buf).toBeInstanceOf(ArrayBuffer)
    expect(Buffer.from(buf).toString()).toBe('{"ok":true}')
  })

  it('fires onHeadersReceived before success, with statusCode except in DevTools; off() removes all', async () => {
    const rt = createRuntime()
    const seen: string[] = []
    const { task, done } = requestWith(rt, { url: `${server.url}/cookies` })
    const t = task as ReturnType<typeof rt.wx.request>
    let headers: HeadersReceived | undefined
    t.onHeadersReceived((h) => {
      seen.push('headers')
      headers = h
    })
    const out = await done
    seen.push(...out.order)
    expect(seen).toEqual(['headers', 'success', 'complete'])
    expect(headers!.statusCode).toBe(200)
    expect(headers!.cookies).toEqual(THREE_COOKIES)
    expect(headers!.header['Set-Cookie']).toBe(THREE_COOKIES.join(','))

    const dev = createRuntime({ profile: profiles.devtools })
    const d = requestWith(dev, { url: `${server.url}/cookies` })
    let devHeaders: HeadersReceived | undefined
    let removed = 0
    const dt = d.task as ReturnType<typeof rt.wx.request>
    dt.onHeadersReceived((h) => (devHeaders = h))
    dt.onHeadersReceived(() => removed++)
    dt.offHeadersReceived(() => removed++) // a different function: removes nothing
    await d.done
    expect(devHeaders).toBeDefined()
    expect('statusCode' in devHeaders!).toBe(false)
    expect(removed).toBe(1)

    const e = requestWith(createRuntime(), { url: `${server.url}/cookies` })
    let calls = 0
    const et = e.task as ReturnType<typeof rt.wx.request>
    et.onHeadersReceived(() => calls++)
    et.offHeadersReceived()
    await e.done
    expect(calls).toBe(0)
  })

  it('follows redirects and loses the hop Set-Cookie; manual stops at the 3xx', async () => {
    const rt = createRuntime()
    const followed = await requestWith(rt, { url: `${server.url}/hop` }).done
    expect(followed.result.statusCode).toBe(200)
    expect(followed.result.cookies).toEqual(['final=kept; Path=/'])
    expect(followed.result.header['Set-Cookie']).toBe('final=kept; Path=/')
    const manual = await requestWith(rt, { url: `${server.url}/hop`, redirect: 'manual' }).done
    expect(manual.result.statusCode).toBe(302)
    expect(manual.result.header['Location']).toBe('/final')
    expect(manual.result.cookies).toEqual(['hop=lost; Path=/'])
  })
})

describe('wx.request: failures', () => {
  it('times out on the runtime clock: request:fail timeout, errno 5', async () => {
    const rt = createRuntime({ clock: heldClock() })
    const before = hanging.length
    const { done } = requestWith(rt, { url: `${server.url}/hang`, timeout: 3000 })
    await until(() => hanging.length > before, 'the server to see the request')
    let finished = false
    void done.then(() => (finished = true))
    await rt.clock.advance(2999)
    expect(finished).toBe(false)
    await rt.clock.advance(1)
    const out = await done
    expect(out.order).toEqual(['fail', 'complete'])
    expect(out.result).toEqual({ errMsg: 'request:fail timeout', errno: 5 })
  })

  it('caps the timeout at 60 s', async () => {
    const rt = createRuntime({ clock: heldClock() })
    const { done } = requestWith(rt, { url: `${server.url}/hang`, timeout: 120_000 })
    await rt.clock.advance(60_000)
    expect((await done).result.errMsg).toBe('request:fail timeout')
  })

  it('abort gives request:fail abort; abort after completion is a no-op', async () => {
    const rt = createRuntime()
    const before = hanging.length
    const { task, done } = requestWith(rt, { url: `${server.url}/hang` })
    await until(() => hanging.length > before, 'the server to see the request')
    ;(task as { abort(): void }).abort()
    const out = await done
    expect(out.order).toEqual(['fail', 'complete'])
    expect(out.result.errMsg).toBe('request:fail abort')
    const ok = requestWith(rt, { url: `${server.url}/echo` })
    const res = await ok.done
    ;(ok.task as { abort(): void }).abort()
    await rt.clock.advance(0)
    expect(res.order).toEqual(['success', 'complete'])
  })

  it('connection refused fails with request:fail and the reason', async () => {
    const closed = await startServer(() => {})
    const url = closed.url
    await closed.close()
    const out = await requestWith(createRuntime(), { url: `${url}/x` }).done
    expect(out.order).toEqual(['fail', 'complete'])
    expect(out.result.errMsg).toMatch(/^request:fail .*ECONNREFUSED/)
    expect(out.result.errno).toBe(600001)
    const bad = await requestWith(createRuntime(), { url: 'ftp://nope' }).done
    expect(bad.result.errMsg).toMatch(/^request:fail invalid url/)
  })

  it('keeps at most 10 requests in flight and queues the rest', async () => {
    const rt = createRuntime()
    maxInFlight = 0
    const start = held.length
    const calls = Array.from({ length: 13 }, () => requestWith(rt, { url: `${server.url}/held` }))
    await until(() => held.length - start === 10, '10 requests at the server')
    await new Promise((r) => setTimeout(r, 50)) // real time for an 11th to arrive, if it wrongly could
    expect(held.length - start).toBe(10)
    expect(maxInFlight).toBe(10)
    for (let released = 0; released < 13; released++) {
      await until(() => held.length - start > released, `request ${released + 1} at the server`)
      held[start + released]!.end('{}')
    }
    const outs = await Promise.all(calls.map((c) => c.done))
    expect(outs.every((o) => o.ok)).toBe(true)
    expect(maxInFlight).toBe(10)
  })
})
