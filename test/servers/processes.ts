// Child servers that run in a process group of their own (php -S workers, Django's runserver):
// each is killed as a group, once, and any still running when the test process exits.
const running = new Set<number>()

/** Remembers a detached child's group for killGroup and for the exit hook. */
export function trackGroup(pid: number): void {
  running.add(pid)
}

export function killGroup(pid: number): void {
  if (!running.delete(pid)) return // never signal a group twice: its id may have been reused
  try {
    process.kill(-pid, 'SIGKILL')
  } catch {
    // already gone
  }
}

process.once('exit', () => running.forEach(killGroup))
