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
 * Bytes the saved record may take: storage allows 1 MB a key (PLATFORM.md 3); half of it leaves
 * room for the session whatever other hosts' cookies weigh.
 */
export const STORAGE_BUDGET = 512 * 1024

/**
 * How much a cookie is worth keeping when the record is over its budget: 0 another host's (the
 * least recently used of these leave first), 1 the backend's, 2 the session cookie (always saved).
 */
export type Worth = 0 | 1 | 2

// UTF-8 bytes of a string, as storage counts them (a surrogate pair counts 6 instead of 4: an
// estimate that errs towards a smaller record).
function bytes(text: string): number {
  let n = text.length
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code > 0x7f) n += code > 0x7ff ? 2 : 1
  }
  return n
}

const empty = (): Stored => ({ cookies: [], session: {} })

// A value read from the key, or undefined when it is not ours.
function parse(value: unknown): Stored | undefined {
  const r = Object(value) as { v?: unknown; cookies?: unknown; session?: unknown }
  if (r.v === 1 && Array.isArray(r.cookies) && typeof r.session === 'object' && r.session)
    return { session: r.session as Record<string, unknown>, cookies: r.cookies }
  return undefined
}

/** What `load` found; `unread` when the platform could not read the key at all. */
export interface Loaded extends Stored {
  unread?: true
}

/**
 * Reads the key once at start (sync storage reads slow down launch, PLATFORM.md 3). Corrupt or
 * foreign data → a clean start, reported. A read that throws → a clean start, reported, and
 * `unread`: the saver then leaves the key alone until it can be read.
 */
export function load(storage: PlatformStorage, key: string, report: (e: SessionError) => void): Loaded {
  let value: unknown
  try {
    value = storage.get(key)
  } catch (cause) {
    report(
      new SessionError(
        'STORAGE',
        `could not read "${key}": starting without it; it is not written over until it can be read`,
        { cause },
      ),
    )
    return { ...empty(), unread: true }
  }
  const stored = parse(value)
  if (!stored && value != null) report(new SessionError('STORAGE', `unreadable "${key}": starting clean`))
  return stored || empty()
}

export interface SaverOptions {
  /** The launch could not read the key: each save first reads it again, and writes only once it can. */
  unread?: boolean
  /** Takes what such a late read found, before the save that follows is written. */
  adopt(stored: Stored): void
  worth(cookie: Cookie): Worth
  /** Default STORAGE_BUDGET. */
  budget?: number
}

/**
 * The cookies to save so that the record fits `budget`: other hosts' least recently used leave
 * first, then the backend's; the session cookie always stays.
 */
export function fitBudget(record: Stored, budget: number, worth: (c: Cookie) => Worth): Cookie[] {
  let over = bytes(JSON.stringify({ v: 1, ...record })) - budget
  if (over <= 0) return record.cookies
  const leaving = new Set<Cookie>()
  const candidates = record.cookies
    .filter((c) => worth(c) < 2)
    .sort((a, b) => worth(a) - worth(b) || (a.lastUsed ?? 0) - (b.lastUsed ?? 0))
  for (const c of candidates) {
    if (over <= 0) break
    leaving.add(c)
    over -= bytes(JSON.stringify(c)) + 1 // and its comma
  }
  return record.cookies.filter((c) => !leaving.has(c))
}

/**
 * Writes storage: `now` when the session changed, otherwise only marks it dirty (an answer that
 * just moved an expiry) until a flush (`now` undefined: app hide, dispose). A quota error keeps
 * the app working from memory and is reported once per streak; so is a record over its budget.
 */
export function createSaver(
  storage: PlatformStorage,
  key: string,
  keepSessionCookies: boolean,
  report: (e: SessionError) => void,
  snapshot: () => Stored,
  options: SaverOptions,
): (now?: boolean) => void {
  let dirty = false
  let failing = false
  let trimming = false
  let unread = options.unread
  return (now) => {
    if (now === false) {
      dirty = true
      return
    }
    if (!now && !dirty) return
    if (unread) {
      let value: unknown
      try {
        value = storage.get(key)
      } catch {
        // still unreadable: what is stored may be the good session, so it stays as it is
        dirty = true
        return
      }
      unread = false
      const late = parse(value)
      if (late) options.adopt(late)
    }
    const { cookies, session } = snapshot()
    const kept = keepSessionCookies ? cookies : cookies.filter((c) => c.expires !== undefined)
    const fitting = fitBudget({ cookies: kept, session }, options.budget || STORAGE_BUDGET, options.worth)
    if (fitting.length < kept.length && !trimming)
      report(
        new SessionError(
          'STORAGE',
          `"${key}" is over its storage budget: ${kept.length - fitting.length} least recently used cookies (other hosts' first) not saved`,
        ),
      )
    trimming = fitting.length < kept.length
    try {
      storage.set(key, { v: 1, cookies: fitting, session })
      dirty = failing = false
    } catch (cause) {
      dirty = true
      if (!failing) report(new SessionError('STORAGE', `could not save "${key}"; kept in memory`, { cause }))
      failing = true
    }
  }
}
