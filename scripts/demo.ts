// `npm run demo`: builds the SDK (dist/), copies it into the demo mini-program as DevTools'
// "Build npm" does, starts the demo server on 127.0.0.1 and drives the pages headlessly through
// the whole session story. Exits 0 only if every step showed what it should. `npm run demo -- --serve` builds, then only runs the server for WeChat
// DevTools (PORT, default 3000; HOST=0.0.0.0 for a phone on the same network). `--mode=header|url`
// runs the story with another carrier; `--debug` adds the SDK's own log lines.
import { buildMiniprogramNpm } from '../demo-miniprogram/headless/harness.js'
import { runDemoFlow } from '../demo-miniprogram/headless/flow.js'

type Mode = 'cookie' | 'header' | 'url'

async function main(args: string[]): Promise<number> {
  const started = Date.now()
  const file = await buildMiniprogramNpm({ fromDist: true })
  console.log(
    `copied dist/index.js to ${file.slice(process.cwd().length + 1)} (what DevTools' "Build npm" does)`,
  )
  if (args.includes('--serve')) {
    console.log('open demo-miniprogram/ in WeChat DevTools; Ctrl+C stops the server')
    await import('../demo-miniprogram/server/main.js')
    return new Promise<number>(() => {})
  }
  const mode = (args.find((a) => a.startsWith('--mode='))?.slice(7) ?? 'cookie') as Mode
  const { steps } = await runDemoFlow({ mode, debug: args.includes('--debug'), print: console.log })
  console.log(`\ndemo passed: ${steps} steps in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  return 0
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`\ndemo FAILED: ${error instanceof Error ? error.message : String(error)}`)
    // The SDK's own timers would keep Node alive; the verdict is in.
    process.exit(1)
  },
)
