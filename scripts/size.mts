// Size of each shipped entry as a user's bundler would ship it: the built file minified with
// terser, then gzip -9. Run after `npm run build`: `npm run size` prints the figures and exits 1
// above a budget; test/package runs the same check inside `npm test`.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { gzipSync } from 'node:zlib'
import { minify } from 'terser'

/** Budgets from issue 7, in bytes (KB as PEERS.md counts them: 2,995 B is "3.0 KB"). */
export const budgets = [
  { entry: 'index', label: 'SDK, WeChat build (jar + session + wx adapter)', limit: 5000 },
  { entry: 'cookie', label: 'cookie jar alone', limit: 2500 },
] as const

export interface SizeRow {
  label: string
  file: string
  raw: number
  min: number
  gzip: number
  limit: number
}

export async function measureSizes(dist = 'dist'): Promise<SizeRow[]> {
  const rows: SizeRow[] = []
  for (const { entry, label, limit } of budgets) {
    for (const ext of ['mjs', 'js']) {
      const file = `dist/${entry}.${ext}`
      const code = readFileSync(`${dist}/${entry}.${ext}`, 'utf8')
      const { code: min = '' } = await minify(code, {
        module: ext === 'mjs',
        toplevel: true,
        compress: { passes: 2 },
        sourceMap: false,
      })
      const gzip = gzipSync(min, { level: 9 }).length
      rows.push({ label, file, raw: code.length, min: Buffer.byteLength(min), gzip, limit })
    }
  }
  return rows
}

export function formatSizes(rows: SizeRow[]): string {
  const line = (r: SizeRow) =>
    `${r.file.padEnd(18)} ${String(r.min).padStart(7)} B min ${String(r.gzip).padStart(6)} B min+gz ` +
    `(budget ${r.limit}) ${r.gzip <= r.limit ? 'ok' : 'OVER'}  ${r.label}`
  return rows.map(line).join('\n')
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const rows = await measureSizes()
  console.log(formatSizes(rows))
  if (rows.some((r) => r.gzip > r.limit)) process.exitCode = 1
}
