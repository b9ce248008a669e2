import type { SessionOptions } from 'miniprogram-session'

export const bearer: SessionOptions = {
  mode: 'header',
  header: { name: 'Authorization', prefix: 'Bearer ' }, // sends Authorization: Bearer <id>
  login: { url: '/login' },
  // The token in the login body; an answer's `Authorization: Bearer …` is read too (prefix stripped).
  sessionFromBody: (body) => body.token,
}
// init({ ...config, ...bearer })
