import type { Hooks } from 'miniprogram-session'

export const logging: Hooks = {
  beforeRequest: (options, context) => console.log(`→ ${context.method} ${options.url} #${context.attempt}`),
  afterResponse: (result, context) => console.log(`← ${result.statusCode} ${context.method}`),
  onError: (error) => console.warn(`✗ ${error.message}`), // the message names the code, method and URL
}
