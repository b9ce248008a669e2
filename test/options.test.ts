// What init() / createClient() say about bad options: every message, word for word. The options are
// checked before anything else happens, so these run without a platform or a server.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SessionError } from '../src/errors.js'
import { resolveOptions } from '../src/options.js'

/** The message resolveOptions throws for `options`, without the `[miniprogram-session] CODE: ` prefix. */
function refusal(options: unknown): string {
  try {
    resolveOptions(options)
  } catch (error) {
    expect(error).toBeInstanceOf(SessionError)
    expect((error as SessionError).code).toBe('INVALID_OPTION')
    return (error as SessionError).message.replace(/^\[miniprogram-session\] INVALID_OPTION: /, '')
  }
  throw new Error(`accepted ${JSON.stringify(options)}`)
}

// The option names, found by asking: `undefined` is accepted for every known option ("use the
// default") and refused for an unknown one. Resolved also holds derived fields; they are refused.
const optionNames = Object.keys(resolveOptions({})).filter((name) => {
  try {
    resolveOptions({ [name]: undefined })
    return true
  } catch {
    return false
  }
})

describe('unknown options: did you mean', () => {
  it('finds the options by asking, and refuses a derived field as unknown', () => {
    expect(optionNames).toEqual(expect.arrayContaining(['baseURL', 'sessionCookie', 'login', 'clock']))
    expect(optionNames).not.toContain('headerName') // derived from `header.name`
    expect(optionNames.length).toBeGreaterThan(20)
  })

  it.each([
    [{ baseUrl: 'https://a.example' }, 'unknown option `baseUrl` — did you mean `baseURL`?'],
    [{ base_url: 'https://a.example' }, 'unknown option `base_url` — did you mean `baseURL`?'],
    [{ SessionCookie: 'sid' }, 'unknown option `SessionCookie` — did you mean `sessionCookie`?'],
    [{ 'session-cookie': 'sid' }, 'unknown option `session-cookie` — did you mean `sessionCookie`?'],
    [{ onerror: () => {} }, 'unknown option `onerror` — did you mean `onError`?'],
    [{ loginUrl: '/login' }, 'unknown option `loginUrl` — did you mean `login: { url }`?'],
    [{ headerName: 'X-Sid' }, 'unknown option `headerName` — did you mean `header: { name }`?'],
    [{ urlStyle: 'query' }, 'unknown option `urlStyle` — did you mean `url: { style }`?'],
    [{ retries: 3 }, 'unknown option `retries`'],
    [{ header: { Name: 'X-Sid' } }, 'unknown option `header.Name` — did you mean `header: { name }`?'],
    [{ login: { URL: '/login' } }, 'unknown option `login.URL` — did you mean `login: { url }`?'],
    [{ login: { url: '/login', body: {} } }, 'unknown option `login.body`'],
    [{ url: { param: 'sid' } }, 'unknown option `url.param`'],
  ])('%j → %s', (options, message) => {
    expect(refusal(options)).toBe(message)
  })

  it('any mix of case, `_` and `-` in a known name suggests that name (seeded)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...optionNames),
        fc.array(fc.constantFrom('lower', 'upper', 'keep', 'underscore', 'dash'), { minLength: 30 }),
        (name, edits) => {
          const variant = [...name]
            .map((char, i) => {
              const edit = edits[i % edits.length]
              if (edit === 'lower') return char.toLowerCase()
              if (edit === 'upper') return char.toUpperCase()
              if (edit === 'underscore' && i > 0) return `_${char}`
              if (edit === 'dash' && i > 0) return `-${char}`
              return char
            })
            .join('')
          if (variant === name) return
          expect(refusal({ [variant]: undefined })).toBe(
            `unknown option \`${variant}\` — did you mean \`${name}\`?`,
          )
        },
      ),
      { seed: 16, numRuns: 300 },
    )
  })
})

describe('values: what each option must be', () => {
  it.each([
    ['x', '`options` must be an object'],
    [null, '`options` must be an object'],
    [[], '`options` must be an object'],
    [
      { baseURL: 'api.example.com' },
      "option `baseURL` must be an absolute http(s) URL like 'https://api.example.com'",
    ],
    [
      { sessionCookie: '' },
      'option `sessionCookie` must be a non-empty string or an array of non-empty strings',
    ],
    [
      { sessionCookie: [''] },
      'option `sessionCookie` must be a non-empty string or an array of non-empty strings',
    ],
    [
      { sessionCookie: ['sid', 7] },
      'option `sessionCookie` must be a non-empty string or an array of non-empty strings',
    ],
    [{ mode: 'cookies' }, "option `mode` must be 'cookie' | 'header' | 'url'"],
    [{ jar: 'yes' }, 'option `jar` must be a boolean'],
    [{ warmup: true }, 'option `warmup` must be false or a string'],
    [{ warmupBackoff: 0 }, 'option `warmupBackoff` must be milliseconds > 0'],
    [{ refreshInterval: -1 }, 'option `refreshInterval` must be false or milliseconds > 0'],
    [{ refreshInterval: Number.NaN }, 'option `refreshInterval` must be false or milliseconds > 0'],
    [{ refreshInterval: Infinity }, 'option `refreshInterval` must be false or milliseconds > 0'],
    [{ login: '/login' }, 'option `login` must be false or { url: string }'],
    [{ login: {} }, 'option `login` must be false or { url: string }'],
    [{ login: { url: '/login', method: 'DELETE' } }, "option `login.method` must be 'POST' | 'PUT' | 'GET'"],
    [{ login: { url: '/login', data: { code: 1 } } }, 'option `login.data` must be a function'],
    [{ header: 'X-Sid' }, 'option `header` must be an object'],
    [{ header: { name: '' } }, 'option `header.name` must be a non-empty string'],
    [{ url: { style: 'matrix' } }, "option `url.style` must be 'path' | 'query'"],
    [{ storageKey: '' }, 'option `storageKey` must be a non-empty string'],
    [{ clock: { now: Date.now } }, 'option `clock` must be { now, setTimeout, clearTimeout }'],
    [{ isExpired: 401 }, 'option `isExpired` must be a function'],
    [{ debug: 1 }, 'option `debug` must be a boolean or a function'],
  ])('%j → %s', (options, message) => {
    expect(refusal(options)).toBe(message)
  })

  it('the whole message: the SDK prefix and the code', () => {
    expect(() => resolveOptions({ baseUrl: 'x' })).toThrow(
      '[miniprogram-session] INVALID_OPTION: unknown option `baseUrl` — did you mean `baseURL`?',
    )
  })

  it('undefined is the default for every option, nested ones included', () => {
    const resolved = resolveOptions({ baseURL: undefined, header: { name: undefined }, login: undefined })
    expect(resolved.baseURL).toBe('')
    expect(resolved.headerName).toBe('X-Session-Id')
    expect(resolved.login).toBe(false)
  })

  it('accepts an empty sessionCookie list (header mode: the id never comes from a cookie)', () => {
    expect([...resolveOptions({ sessionCookie: [] }).names]).toEqual([])
    expect([...resolveOptions({ sessionCookie: 'SID' }).names]).toEqual(['sid'])
  })
})

describe('baseURL: an absolute http(s) URL with a host', () => {
  it.each([
    'https://api.example.com',
    'https://api.example.com/',
    'https://api.example.com/v1/',
    'http://127.0.0.1:3000',
    'http://[::1]:8080/api',
    'https://my_host.internal',
    'HTTPS://API.EXAMPLE.COM',
  ])('accepts %s', (baseURL) => {
    expect(resolveOptions({ baseURL }).baseURL).toBe(baseURL.replace(/\/+$/, ''))
  })

  it.each([
    'api.example.com',
    '//api.example.com',
    '/api',
    'ftp://api.example.com',
    'https://',
    'https:///path',
    'https://:443',
    'https://user:pw@api.example.com',
    'https://api.example.com?tenant=1',
    'https://api.example.com/#top',
    'https://api example.com',
    ' https://api.example.com',
  ])('refuses %j', (baseURL) => {
    expect(refusal({ baseURL })).toMatch(/^option `baseURL` must be an absolute http\(s\) URL/)
  })

  it('what it accepts, the WHATWG URL parser reads as http(s) with a host and nothing else (seeded)', () => {
    const candidates = fc.oneof(
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      fc.webUrl({ authoritySettings: { withUserInfo: true, withPort: true } }),
      fc.string().map((s) => `https://${s}`),
      fc.string(),
    )
    fc.assert(
      fc.property(candidates, (baseURL) => {
        let accepted = true
        try {
          resolveOptions({ baseURL })
        } catch {
          accepted = false
        }
        if (!accepted || baseURL === '') return // '' is the default: URLs are used as given
        const url = new URL(baseURL)
        expect(['http:', 'https:']).toContain(url.protocol)
        expect(url.hostname).not.toBe('')
        expect([url.username, url.password, url.search, url.hash]).toEqual(['', '', '', ''])
      }),
      { seed: 16, numRuns: 2000 },
    )
  })

  it('accepts every URL without credentials, query or fragment (seeded)', () => {
    fc.assert(
      fc.property(
        fc.webUrl({ authoritySettings: { withPort: true, withIPv6: true, withIPv4: true } }),
        (baseURL) => {
          expect(() => resolveOptions({ baseURL })).not.toThrow()
        },
      ),
      { seed: 16, numRuns: 1000 },
    )
  })
})
