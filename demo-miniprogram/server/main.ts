// The demo server on its own: `npx tsx demo-miniprogram/server/main.ts` (or `npm run demo -- --serve`,
// which builds miniprogram_npm first). Environment: PORT (3000), HOST (127.0.0.1), SERVER_NAME,
// SESSION_IDLE_MS, REDIS_URL, WX_APPID and WX_SECRET (for jscode2session), WX_API_BASE.
import { startDemoServer } from './server.js'

startDemoServer({
  port: Number(process.env.PORT ?? 3000),
  host: process.env.HOST ?? '127.0.0.1',
  name: process.env.SERVER_NAME ?? 'demo',
  log: console.log,
}).then(
  (server) => {
    console.log(`demo server on ${server.url}`)
    const stop = () => void server.close().then(() => process.exit(0))
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  },
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  },
)
