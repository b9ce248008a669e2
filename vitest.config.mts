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
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: ['default', summaryLine],
  },
})
