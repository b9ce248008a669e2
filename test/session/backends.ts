// The backends × modes the session-life tests run on: express-session in-process and PHP's own
// session_start() behind php -S (gated on php-cli), each in cookie, header and URL mode.
import type { SessionOptions } from '../../src/options.js'
import type { Profile } from '../../src/testing/index.js'
import { requires } from '../helpers/requires.js'
import { hasPhp } from '../servers/php.js'
import { expressEnv, phpEnv } from './env.js'
import type { Env } from './env.js'

export type Mode = 'cookie' | 'header' | 'url'

export interface Backend {
  name: 'express' | 'php'
  mode: Mode
  /** Starts the server with an idle timeout (ms of the fake clock) and a runtime. */
  start(idleTimeoutMs: number, profile?: Partial<Profile>): Promise<Env>
  /** The client options that select this mode on this server. */
  options: SessionOptions
}

const expressModes: Record<Mode, SessionOptions> = {
  cookie: {},
  header: { mode: 'header' },
  url: { mode: 'url' }, // servlet style ;jsessionid=, mapped onto express-session by the test server
}
const phpModes: Record<Mode, SessionOptions> = {
  cookie: {},
  header: { mode: 'header', header: { name: 'session_id' } },
  url: { mode: 'url', url: { style: 'query' } }, // ?PHPSESSID=
}

const php = hasPhp()
const phpWanted = requires('php', php, 'apt-get install php-cli')

export const backends: Backend[] = [
  ...(['cookie', 'header', 'url'] as const).map((mode): Backend => ({
    name: 'express',
    mode,
    start: (idleTimeoutMs, profile) => expressEnv({ idleTimeoutMs }, profile),
    options: expressModes[mode],
  })),
  ...(phpWanted ? (['cookie', 'header', 'url'] as const) : []).map((mode): Backend => ({
    name: 'php',
    mode,
    start: (idleTimeoutMs, profile) => phpEnv(profile, idleTimeoutMs),
    options: phpModes[mode],
  })),
]

/** `[label, backend]` rows for describe.each. */
export const backendRows = backends.map((b) => [`${b.name} ${b.mode}`, b] as const)
