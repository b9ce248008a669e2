// `npm run bench`: every benchmark, one table, and the results as JSON in bench/results/
// (latest.json plus a dated copy) so runs can be compared over time. Each peer figure is
// measured in the same run as ours. Not a test: nothing here fails on a slow machine.
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { benchColdstart } from './coldstart.js'
import { benchCookie } from './cookie.js'
import { benchRequest } from './request.js'
import { benchScale } from './scale.js'
import { benchStorage } from './storage.js'

/** One measured figure; `vs` holds the peers' figures for the same workload, same run. */
export interface BenchRow {
  name: string
  /** Our figure, in `unit`. */
  ops: number
  /** Default 'ops/s'. Units ending in '/s' are better higher; any other unit (µs, writes) lower. */
  unit?: string
  vs?: Record<string, number>
}

const benches: [string, () => Promise<BenchRow[]>][] = [
  ['cookie', () => benchCookie()],
  ['scale', () => benchScale()],
  ['request', () => benchRequest()],
  ['storage', () => benchStorage()],
  ['coldstart', () => benchColdstart()],
]

function advantage(row: BenchRow, peer: number): string {
  const higherIsBetter = (row.unit ?? 'ops/s').endsWith('/s')
  const ratio = higherIsBetter ? row.ops / peer : peer / row.ops
  if (!Number.isFinite(ratio) || ratio <= 0) return ''
  return ratio >= 1 ? `ours ${ratio.toFixed(1)}× better` : `ours ${(1 / ratio).toFixed(1)}× worse`
}

const num = (n: number): string =>
  n >= 1000 ? Math.round(n).toLocaleString('en-US') : String(Math.round(n * 100) / 100)

function table(results: (BenchRow & { bench: string })[]): string {
  const width = Math.max(...results.map((r) => r.name.length))
  const unitWidth = Math.max(...results.map((r) => (r.unit ?? 'ops/s').length))
  return results
    .map((r) => {
      const peers = Object.entries(r.vs ?? {}).map(([peer, v]) => `${peer} ${num(v)} (${advantage(r, v)})`)
      const unit = (r.unit ?? 'ops/s').padEnd(unitWidth)
      return `${r.bench.padEnd(9)} ${r.name.padEnd(width)} ${num(r.ops).padStart(9)} ${unit}  ${peers.join('; ')}`
    })
    .join('\n')
}

function commit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim()
  } catch {
    return undefined
  }
}

// Each bench runs in a process of its own (this script with `--only <name>`), as an app would
// run the library: what one bench leaves behind (heap, JIT feedback) does not slow the next one.
// Ours and the peers of a row still share that process.
function runAlone(bench: string): BenchRow[] {
  const out = execFileSync(process.execPath, [...process.execArgv, process.argv[1]!, '--only', bench], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 24,
  })
  return JSON.parse(out) as BenchRow[]
}

async function main(): Promise<void> {
  const only = process.argv.indexOf('--only')
  if (only > 0) {
    const entry = benches.find(([name]) => name === process.argv[only + 1])
    if (!entry) throw new Error(`no bench ${process.argv[only + 1]}`)
    process.stdout.write(JSON.stringify(await entry[1]()))
    return
  }
  const results: (BenchRow & { bench: string })[] = []
  for (const [bench] of benches) {
    process.stderr.write(`bench: ${bench}…\n`)
    for (const row of runAlone(bench)) results.push({ bench, ...row })
  }
  console.log(table(results))
  const date = new Date().toISOString()
  const record = { date, commit: commit(), node: process.version, cpu: cpus()[0]?.model, results }
  mkdirSync('bench/results', { recursive: true })
  const json = `${JSON.stringify(record, null, 2)}\n`
  writeFileSync('bench/results/latest.json', json)
  writeFileSync(`bench/results/${date.replace(/[:.]/g, '-')}.json`, json)
  console.log(
    `\nwritten: bench/results/latest.json (node ${process.version}, ${record.cpu ?? 'unknown cpu'})`,
  )
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
