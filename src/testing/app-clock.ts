// The app's view of the clock: its timers stop while the app is suspended, because WeChat stops the
// JS thread (operating-mechanism doc, PLATFORM.md section 5), and die with the app.
import type { Clock } from './clock.js'

interface AppTimer {
  fn: () => void
  due: number
  every?: number
  baseId?: number
}

export interface AppClock extends Clock {
  freeze(): void
  thaw(mode: 'resume' | 'flush'): void
  clearAll(): void
}

export function createAppClock(base: Clock): AppClock {
  const timers = new Map<number, AppTimer>()
  let nextId = 1
  let frozenAt: number | undefined

  const arm = (id: number, t: AppTimer): void => {
    t.baseId = base.setTimeout(() => fire(id), Math.max(0, t.due - base.now()))
  }
  const fire = (id: number): void => {
    const t = timers.get(id)
    if (!t) return
    if (t.every) {
      t.due = base.now() + t.every
      arm(id, t)
    } else {
      timers.delete(id)
    }
    t.fn()
  }
  const add = (fn: () => void, ms: number | undefined, every: boolean): number => {
    const delay = Math.max(0, Number(ms) || 0)
    const id = nextId++
    const t: AppTimer = { fn, due: base.now() + delay }
    if (every) t.every = Math.max(1, delay)
    timers.set(id, t)
    if (frozenAt === undefined) arm(id, t)
    return id
  }
  const clear = (id?: number): void => {
    const t = id === undefined ? undefined : timers.get(id)
    if (!t) return
    if (t.baseId !== undefined) base.clearTimeout(t.baseId)
    timers.delete(id!)
  }

  return {
    now: () => base.now(),
    advance: (ms) => base.advance(ms),
    setTimeout: (fn, ms) => add(fn, ms, false),
    setInterval: (fn, ms) => add(fn, ms, true),
    clearTimeout: clear,
    clearInterval: clear,
    freeze() {
      if (frozenAt !== undefined) return
      frozenAt = base.now()
      for (const t of timers.values()) {
        if (t.baseId !== undefined) base.clearTimeout(t.baseId)
        delete t.baseId
      }
    },
    thaw(mode) {
      if (frozenAt === undefined) return
      const paused = base.now() - frozenAt
      frozenAt = undefined
      const overdue: number[] = []
      for (const [id, t] of timers) {
        if (mode === 'resume') t.due += paused
        else if (t.due <= base.now()) overdue.push(id)
        if (!overdue.includes(id)) arm(id, t)
      }
      // 'flush': everything that came due in the background fires at once, once (reported on Android).
      for (const id of overdue) fire(id)
    },
    clearAll() {
      for (const id of [...timers.keys()]) clear(id)
    },
  }
}
