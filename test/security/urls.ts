// URLs for the parser differential (parser.test.ts): what Node's WHATWG `new URL()` reads, and a
// seeded generator of URLs built from the pieces parsers disagree on.
import type { ParsedUrl } from '../../src/cookie/index.js'

/** `new URL()`'s reading in ParsedUrl's terms; null when it refuses the URL. */
export function whatwg(url: string): ParsedUrl | null {
  try {
    const u = new URL(url)
    return {
      scheme: u.protocol.slice(0, -1),
      host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: u.port,
      path: u.pathname,
    }
  } catch {
    return null
  }
}

const SCHEMES = ['http', 'https', 'HTTP', 'HttpS', 'ws', 'wss']
const PLAIN_HOSTS = [
  'api.example.com',
  'API.Example.COM',
  'example.com.',
  '127.0.0.1',
  '127.0.0.2',
  '10.0.0.255',
  'localhost',
  'my_host.internal',
  'xn--fiqs8s.cn',
  '[::1]',
  '[0:0:0:0:0:0:0:1]',
  '[2001:DB8::0:1]',
  '[::ffff:127.0.0.1]',
  '[1:0:0:2:0:0:0:3]',
]
const PORTS = ['', ':80', ':443', ':8080', ':0080', ':', ':65535']
const SEGMENTS = [
  'api',
  'Admin',
  'orders',
  '..',
  '.',
  '%2e',
  '%2E%2e',
  '.%2e',
  '%2e.',
  'a;b',
  'a@b',
  'x:y',
  '',
]
const SEGMENTS_ODD = ['a b', 'é', '"q"', '{x}', '%zz', '...']
const TAILS = ['', '?x=1', '?a/../b', '?@evil.com', '#f', '#/../x', '?q#h']
// Pieces that move the host: userinfo with ';', ':' and '@' before it, '\\', ';@' or '@' after it.
const BEFORE_HOST = [
  '',
  '',
  '',
  'user@',
  'u:p@',
  'api.example.com;@',
  'a@b@',
  '127.0.0.1:81@',
  'x;y:z@',
  '@',
  'evil.com\\@',
]
const AFTER_HOST = [
  '',
  '',
  '',
  '',
  '',
  ';@evil.com',
  '\\@api.example.com',
  '@127.0.0.2',
  ';x',
  ':8080@[::1]',
  '\\',
]
// Hosts WHATWG reads and this parser refuses (IDN, IPv4 short forms, ';' or '%' in a name).
const ODD_HOSTS = ['127.1', '0x7f.0.0.1', '例子.cn', 'a;b.com', 'ex%41mple.com', 'a..b']
const SEPARATORS = [...Array<string>(40).fill('//'), '\\\\', '\\\\', '\\\\', '/\\', '/\\', '\\/', '/', '///']

export const pick = <T>(rand: () => number, from: readonly T[]): T =>
  from[Math.floor(rand() * from.length)] as T

/** A URL of a plain shape: scheme://host[:port][/path][?query][#fragment]. Never to be refused. */
export function plainUrl(rand: () => number): string {
  const segments = Array.from({ length: Math.floor(rand() * 4) }, () => pick(rand, SEGMENTS))
  const path = segments.length ? '/' + segments.join('/') : pick(rand, ['', '/'])
  return `${pick(rand, SCHEMES)}://${pick(rand, PLAIN_HOSTS)}${pick(rand, PORTS)}${path}${pick(rand, TAILS)}`
}

/** A URL with the tricky pieces in the authority and the path; WHATWG may refuse it too. */
export function trickyUrl(rand: () => number): string {
  const host = rand() < 0.05 ? pick(rand, ODD_HOSTS) : pick(rand, PLAIN_HOSTS)
  const authority = pick(rand, BEFORE_HOST) + host + pick(rand, AFTER_HOST) + pick(rand, PORTS)
  const segments = Array.from({ length: Math.floor(rand() * 5) }, () =>
    rand() < 0.15 ? pick(rand, SEGMENTS_ODD) : pick(rand, SEGMENTS),
  )
  const path = segments.map((s) => pick(rand, ['/', '/', '\\']) + s).join('')
  return `${pick(rand, SCHEMES)}:${pick(rand, SEPARATORS)}${authority}${path}${pick(rand, TAILS)}`
}
