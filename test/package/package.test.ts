// The package as users install it: build once, then check what `npm pack` would ship (publint,
// attw), the API reports, the size budget, and that both formats load in plain Node through the
// `exports` map (STYLE.md guidance 14).
import { execFile } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { publint } from 'publint'
import { formatMessage } from 'publint/utils'
import { beforeAll, describe, expect, it } from 'vitest'
import { formatSizes, measureSizes } from '../../scripts/size.mjs'

const run = promisify(execFile)
const root = new URL('../../', import.meta.url).pathname
const at = (path: string) => `${root}${path}`
const pkg = JSON.parse(readFileSync(at('package.json'), 'utf8'))
const sdkFiles = ['index.js', 'index.mjs', 'cookie.js', 'cookie.mjs']

beforeAll(async () => {
  await run(process.execPath, [at('node_modules/rollup/dist/bin/rollup'), '-c'], { cwd: root })
}, 120_000)

describe('package shape', () => {
  it('every path package.json names is built', () => {
    const paths: string[] = []
    const collect = (v: unknown): void => {
      if (typeof v === 'string') paths.push(v)
      else if (v && typeof v === 'object') Object.values(v).forEach(collect)
    }
    collect([pkg.main, pkg.module, pkg.types, pkg.exports, pkg.typesVersions])
    expect(paths.length).toBeGreaterThan(15)
    expect(paths.filter((p) => !existsSync(at(p)))).toEqual([])
    // DevTools' build-npm reads `main` as CommonJS: a "type": "module" package would break it.
    expect(pkg.type).not.toBe('module')
    expect(pkg.files).toEqual(['dist'])
  })

  it('npm pack ships dist/, README, LICENSE and package.json, nothing else', async () => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root })
    const files: string[] = JSON.parse(stdout)[0].files.map((f: { path: string }) => f.path)
    expect(files.filter((f) => !/^(dist\/[^/]+|README\.md|LICENSE|package\.json)$/.test(f))).toEqual([])
    for (const entry of ['index', 'cookie', 'testing']) expect(files).toContain(`dist/${entry}.js`)
  })

  it('publint reports nothing, suggestions included', async () => {
    const { messages } = await publint({ pkgDir: root, level: 'suggestion', strict: true })
    expect(messages.map((m) => formatMessage(m, pkg))).toEqual([])
  })

  it('attw --pack is green for every entry under node10, node16 (CJS and ESM) and bundler', async () => {
    const out = await run(
      process.execPath,
      [at('node_modules/@arethetypeswrong/cli/dist/index.js'), '--pack', '.', '--format', 'json'],
      {
        cwd: root,
        maxBuffer: 64 * 1024 * 1024,
      },
    ).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }))
    const { analysis } = JSON.parse(out.stdout)
    expect(Object.keys(analysis.entrypoints).sort()).toEqual(['.', './cookie', './package.json', './testing'])
    expect(analysis.problems).toEqual([])
  })

  it('the public API matches the reviewed reports in etc/ (accept a change with `npm run api`)', () => {
    const reports = readdirSync(at('build/api'))
    expect(reports.sort()).toEqual(['cookie.api.md', 'miniprogram-session.api.md', 'testing.api.md'])
    const drifted = reports.filter(
      (name) =>
        !existsSync(at(`etc/${name}`)) ||
        readFileSync(at(`etc/${name}`), 'utf8') !== readFileSync(at(`build/api/${name}`), 'utf8'),
    )
    // The new reports are in build/api/; `npm run api` copies them to etc/, then review `git diff etc/`.
    expect(drifted).toEqual([])
  })
})

describe('what ships to phones', () => {
  it('stays within the size budget (minified with terser, gzip -9)', async () => {
    const rows = await measureSizes(at('dist'))
    console.log(formatSizes(rows))
    const budgeted = rows.filter((r) => r.limit !== undefined)
    expect(budgeted.length).toBe(6)
    for (const r of budgeted) expect(r.gzip, `${r.label} (${r.format})`).toBeLessThanOrEqual(r.limit!)
    // The README's size table says what is measured (the es build; cjs differs by a few bytes).
    const readme = readFileSync(at('README.md'), 'utf8')
    for (const r of rows.filter((row) => row.format === 'es')) {
      const figure = `${r.gzip.toLocaleString('en-US')} B`
      expect(readme.split(`| ${figure} |`).length - 1, `README's size table: ${r.label} is ${figure}`).toBe(2)
    }
  })

  it('imports nothing: no node: module, no package, nothing from src/testing', () => {
    for (const file of sdkFiles) {
      const code = readFileSync(at(`dist/${file}`), 'utf8')
      expect(code, file).not.toMatch(/\brequire\s*\(|^\s*import\b|\bimport\s*\(/m)
      const { sources } = JSON.parse(readFileSync(at(`dist/${file}.map`), 'utf8')) as { sources: string[] }
      expect(sources.length, file).toBeGreaterThan(0)
      expect(
        sources.filter((s) => !/^\.\.\/src\//.test(s) || s.includes('/testing/')),
        file,
      ).toEqual([])
    }
  })
})

describe('import smoke test of the built files, through the exports map', () => {
  // A child `node` process, not vitest's resolver: this is what a user's Node or bundler sees.
  const probe = `
    const subpaths = ['miniprogram-session', 'miniprogram-session/cookie', 'miniprogram-session/testing']
    ;(async () => {
      const out = {}
      for (const s of subpaths) {
        out[s] = { cjs: Object.keys(require(s)).sort(), esm: Object.keys(await import(s)).sort() }
      }
      const { CookieJar } = require('miniprogram-session/cookie')
      const jar = new CookieJar()
      jar.setCookie('sid=abc; Path=/; HttpOnly', 'https://api.example.com/login')
      const esm = await import('miniprogram-session/cookie')
      const jar2 = esm.CookieJar.fromJSON(JSON.parse(JSON.stringify(jar)))
      out.header = [jar.getCookieHeader('https://api.example.com/x'), jar2.getCookieHeader('https://api.example.com/x')]
      console.log(JSON.stringify(out))
    })().catch((e) => { console.error(e); process.exit(1) })
  `
  let result: Record<string, { cjs: string[]; esm: string[] }> & { header: string[] }

  beforeAll(async () => {
    const { stdout } = await run(process.execPath, ['-e', probe], { cwd: root })
    result = JSON.parse(stdout)
  })

  it.each([
    ['miniprogram-session', ['SessionError', 'isSessionError']],
    ['miniprogram-session/cookie', ['CookieJar', 'parseSetCookie', 'splitSetCookie', 'setCookieLines']],
    ['miniprogram-session/testing', ['createRuntime']],
  ])('%s: CommonJS and ESM export the same names', (subpath, expected) => {
    const { cjs, esm } = result[subpath]!
    expect(cjs).toEqual(esm)
    expect(cjs).toEqual(expect.arrayContaining(expected))
  })

  it('the CommonJS jar and the ESM jar work and read each other’s JSON', () => {
    expect(result.header).toEqual(['sid=abc', 'sid=abc'])
  })
})

describe('two copies of the SDK in one process (ESM and CommonJS) share one default client', () => {
  // dist/index.js and dist/index.mjs are two copies, as page code compiled to CommonJS next to ESM
  // tests loads them. The server answers with the path it saw, so each call shows which client sent it.
  const probe = `
    const http = require('node:http')
    const cjs = require('miniprogram-session')
    const { createRuntime } = require('miniprogram-session/testing')
    const server = http.createServer((req, res) => res.end(req.url)).listen(0, '127.0.0.1', async () => {
      const base = 'http://127.0.0.1:' + server.address().port
      const esm = await import('miniprogram-session')
      const out = { twoCopies: cjs.init !== esm.init && cjs.SessionError !== esm.SessionError }
      const codeOf = (fn) => { try { fn(); return 'no error' } catch (e) { return e.code } }
      out.beforeInit = [codeOf(() => cjs.getSession()), codeOf(() => esm.getSession())]
      out.rejected = await cjs.request({ url: '/x' }).then(() => 'resolved', (e) => e.code)
      const rt = createRuntime()
      const one = esm.init({ platform: rt.wx, baseURL: base + '/one' })
      out.sameState = JSON.stringify(cjs.getSession()) === JSON.stringify(one.getSession())
      out.cjsThroughEsmInit = (await cjs.request({ url: '/x' })).data
      cjs.init({ platform: rt.wx, baseURL: base + '/two' })
      out.esmThroughCjsInit = (await esm.request({ url: '/x' })).data
      out.firstDisposed = await one.request({ url: '/y' }).then((r) => r.data, (e) => e.code)
      console.log(JSON.stringify(out))
      server.close()
      process.exit(0)
    })
  `

  it('init() in one copy is the client of the other; the earlier client is disposed, not lost', async () => {
    const { stdout } = await run(process.execPath, ['-e', probe], { cwd: root })
    expect(JSON.parse(stdout)).toEqual({
      twoCopies: true,
      beforeInit: ['NOT_INITIALIZED', 'NOT_INITIALIZED'],
      rejected: 'NOT_INITIALIZED',
      sameState: true,
      cjsThroughEsmInit: '/one/x',
      esmThroughCjsInit: '/two/x',
      // dispose() stops the timers and listeners; a call made on the old client itself still works.
      firstDisposed: '/one/y',
    })
  })
})
