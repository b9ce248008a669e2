// A fake clock: time moves only when a test calls advance(), so nothing in a test waits for real.
// Timer handles are numbers, as in the mini-program typings (PLATFORM.md section 8).
//
// The network is real, though: a server answers in real milliseconds. So before each timer fires,
// advance() lets the network calls in flight answer (real time, bounded), as they would have long
// before a timer minutes away: one big advance() does not time out a refresh call that the server
// answers in 3 ms. Runtimes tell the clock what they have in flight (`watchNetwork`).

/** Injectable time and timers. Time only moves on `advance()`. */
export interface Clock {
  now(): number
  setTimeout(fn: () => void, ms?: number): number
  clearTimeout(id?: number): void
  setInterval(fn: () => void, ms?: number): number
  clearInterval(id?: number): void
  /**
   * Moves time forward by `ms`, running due timers in order. Before each timer and at the end it
   * lets pending I/O settle, and waits (real time, up to `networkWait` ms) until the network calls
   * of the runtimes on this clock have answered.
   */
  advance(ms: number): Promise<void>
}

export interface ClockOptions {
  /**
   * Real milliseconds `advance()` waits, at each step, for the network calls in flight to answer
   * before it moves time on. Once a wait runs out, the rest of that advance() waits no more (a
   * server holding a request costs this much once). 0: time jumps past calls in flight, which may
   * then time out. Default 1000.
   */
  networkWait?: number
}

interface Timer {
  id: number
  due: number
  seq: number
  fn: () => void
  every?: number
}

// Lets real socket callbacks and promise chains run before the next timer fires.
export const settleIO = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))
const realDelay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

const MAX_TIMERS_PER_ADVANCE = 100_000

/** Per clock: whether each runtime on it has network calls in flight. */
const networks = new WeakMap<Clock, Set<() => boolean>>()

/**
 * Makes `clock.advance()` wait while `busy()` (see createClock). Returns the function that stops
 * it. A clock not made by createClock is left alone.
 */
export function watchNetwork(clock: Clock, busy: () => boolean): () => void {
  const watched = networks.get(clock)
  if (!watched) return () => {}
  watched.add(busy)
  return () => void watched.delete(busy)
}

/** Waits (real time, letting I/O run) while `busy()`, until `deadline` (a Date.now() value). True when no longer busy. */
export async function waitWhile(busy: () => boolean, deadline: number): Promise<boolean> {
  await settleIO()
  while (busy()) {
    if (Date.now() >= deadline) return false
    await realDelay(1)
    await settleIO()
  }
  return true
}

export function createClock(start: number = Date.now(), options: ClockOptions = {}): Clock {
  const networkWait = options.networkWait ?? 1000
  let time = start
  let nextId = 1
  let seq = 0
  const timers = new Map<number, Timer>()

  const add = (fn: () => void, ms: number | undefined, every: boolean): number => {
    const delay = Math.max(0, Number(ms) || 0)
    const timer: Timer = { id: nextId++, due: time + delay, seq: seq++, fn }
    // A zero-period interval would never let time move on; browsers clamp it too.
    if (every) timer.every = Math.max(1, delay)
    timers.set(timer.id, timer)
    return timer.id
  }
  const clear = (id?: number): void => {
    if (id !== undefined) timers.delete(id)
  }
  const nextDue = (limit: number): Timer | undefined => {
    let best: Timer | undefined
    for (const t of timers.values()) {
      if (t.due > limit) continue
      if (!best || t.due < best.due || (t.due === best.due && t.seq < best.seq)) best = t
    }
    return best
  }

  const watched = new Set<() => boolean>()
  const networkBusy = () => [...watched].some((busy) => busy())
  const clock: Clock = {
    now: () => time,
    setTimeout: (fn, ms) => add(fn, ms, false),
    setInterval: (fn, ms) => add(fn, ms, true),
    clearTimeout: clear,
    clearInterval: clear,
    async advance(ms) {
      if (!(ms >= 0) || !Number.isFinite(ms))
        throw new RangeError(`clock.advance(${ms}): expected a finite number of ms >= 0`)
      const target = time + ms
      let waiting = networkWait > 0
      const settle = async (): Promise<void> => {
        if (!waiting) return settleIO()
        waiting = await waitWhile(networkBusy, Date.now() + networkWait)
      }
      await settle()
      for (let ran = 0; ; ran++) {
        if (ran >= MAX_TIMERS_PER_ADVANCE)
          throw new Error(`clock.advance(${ms}): more than ${MAX_TIMERS_PER_ADVANCE} timers fired`)
        const timer = nextDue(target)
        if (!timer) break
        time = Math.max(time, timer.due)
        if (timer.every) {
          timer.due += timer.every
          timer.seq = seq++
        } else {
          timers.delete(timer.id)
        }
        timer.fn()
        await settle()
      }
      time = target
      await settle()
    },
  }
  networks.set(clock, watched)
  return clock
}
