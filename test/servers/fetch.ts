// Plain HTTP for the servers' own tests (no SDK, no runtime): what a bare client sends and gets.

/** The `name=value` pair of a Set-Cookie line with that cookie name, if the answer has one. */
export const cookieNamed = (res: Response, name: string): string | undefined =>
  res.headers
    .getSetCookie()
    .find((c) => c.startsWith(`${name}=`))
    ?.split(';')[0]

/** GET and JSON POST against the server at `base()` (read at call time: servers start in beforeAll). */
export function plainHttp(base: () => string) {
  return {
    get: (path: string, headers: Record<string, string> = {}) => fetch(base() + path, { headers }),
    post: (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(base() + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      }),
  }
}
