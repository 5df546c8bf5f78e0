import {retryAfterMs, retryWhen} from '../shared/cli-network.js'
import {UserError} from '../shared/errors.js'

/**
 * An HTTP failure from the API client: @heroku-cli/command's HerokuAPIError (a JSON error body with a
 * message) or the HTTPError of @heroku/http-call it wraps. Both carry the response as `http`. Matched
 * by shape so this module does not load @heroku-cli/command (see heroku/client.ts).
 */
type Headers = Record<string, string | string[] | undefined>

interface ApiHttpError {
  /** HerokuAPIError's `http` is the HTTPError it wraps, whose own `http` holds the response headers */
  http: {statusCode: number; headers?: Headers; http?: {headers?: Headers}}
  body?: {message?: unknown}
}

/** How long a 429 asks to wait (its Retry-After), or undefined for any other failure. */
export function rateLimitWaitMs(error: unknown): number | undefined {
  if (!isApiHttpError(error) || error.http.statusCode !== 429) return undefined
  const headers = error.http.headers ?? error.http.http?.headers
  return retryAfterMs([headers?.['retry-after']].flat()[0])
}

function isApiHttpError(error: unknown): error is ApiHttpError {
  const http = (error as Partial<ApiHttpError> | undefined)?.http
  return error instanceof Error && typeof http?.statusCode === 'number'
}

/**
 * A Platform API failure with the HTTP status it came with: a caller that goes through many apps tells a refusal
 * of one app (403, 404: a row of its own) from one that ends the run (401, 429).
 */
export class ApiStatusError extends UserError {
  constructor(message: string, readonly status: number) {
    super(message)
  }
}

/**
 * Turns a Platform API failure into a one-line UserError. The API's own message is passed through,
 * since it is written for people ("Couldn't find that app."); the status decides what to add.
 */
export function apiError(error: unknown, what: string): Error {
  if (error instanceof UserError) return error
  if (isApiHttpError(error)) return new ApiStatusError(statusMessage(error, what), error.http.statusCode)

  const text = (error as Error)?.message ?? String(error)
  // @heroku-cli/command throws a plain Error for an invalid HEROKU_API_KEY.
  if (/HEROKU_API_KEY is invalid/.test(text)) return new UserError(text)
  const code = (error as NodeJS.ErrnoException)?.code
  if (code && /^E[A-Z]+$/.test(code)) return new UserError(`Cannot reach the Heroku API for ${what} (${code}).`)
  return error as Error
}

/** The one line said for a failed request: the API's own `message` (written for people), and what the status adds. */
function statusMessage(error: ApiHttpError, what: string): string {
  const message = typeof error.body?.message === 'string' ? error.body.message.trim() : ''
  switch (error.http.statusCode) {
  case 401: {
    return `Not authorized to read ${what}: the Heroku API token is missing or invalid. Run heroku login, or check HEROKU_API_KEY.`
  }

  case 403: {
    return `Access to ${what} was refused${message ? `: ${message}` : '.'}`
  }

  case 404: {
    return message ? `${message.replace(/\.$/, '')} (${what}).` : `Not found: ${what}.`
  }

  case 429: {
    // A short wait was already waited out once (heroku/client.ts): this one is said, not waited for.
    const wait = rateLimitWaitMs(error)
    return `The Heroku API rate limit is exhausted (HTTP 429). ${wait === undefined ? 'Wait a minute and run the command again.' : `Run the command again ${retryWhen(wait)}.`}`
  }

  default: {
    return `The Heroku API answered HTTP ${error.http.statusCode} for ${what}${message ? `: ${message}` : '.'}`
  }
  }
}

/**
 * What an answer must be: `noun` names it in the error ("a release list"), `is` checks its shape. A proxy's
 * login page, an empty body or a changed API would otherwise fail later as `x.find is not a function`.
 */
export interface Expected<T> {
  request: string
  noun: string
  is: (body: unknown) => body is T
}

const isObject = (body: unknown): body is Record<string, unknown> => typeof body === 'object' && body !== null && !Array.isArray(body)

/** An API object (an app, a release, a slug) answered to GET `path`. */
export function anObject<T>(path: string, noun: string): Expected<T> {
  return {is: (body): body is T => isObject(body), noun, request: `GET ${path}`}
}

/** A list of API objects answered to GET `path`. */
export function aList<T>(path: string, noun: string): Expected<T[]> {
  return {is: (body): body is T[] => Array.isArray(body) && body.every(item => isObject(item)), noun, request: `GET ${path}`}
}

/** Awaits an API call, mapping its failure with apiError; with `expected`, an answer of another shape is one too. */
export async function api<T>(call: Promise<{body: T}>, what: string, expected?: Expected<T>): Promise<T> {
  let body: unknown
  try {
    ({body} = await call)
  } catch (error) {
    // @heroku/http-call parses a JSON content type itself: a broken body throws SyntaxError there.
    if (error instanceof SyntaxError) {
      throw new UserError(`The Heroku API answered ${expected?.request ?? `the request for ${what}`} with something that is not JSON.`)
    }

    throw apiError(error, what)
  }

  if (expected && !expected.is(body)) throw new UserError(`The Heroku API answered ${expected.request} with something that is not ${expected.noun}.`)
  return body as T
}
