// A seeded random app life per backend × mode (soak.ts): 300 requests each here, `npm run soak`
// for long ones. SOAK_SEED picks the seed (printed with the figures; a failure names seed and step).
import { describe, expect, it } from 'vitest'
import { backendRows } from './backends.js'
import { formatReport, runLife } from './soak.js'

const seed = Number(process.env.SOAK_SEED ?? 20261203)

describe.each(backendRows)('app life: %s', (_label, backend) => {
  it('300 requests, 0 failures the app can see, no login by hand', { timeout: 120_000 }, async () => {
    const report = await runLife({ backend, seed, requests: 300 })
    console.log(formatReport(report))
    expect(report.requests).toBeGreaterThanOrEqual(300)
    expect(report.logins).toBeGreaterThan(0)
  })
})
