import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import type { Reporter, TestModule } from 'vitest/node'

// Ends the run with the plain closing line CI reads: "N passed, N failed[, N skipped]".
const summaryLine: Reporter = {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>) {
    const counts = { passed: 0, failed: 0, skipped: 0, pending: 0 }
    for (const mod of testModules) for (const test of mod.children.allTests()) counts[test.result().state]++
    const skipped = counts.skipped + counts.pending
    console.log(`\n${counts.passed} passed, ${counts.failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
  },
}

export default defineConfig({
  // The README's samples (examples/) import the package by name, as a user's project does.
  resolve: {
    alias: {
      'miniprogram-session/testing': fileURLToPath(new URL('./src/testing/index.ts', import.meta.url)),
      'miniprogram-session': fileURLToPath(new URL('./src/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: ['default', summaryLine],
  },
})
