import { copyFileSync, rmSync } from 'node:fs'
import { resolve } from 'node:path'
import typescript from '@rollup/plugin-typescript'
import ts from 'typescript'
import { CompilerState, Extractor, ExtractorConfig } from '@microsoft/api-extractor'

// Three entries: the SDK, the jar on its own (`miniprogram-session/cookie`) and the Node-only
// `miniprogram-session/testing`. `main` is CommonJS because WeChat DevTools' "build npm" reads
// `main` only and ignores `exports` (STYLE.md, guidance 14).
const entries = [
  { input: 'src/index.ts', name: 'index', tsconfig: './tsconfig.json', report: 'miniprogram-session' },
  { input: 'src/cookie/index.ts', name: 'cookie', tsconfig: './tsconfig.json', report: 'cookie' },
  { input: 'src/testing/index.ts', name: 'testing', tsconfig: './tsconfig.node.json', report: 'testing' },
]

// `rollup -c --environment API_UPDATE` (npm run api) accepts the new API reports into etc/;
// a plain build only writes them to build/api/, where test/package compares them with etc/.
const acceptApi = Boolean(process.env.API_UPDATE)

rmSync('dist', { recursive: true, force: true })

export default entries.map(({ input, name, tsconfig }, i) => ({
  input,
  output: [
    { file: `dist/${name}.js`, format: 'cjs', sourcemap: true, exports: 'named' },
    { file: `dist/${name}.mjs`, format: 'es', sourcemap: true },
  ],
  external: name === 'testing' ? (id) => id.startsWith('node:') : [],
  // What ships to phones must resolve everything from src/: an unresolved import (a `node:`
  // module, a package) fails the build instead of becoming a silent external.
  onwarn(warning, warn) {
    if (warning.code === 'UNRESOLVED_IMPORT') throw new Error(`${name}: ${warning.message}`)
    warn(warning)
  },
  plugins: [
    typescript({
      tsconfig,
      noEmit: false,
      declaration: false,
      noCheck: true, // `npm run typecheck` checks; the build only strips types
      module: 'ESNext',
      moduleResolution: 'Bundler',
      include: ['src/**/*.ts'],
      exclude: name === 'testing' ? [] : ['src/testing/**'],
    }),
    i === entries.length - 1 && declarations(),
  ],
}))

/** After the last bundle: emit .d.ts with tsc, then roll each entry up with api-extractor. */
function declarations() {
  return {
    name: 'declarations',
    closeBundle: emitDeclarations,
  }
}

function emitDeclarations() {
  rmSync('build', { recursive: true, force: true })
  // The SDK's types come from the mini-program tsconfig (no @types/node); testing's from the node one.
  tsc('tsconfig.node.json', ['src/testing/index.ts'])
  tsc(
    'tsconfig.json',
    entries.filter((e) => e.name !== 'testing').map((e) => e.input),
  )
  const base = ExtractorConfig.loadFile(resolve('api-extractor.json'))
  const configs = entries.map(({ name, report }) =>
    ExtractorConfig.prepare({
      configObject: {
        ...base,
        mainEntryPointFilePath: resolve(`build/dts/${name === 'index' ? 'index' : `${name}/index`}.d.ts`),
        apiReport: { ...base.apiReport, reportFileName: report },
        dtsRollup: { ...base.dtsRollup, untrimmedFilePath: resolve(`dist/${name}.d.ts`) },
      },
      configObjectFullPath: resolve('api-extractor.json'),
      packageJsonFullPath: resolve('package.json'),
    }),
  )
  // One TypeScript program serves the three analyses.
  const compilerState = CompilerState.create(configs[0], {
    additionalEntryPoints: configs.map((c) => c.mainEntryPointFilePath),
  })
  const drifted = []
  for (const [i, { name, report }] of entries.entries()) {
    const result = Extractor.invoke(configs[i], {
      localBuild: acceptApi,
      compilerState,
      messageCallback: quietDrift,
    })
    if (result.errorCount > 0) throw new Error(`api-extractor failed for ${name}`)
    if (result.apiReportChanged) drifted.push(report)
    // `import` needs its own ESM-flavoured declaration file in a package without "type": "module".
    copyFileSync(`dist/${name}.d.ts`, `dist/${name}.d.mts`)
  }
  if (drifted.length && !acceptApi) {
    console.warn(`API changed (${drifted.join(', ')}): review, then \`npm run api\` to accept into etc/`)
  }
}

// api-extractor's version preamble is noise, and its drift warning speaks of "a local build";
// ours, printed above, names the script.
const quiet = new Set(['console-preamble', 'console-api-report-not-copied'])
function quietDrift(message) {
  if (quiet.has(message.messageId)) message.handled = true
}

function tsc(tsconfig, rootNames) {
  const { config } = ts.readConfigFile(tsconfig, ts.sys.readFile)
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, resolve('.'))
  const program = ts.createProgram(rootNames, {
    ...options,
    noEmit: false,
    declaration: true,
    emitDeclarationOnly: true,
    noCheck: true,
    rootDir: resolve('src'),
    outDir: resolve('build/dts'),
  })
  const { diagnostics } = program.emit()
  if (diagnostics.length) {
    throw new Error(
      ts.formatDiagnostics(diagnostics, {
        getCanonicalFileName: (f) => f,
        getCurrentDirectory: () => '.',
        getNewLine: () => '\n',
      }),
    )
  }
}
