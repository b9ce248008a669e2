import type { Cookie } from '../cookie/index.js'
import { SessionError } from '../errors.js'
import type { PlatformStorage } from '../platform/types.js'

/**
 * What one storage key holds: `{ v: 1, cookies, session }`. `session` belongs to the session
 * state (state.ts): read and written there, passed through here.
 */
export interface Stored {
  cookies: Cookie[]
  session: Record<string, unknown>
}

/**
 * Reads the key once at start (sync storage reads slow down launch, PLATFORM.md 3). Corrupt or
 * foreign data → a clean start, reported.
 */
export function load(storage: PlatformStorage, key: string, report: (e: SessionError) => void): Stored {
  const value = storage.get(key)
  const r = Object(value) as { v?: unknown; cookies?: unknown; session?: unknown }
  if (r.v === 1 && Array.isArray(r.cookies) && typeof r.session === 'object' && r.session)
    return { session: r.session as Record<string, unknown>, cookies: r.cookies }
  if (value != null) report(new SessionError('STORAGE', `unreadable "${key}": starting clean`))
  return { cookies: [], session: {} }
}

/**
 * Writes storage: `now` when the session changed, otherwise only marks it dirty (an answer that
 * just moved an expiry) until a flush (`now` undefined: app hide, dispose). A quota error keeps
 * the app working from memory and is reported once per streak.
 */
export function createSaver(
  storage: PlatformStorage,
  key: string,
  keepSessionCookies: boolean,
  report: (e: SessionError) => void,
  snapshot: () => Stored,
): (now?: boolean) => void {
  let dirty = false
  let failing = false
  return (now) => {
    if (now === false) {
      dirty = true
      return
    }
    if (!now && !dirty) return
    const { cookies, session } = snapshot()
    try {
      storage.set(key, {
        v: 1,
        cookies: keepSessionCookies ? cookies : cookies.filter((c) => c.expires !== undefined),
        session,
      })
      dirty = failing = false
    } catch (cause) {
      dirty = true
      if (!failing) report(new SessionError('STORAGE', `could not save "${key}"; kept in memory`, { cause }))
      failing = true
    }
  }
}
