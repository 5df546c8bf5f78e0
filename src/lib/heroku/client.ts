import type {APIClient} from '@heroku-cli/command'
import type {Config} from '@oclif/core'

import type {Agent} from 'node:http'

import {routeFor, shownProxy} from '../shared/cli-network.js'
import {UserError} from '../shared/errors.js'
import {ApiProxyError, tunnelAgent} from './api-agent.js'
import {rateLimitWaitMs} from './errors.js'

/**
 * What this plugin asks of the Platform API. @heroku-cli/command's APIClient is the implementation;
 * library functions take this narrower type so they can be handed the lazy client below.
 */
export interface HerokuApi {
  get<T>(url: string, options?: APIClient.Options): Promise<ApiResponse<T>>
  patch<T>(url: string, options?: APIClient.Options): Promise<ApiResponse<T>>
}

/** An answer: its body, and its headers for the calls that page through a list (`Next-Range`). */
export interface ApiResponse<T> {
  body: T
  headers?: Record<string, string | string[] | undefined>
}

/**
 * The Platform API client of @heroku-cli/command, imported on the first request. Importing that
 * package loads its credential manager and Sentry telemetry: ~50 MB of memory and ~0.4 s before
 * anything runs. A command reading a local slug, log or repository never makes a request, so it
 * never pays for them.
 */
export class LazyHerokuApi implements HerokuApi {
  private client?: Promise<APIClient>

  /** `timeoutMs`: how long a request may wait for the connection, the proxy and the first byte of the answer */
  constructor(private readonly config: Config, private readonly timeoutMs = API_TIMEOUT_MS) {}

  async get<T>(url: string, options?: APIClient.Options): Promise<ApiResponse<T>> {
    return this.send(client => client.get<T>(url, this.bounded(options)))
  }

  async patch<T>(url: string, options?: APIClient.Options): Promise<ApiResponse<T>> {
    return this.send(client => client.patch<T>(url, this.bounded(options)))
  }

  /** The request's options with the timeout and, through a proxy, the plugin's tunnel agent. */
  private bounded(options: APIClient.Options | undefined): APIClient.Options {
    return {...options, timeout: this.timeoutMs, ...(this.agent ? {agent: this.agent} : {})}
  }

  private agent?: Agent
  private proxy = ''

  private load(): Promise<APIClient> {
    this.client ??= import('@heroku-cli/command').then(({APIClient, vars}) => {
      // The proxy http-call would take (routeFor decides as it does), taken by an agent that bounds the wait for it.
      const apiUrl = new URL(vars.apiUrl)
      const route = routeFor(apiUrl)
      if (route.proxy) {
        this.agent = tunnelAgent(apiUrl.protocol === 'https:', {...route, proxy: route.proxy}, this.timeoutMs)
        this.proxy = shownProxy(route)
      }

      return new APIClient(this.config, {
        // The same switches @heroku-cli/command's own Command reads.
        debug: isOn(process.env.HEROKU_DEBUG),
        debugHeaders: isOn(process.env.HEROKU_DEBUG_HEADERS),
      })
    })
    return this.client
  }

  private async send<T>(request: (client: APIClient) => Promise<T>): Promise<T> {
    const client = await this.load()
    try {
      return await withRateLimit(() => request(client))
    } catch (error) {
      throw this.unreachable(error) ?? error
    }
  }

  /** A request that never reached the API, or got no answer in time, as one line naming the proxy it went through. */
  private unreachable(error: unknown): undefined | UserError {
    const through = this.proxy ? ` through the proxy ${this.proxy}` : ''
    // http-call's own error for its `timeout` option is a plain Error without a code.
    if ((error instanceof ApiProxyError && error.timedOut) || (error as Error)?.message === 'Request timed out') {
      return new UserError(`The Heroku API did not answer within ${Math.round(this.timeoutMs / 1000)} s${through}.`)
    }

    if (error instanceof ApiProxyError) return new UserError(`Cannot reach the Heroku API: ${error.message}.`)
    return undefined
  }
}

/** How long an API request waits to connect and for its answer to start: the Heroku router ends any request at 30 s. */
export const API_TIMEOUT_MS = 35_000

/** The longest Retry-After a 429 is waited out for, once; a longer one is said (heroku/errors.ts), not waited for. */
const MAX_RATE_LIMIT_WAIT_MS = 10_000

/**
 * A request, sent again once after a short Retry-After when the API answers 429 (the request was not carried
 * out, so a PATCH too). @heroku-cli/command's client does not retry; this is the one place requests are issued.
 */
async function withRateLimit<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await request()
  } catch (error) {
    const wait = rateLimitWaitMs(error)
    if (wait === undefined || wait > MAX_RATE_LIMIT_WAIT_MS) throw error
    await new Promise(resolve => {
      setTimeout(resolve, wait)
    })
    return request()
  }
}

function isOn(value: string | undefined): boolean {
  return value === '1' || value?.toUpperCase() === 'TRUE'
}
