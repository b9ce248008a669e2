// What each platform build costs a user's bundle: `npx tsx test/platforms/size.mts`. Bundles a
// one-line entry with rollup (tree-shaken, like the user's bundler), then terser + gzip -9, as
// scripts/size.mts does for the shipped files.
import typescript from '@rollup/plugin-typescript'
import { rollup } from 'rollup'
import { minify } from 'terser'
import { gzipSync } from 'node:zlib'

const index = new URL('../../src/index.ts', import.meta.url).pathname
const builds = {
  'wx/qq/tt/swan (init, request, login, logout, createClient)': 'init, request, login, logout, createClient',
  'the same plus alipay': 'init, request, login, logout, createClient, alipay',
}

async function size(names: string): Promise<{ min: number; gzip: number }> {
  const entry = '\0entry'
  const bundle = await rollup({
    input: entry,
    onwarn() {},
    plugins: [
      {
        name: 'entry',
        resolveId: (id) => (id === entry ? id : null),
        load: (id) => (id === entry ? `export { ${names} } from ${JSON.stringify(index)}` : null),
      },
      typescript({
        tsconfig: './tsconfig.json',
        noEmit: false,
        declaration: false,
        noCheck: true,
        module: 'ESNext',
        moduleResolution: 'Bundler',
        include: ['src/**/*.ts'],
        exclude: ['src/testing/**'],
      }),
    ],
  })
  const { output } = await bundle.generate({ format: 'es' })
  const { code = '' } = await minify(output[0].code, {
    module: true,
    toplevel: true,
    compress: { passes: 2 },
  })
  return { min: Buffer.byteLength(code), gzip: gzipSync(code, { level: 9 }).length }
}

for (const [label, names] of Object.entries(builds)) {
  const { min, gzip } = await size(names)
  console.log(`${String(min).padStart(7)} B min ${String(gzip).padStart(6)} B min+gz  ${label}`)
}
