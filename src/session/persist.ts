import { CookieJar } from '../cookie/index.js'
import type { Cookie } from '../cookie/index.js'
import { SessionError } from '../errors.js'
import type { PlatformStorage } from '../platform/types.js'

/** What we keep beside the cookies. */
export interface StoredSession {
  /** Header/url mode session id. */
  id?: string
  loggedIn?: boolean
}

interface Record1 {
  v: 1
  cookies: Cookie[]
  session: StoredSession
}

function isRecord(value: unknown): value is Record1 {
  const r = value as Partial<Record1> | null
  return (
    typeof r === 'object' &&
    r !== null &&
    r.v === 1 &&
    Array.isArray(r.cookies) &&
    typeof r.session === 'object' &&
    r.session !== null
  )
}

/**
 * One storage key holding `{ v: 1, cookies, session }`. Read once at start (sync storage reads
 * slow down launch, PLATFORM.md 3); written synchronously when the session changes; writes that
 * only move an expiry are coalesced until `flush()` (app hide, dispose).
 */
export interface Persister {
  readonly key: string
  /** The stored jar and session; corrupt or foreign data → a clean start, reported once. */
  load(jarOptions: { now: () => number }): { jar: CookieJar; session: StoredSession }
  /** Writes now. A quota error keeps the app working from memory and is reported (once per streak). */
  save(jar: CookieJar | undefined, session: StoredSession): void
  markDirty(): void
  flush(jar: CookieJar | undefined, session: StoredSession): void
}

export function createPersister(
  storage: PlatformStorage,
  key: string,
  keepSessionCookies: boolean,
  report: (error: SessionError) => void,
): Persister {
  let dirty = false
  let failing = false
  const persister: Persister = {
    key,
    load(jarOptions) {
      const value = storage.get(key)
      if (value !== undefined && value !== null && !isRecord(value)) {
        report(
          new SessionError(
            'STORAGE',
            `storage key "${key}" holds data this version cannot read; starting with no session`,
          ),
        )
      }
      if (!isRecord(value)) return { jar: new CookieJar(jarOptions), session: {} }
      const { id, loggedIn } = value.session
      const session: StoredSession = {}
      if (typeof id === 'string' && id) session.id = id
      if (loggedIn === true) session.loggedIn = true
      return { jar: CookieJar.fromJSON({ v: 1, cookies: value.cookies }, jarOptions), session }
    },
    save(jar, session) {
      let cookies = jar ? jar.toJSON().cookies : []
      if (!keepSessionCookies) cookies = cookies.filter((c) => c.expires !== undefined)
      try {
        storage.set(key, { v: 1, cookies, session } satisfies Record1)
        dirty = failing = false
      } catch (cause) {
        dirty = true
        if (!failing)
          report(
            new SessionError(
              'STORAGE',
              `could not save the session to storage key "${key}"; keeping it in memory`,
              { cause },
            ),
          )
        failing = true
      }
    },
    markDirty() {
      dirty = true
    },
    flush(jar, session) {
      if (dirty) persister.save(jar, session)
    },
  }
  return persister
}
