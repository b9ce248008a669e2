import { describe, expect, it } from 'vitest'
import { createClock } from '../../src/testing/index.js'

describe('fake clock', () => {
  it('runs due timers in time order (then creation order) and moves now() with them', async () => {
    const clock = createClock(1000)
    const seen: string[] = []
    clock.setTimeout(() => seen.push(`b@${clock.now()}`), 20)
    clock.setTimeout(() => seen.push(`a@${clock.now()}`), 10)
    clock.setTimeout(() => seen.push(`a2@${clock.now()}`), 10)
    const cancelled = clock.setTimeout(() => seen.push('never'), 5)
    clock.clearTimeout(cancelled)
    await clock.advance(15)
    expect(seen).toEqual(['a@1010', 'a2@1010'])
    expect(clock.now()).toBe(1015)
    await clock.advance(5)
    expect(seen).toEqual(['a@1010', 'a2@1010', 'b@1020'])
  })

  it('repeats intervals until cleared; timers set by timers run in the same advance', async () => {
    const clock = createClock(0)
    const ticks: number[] = []
    const id = clock.setInterval(() => ticks.push(clock.now()), 100)
    clock.setTimeout(() => clock.setTimeout(() => ticks.push(-clock.now()), 50), 10)
    await clock.advance(350)
    expect(ticks).toEqual([-60, 100, 200, 300])
    clock.clearInterval(id)
    await clock.advance(1000)
    expect(ticks).toHaveLength(4)
  })

  it('lets real I/O settle between timers', async () => {
    const clock = createClock(0)
    let resolvedBeforeSecondTimer = false
    let flag = false
    clock.setTimeout(() => void new Promise((r) => setImmediate(r)).then(() => (flag = true)), 1)
    clock.setTimeout(() => (resolvedBeforeSecondTimer = flag), 2)
    await clock.advance(2)
    expect(resolvedBeforeSecondTimer).toBe(true)
  })

  it('rejects a negative or non-finite advance', async () => {
    await expect(createClock().advance(-1)).rejects.toThrow(RangeError)
    await expect(createClock().advance(Number.NaN)).rejects.toThrow(RangeError)
  })
})
