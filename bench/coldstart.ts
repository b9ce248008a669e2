// Cold start on a restart with a stored session (30 cookies over 3 domains in storage): the time
// from loading the library to the first response, on the in-memory responder. Both libraries are
// loaded fresh from the CommonJS file they ship (ours: dist/index.js, so run the build first;
// weapp-cookie reads its storage while loading), then the first request goes out.
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type * as Sdk from '../src/index.js'
import type { BenchRow } from './index.js'
import { call, median, memoryWx, seedUrls, TARGET, withGlobalWx } from './request.js'

const localRequire = createRequire(join(process.cwd(), 'package.json'))
const DIST = join(process.cwd(), 'dist/index.js')

/**
 * Evaluates a CommonJS file afresh, as a launch does. Not through require(): under tsx every
 * required file is transformed again, which would dwarf what is measured.
 */
function loader(file: string): () => unknown {
  const source = readFileSync(file, 'utf8')
  return () => {
    const module = { exports: {} }
    new Function('exports', 'require', 'module', '__filename', '__dirname', source)(
      module.exports,
      localRequire,
      module,
      file,
      dirname(file),
    )
    return module.exports
  }
}

const cookiesSent = (header: string): number => (header ? header.split('; ').length : 0)

export async function benchColdstart({ runs = 300 } = {}): Promise<BenchRow[]> {
  if (!existsSync(DIST)) throw new Error('dist/index.js is missing: run `npm run build` first')
  const loadOurs = loader(DIST)
  const loadSdk = () => loadOurs() as typeof Sdk
  const loadTheirs = loader(localRequire.resolve('weapp-cookie'))
  const loadWeappCookie = (wx: object) => withGlobalWx(wx, loadTheirs)
  const options = { refreshInterval: false as const }

  // A previous launch that collected the cookies and saved them.
  const ourDisk = new Map<string, string>()
  const seeder = loadSdk().createClient({ platform: memoryWx(ourDisk), ...options })
  for (const url of seedUrls) await seeder.request({ url })
  seeder.dispose()
  const theirDisk = new Map<string, string>()
  const seedWx = memoryWx(theirDisk)
  loadWeappCookie(seedWx)
  for (const url of seedUrls) await call(seedWx.request, url)

  const times = {
    bare: [] as number[],
    ours: [] as number[],
    oursLoaded: [] as number[],
    theirs: [] as number[],
  }
  const sent = { ours: 0, theirs: 0 }
  for (let i = 0; i < runs; i++) {
    const bareWx = memoryWx()
    let t = process.hrtime.bigint()
    await call(bareWx.request, TARGET)
    times.bare.push(elapsed(t))

    const ourWx = memoryWx(new Map(ourDisk))
    t = process.hrtime.bigint()
    const client = loadSdk().createClient({ platform: ourWx, ...options })
    await client.request({ url: TARGET })
    times.ours.push(elapsed(t))
    client.dispose()
    sent.ours = cookiesSent(ourWx.lastCookie)

    // The same without loading the module: createClient (reads storage) → first response.
    const { createClient } = loadSdk()
    const loadedWx = memoryWx(new Map(ourDisk))
    t = process.hrtime.bigint()
    const again = createClient({ platform: loadedWx, ...options })
    await again.request({ url: TARGET })
    times.oursLoaded.push(elapsed(t))
    again.dispose()

    const theirWx = memoryWx(new Map(theirDisk))
    t = process.hrtime.bigint()
    loadWeappCookie(theirWx)
    await call(theirWx.request, TARGET)
    times.theirs.push(elapsed(t))
    sent.theirs = cookiesSent(theirWx.lastCookie)
  }
  // The figure only counts if the restored jars really sent the stored cookies.
  if (sent.ours === 0 || sent.ours !== sent.theirs) {
    throw new Error(
      `cold start: cookies sent on the first request differ: ours ${sent.ours}, weapp-cookie ${sent.theirs}`,
    )
  }
  const us = (v: number[]) => Math.round(median(v) * 10) / 10
  return [
    {
      name: `cold start: load library + first response, stored session (${sent.ours} cookies sent)`,
      ops: us(times.ours),
      unit: 'µs',
      vs: { 'weapp-cookie': us(times.theirs) },
    },
    {
      name: 'cold start: createClient → first response (module loaded)',
      ops: us(times.oursLoaded),
      unit: 'µs',
    },
    { name: 'cold start: bare first wx.request (baseline)', ops: us(times.bare), unit: 'µs' },
  ]
}

const elapsed = (t: bigint): number => Number(process.hrtime.bigint() - t) / 1000
