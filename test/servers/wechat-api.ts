// The companion code2Session as HTTP, for servers that call WeChat like api.weixin.qq.com does
// (PLATFORM.md section 4): GET /sns/jscode2session?appid=&secret=&js_code=&grant_type=authorization_code.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export async function startWeChatApi(
  code2Session: (code: string) => unknown,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const code = url.searchParams.get('js_code')
    const body =
      url.pathname !== '/sns/jscode2session'
        ? { errcode: 404, errmsg: 'not found' }
        : code
          ? code2Session(code)
          : { errcode: 41008, errmsg: 'missing code' }
    // WeChat answers 200 with the error in the body, even for errors.
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
