import http from 'node:http'
import https from 'node:https'
import net from 'node:net'
import type {Duplex} from 'node:stream'
import tls from 'node:tls'
import {inspect} from 'node:util'

import {type Route, shownProxy} from '../shared/cli-network.js'

/**
 * A failure to reach the Platform API through the CLI's proxy: its message names the proxy (with no
 * credentials), so the one line said for it points at the proxy, not at the API.
 */
export class ApiProxyError extends Error {
  /**
   * It carries no `code`: http-call retries an error with a code up to five times, and a proxy that refused or
   * took the whole wait is said at once.
   */
  constructor(message: string, readonly timedOut = false) {
    super(message)
  }
}

type Callback = (error: Error | null, socket?: Duplex) => void

/**
 * The agent the API client's requests take through the CLI's proxy: a CONNECT tunnel per request, as
 * http-call's tunnel-agent opens, and TLS to the API inside it. Unlike tunnel-agent it bounds the wait
 * for the proxy's answer to CONNECT (`timeoutMs`), and it keeps the proxy's credentials out of
 * HEROKU_DEBUG's dump of the agent (`inspect` shows the proxy without them).
 */
export function tunnelAgent(secure: boolean, route: Route & {proxy: URL}, timeoutMs: number): http.Agent {
  const {proxy} = route
  const shown = shownProxy(route)
  const agent = secure ? new https.Agent() : new http.Agent()
  const connect = (options: {host?: null | string; port?: null | number | string; servername?: string}, callback: Callback): void => {
    const authority = `${options.host}:${options.port}`
    const headers: Record<string, string> = {host: authority}
    if (proxy.username) {
      const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`
      headers['proxy-authorization'] = `Basic ${Buffer.from(credentials).toString('base64')}`
    }

    const request = (proxy.protocol === 'https:' ? https : http).request({
      agent: false, ca: route.ca, headers, host: proxy.hostname, method: 'CONNECT', path: authority, port: proxy.port, timeout: timeoutMs,
    })
    let settled = false
    const settle = (error: Error | null, socket?: Duplex) => {
      if (settled) return
      settled = true
      callback(error, socket)
    }

    request.once('timeout', () => {
      request.destroy()
      settle(new ApiProxyError(`the proxy ${shown} did not answer`, true))
    })
    request.once('error', (error: NodeJS.ErrnoException) => settle(new ApiProxyError(`the proxy ${shown} could not be reached (${error.code ?? error.message})`)))
    request.once('connect', (answer: http.IncomingMessage, socket: Duplex) => {
      request.setTimeout(0)
      if (answer.statusCode !== 200) {
        socket.destroy()
        settle(new ApiProxyError(`the proxy ${shown} refused to connect to ${authority} (HTTP ${answer.statusCode})`))
        return
      }

      const host = options.servername ?? options.host ?? ''
      settle(null, secure ? tls.connect({ca: route.ca, servername: net.isIP(host) ? undefined : host, socket}) : socket)
    })
    request.end()
  }

  Object.assign(agent, {
    createConnection: connect,
    [inspect.custom]: () => `proxy agent (${shown})`,
  })
  return agent
}
