// A fake clock: time moves only when a test calls advance(), so nothing in a test waits for real.
// Timer handles are numbers, as in the mini-program typings (PLATFORM.md section 8).

/** Injectable time and timers. Time only moves on `advance()`. */
export interface Clock {
  now(): number
  setTimeout(fn: () => void, ms?: number): number
  clearTimeout(id?: number): void
  setInterval(fn: () => void, ms?: number): number
  clearInterval(id?: number): void
  /** Moves time forward by `ms`, running due timers in order and letting pending I/O settle between them. */
  advance(ms: number): Promise<void>
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

const MAX_TIMERS_PER_ADVANCE = 100_000

export function createClock(start: number = Date.now()): Clock {
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

  return {
    now: () => time,
    setTimeout: (fn, ms) => add(fn, ms, false),
    setInterval: (fn, ms) => add(fn, ms, true),
    clearTimeout: clear,
    clearInterval: clear,
    async advance(ms) {
      if (!(ms >= 0) || !Number.isFinite(ms))
        throw new RangeError(`clock.advance(${ms}): expected a finite number of ms >= 0`)
      const target = time + ms
      await settleIO()
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
        await settleIO()
      }
      time = target
      await settleIO()
    },
  }
}
