// `npm run soak [-- --requests 2000] [--seed 42] [--only "php url"]`: long seeded app lives
// (test/session/soak.ts) on every backend × mode. Prints the figures per life; a failure prints
// its seed and step and exits 1. The seed defaults to a new random one, printed first.
import { parseArgs } from 'node:util'
import { backends } from '../test/session/backends.js'
import { formatReport, runLife } from '../test/session/soak.js'

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '1000' },
    seed: { type: 'string' },
    only: { type: 'string' },
  },
})
const requests = Number(values.requests)
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed)
if (!(requests > 0) || !Number.isInteger(seed)) {
  console.error('usage: npm run soak -- [--requests N] [--seed INTEGER] [--only "express cookie"]')
  process.exit(2)
}
console.log(`soak: seed ${seed}, ${requests} requests per life`)
let failed = false
for (const backend of backends) {
  const label = `${backend.name} ${backend.mode}`
  if (values.only && values.only !== label) continue
  const started = Date.now()
  try {
    const report = await runLife({ backend, seed, requests })
    console.log(`${formatReport(report)} (${Date.now() - started} ms)`)
  } catch (error) {
    failed = true
    console.error(String(error instanceof Error ? error.message : error))
  }
}
process.exit(failed ? 1 : 0)
