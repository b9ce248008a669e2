/**
 * Gate for tests that need something npm does not install (PHP, Redis, the ../shared data).
 * Present → true. Missing → prints one line and returns false, so a newcomer's `npm test` stays
 * green; under CI=true (where .ci/run must have installed it) a missing tool fails the run.
 *
 *   describe.runIf(requires('php', hasPhp, 'apt-get install php-cli'))('PHP sessions', () => …)
 */
export function requires(what: string, present: boolean, howToGet: string): boolean {
  if (present) return true
  if (process.env.CI === 'true') {
    throw new Error(`${what} is missing under CI=true; .ci/run must provide it (${howToGet})`)
  }
  console.log(`[not run] ${what} is missing (${howToGet}); the tests that need it did not run`)
  return false
}
