import typescript from '@rollup/plugin-typescript'

// Two entries: the SDK (mini-program code, no Node APIs) and `miniprogram-session/testing`
// (Node only). `main` is CommonJS because WeChat DevTools' "build npm" reads `main` only.
const entries = [
  { input: 'src/index.ts', name: 'index', tsconfig: './tsconfig.json' },
  { input: 'src/testing/index.ts', name: 'testing', tsconfig: './tsconfig.node.json' },
]

export default entries.map(({ input, name, tsconfig }) => ({
  input,
  output: [
    { file: `dist/${name}.js`, format: 'cjs', sourcemap: true, exports: 'named' },
    { file: `dist/${name}.mjs`, format: 'es', sourcemap: true },
  ],
  external: (id) => id.startsWith('node:'),
  plugins: [
    typescript({
      tsconfig,
      noEmit: false,
      declaration: false,
      module: 'ESNext',
      moduleResolution: 'Bundler',
      include: ['src/**/*.ts'],
      exclude: name === 'index' ? ['src/testing/**'] : [],
    }),
  ],
}))
