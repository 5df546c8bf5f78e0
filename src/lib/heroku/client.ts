import type {APIClient} from '@heroku-cli/command'
import type {Config} from '@oclif/core'

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

  constructor(private readonly config: Config) {}

  async get<T>(url: string, options?: APIClient.Options): Promise<ApiResponse<T>> {
    return withRateLimit(async () => (await this.load()).get<T>(url, options))
  }

  async patch<T>(url: string, options?: APIClient.Options): Promise<ApiResponse<T>> {
    return withRateLimit(async () => (await this.load()).patch<T>(url, options))
  }

  private load(): Promise<APIClient> {
    this.client ??= import('@heroku-cli/command').then(({APIClient}) => new APIClient(this.config, {
      // The same switches @heroku-cli/command's own Command reads.
      debug: isOn(process.env.HEROKU_DEBUG),
      debugHeaders: isOn(process.env.HEROKU_DEBUG_HEADERS),
    }))
    return this.client
  }
}

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
