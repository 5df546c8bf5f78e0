import type {HerokuApi} from './client.js'
import type * as Heroku from '@heroku-cli/schema'
import {formatBytes} from '../shared/bytes.js'
import {describeNetworkError, IDLE_TIMEOUT_MS, isCertificateError, redirectTarget, retryAfterMs, retryWhen, routeFor, shownProxy, undiciDispatcher} from '../shared/cli-network.js'
import {UserError} from '../shared/errors.js'
import {api} from './errors.js'

/** How many builds are listed to find the newest (the API caps a page at 1000; a few are plenty). */
const BUILD_WINDOW = 20
/** A build log is text; anything this large is not one worth holding in memory. */
export const MAX_BUILD_LOG_BYTES = 50 * 1000 * 1000

const UUID = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i

/** Newest builds first, at most `max` of them. */
export async function listBuilds(heroku: HerokuApi, app: string, max = BUILD_WINDOW): Promise<Heroku.Build[]> {
  return api(
    heroku.get<Heroku.Build[]>(`/apps/${encodeURIComponent(app)}/builds`, {
      headers: {Range: `created_at ..; order=desc, max=${max}`},
      partial: true,
    }),
    `the builds of ${app}`,
  )
}

export async function getBuild(heroku: HerokuApi, app: string, id: string): Promise<Heroku.Build> {
  return api(heroku.get<Heroku.Build>(`/apps/${encodeURIComponent(app)}/builds/${encodeURIComponent(id)}`), `build ${id} of ${app}`)
}

export function buildTime(build: Heroku.Build): number {
  return Date.parse(build.created_at)
}

/** The newest build by creation time (the API's order is not relied on). */
export function latestBuild(builds: Heroku.Build[]): Heroku.Build | undefined {
  let newest: Heroku.Build | undefined
  for (const build of builds) {
    if (!newest || buildTime(build) > buildTime(newest)) newest = build
  }

  return newest
}

/** `--build latest` or `--build <id>`: the build whose log to read. Refuses a build that is still running. */
export async function resolveBuild(heroku: HerokuApi, app: string, choice: string): Promise<Heroku.Build> {
  let build: Heroku.Build | undefined
  if (choice === 'latest') {
    build = latestBuild(await listBuilds(heroku, app))
    if (!build) throw new UserError(`${app} has no builds yet: push to it first, or inspect the repo with slug:inspect --dir.`)
  } else if (UUID.test(choice)) {
    build = await getBuild(heroku, app, choice)
  } else {
    throw new UserError(`--build takes a build id (a UUID, as listed by heroku builds --app ${app}) or "latest", not "${choice}".`)
  }

  if (build.status === 'pending') {
    throw new UserError(`Build ${build.id} of ${app} is still running: run the command again when it has finished.`)
  }

  if (!build.output_stream_url) throw new UserError(`Build ${build.id} of ${app} has no output log.`)
  return build
}

function expiredLog(status: number): UserError {
  const advice = 'Push again, or save the output of git push and pass it with --log FILE.'
  return new UserError(`The build log has expired or is gone (HTTP ${status}): Heroku keeps build output for a limited time. ${advice}`)
}

export interface FetchLogOptions {
  maxBytes?: number
  /** a connection silent this long (connecting, before the answer, or in the body) has stalled */
  idleTimeoutMs?: number
  /** the first wait before retrying a 5xx, in ms (doubles; 3 retries) */
  retryDelayMs?: number
  /** the longest Retry-After of a 429 that is waited for (once); a longer one is reported */
  maxRetryAfterMs?: number
  /** CA certificates to trust instead of node's bundled ones (tests) */
  ca?: Buffer | string
  /** where the proxy and CA settings are read (default: process.env) */
  env?: NodeJS.ProcessEnv
}

const LOG_RETRIES = 3
const LOG_DEFAULTS = {idleTimeoutMs: IDLE_TIMEOUT_MS, maxRetryAfterMs: 10_000, retryDelayMs: 500}

/**
 * The whole text of a build's output. `output_stream_url` is a signed URL that carries its own
 * authorization: no Heroku token is ever sent to it. A log is small, so it is fetched with undici
 * (node's own HTTP stack), by the same route as slug blobs: the CLI's proxy and CAs
 * (shared/cli-network.ts). The same answers are handled as for blobs: one redirect to https, 5xx
 * retried with backoff, a short 429 waited out once, a silent connection given up after the idle timeout.
 */
export async function fetchBuildOutput(url: string, options: FetchLogOptions = {}): Promise<string> {
  const settings = {
    idleTimeoutMs: options.idleTimeoutMs ?? LOG_DEFAULTS.idleTimeoutMs,
    maxRetryAfterMs: options.maxRetryAfterMs ?? LOG_DEFAULTS.maxRetryAfterMs,
    retryDelayMs: options.retryDelayMs ?? LOG_DEFAULTS.retryDelayMs,
  }
  const maxBytes = options.maxBytes ?? MAX_BUILD_LOG_BYTES
  const {request} = await import('undici')
  const attempt: LogAttempt = {redirected: false, retries: 0, target: url, waitedRetryAfter: false}
  for (; ; attempt.retries++) {
    const dispatcher = await undiciDispatcher(new URL(attempt.target), {ca: options.ca, connectTimeoutMs: settings.idleTimeoutMs, env: options.env})
    const received = {bytes: 0}
    try {
      const {body, headers, statusCode} = await request(attempt.target, {
        bodyTimeout: settings.idleTimeoutMs,
        dispatcher,
        headers: {accept: 'text/plain'},
        headersTimeout: settings.idleTimeoutMs,
      })
      if (statusCode === 200) return await readLog(body, maxBytes, received)
      await body.dump()
      await nextAttempt(attempt, statusCode, name => [headers[name]].flat()[0], settings)
    } catch (error) {
      throw logError(error, attempt.target, received.bytes, {env: options.env, idleMs: settings.idleTimeoutMs})
    } finally {
      await dispatcher.destroy()
    }
  }
}

/** Where the log is fetched from, and what the earlier answers already used up. */
interface LogAttempt {
  redirected: boolean
  retries: number
  target: string
  waitedRetryAfter: boolean
}

async function readLog(body: AsyncIterable<unknown>, maxBytes: number, received: {bytes: number}): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of body) {
    received.bytes += (chunk as Buffer).length
    if (received.bytes > maxBytes) throw new UserError(`The build log is larger than ${formatBytes(maxBytes)}: that is not a log slug:inspect can read.`)
    chunks.push(chunk as Buffer)
  }

  return Buffer.concat(chunks).toString('utf8')
}

/** An answer other than 200: follow one redirect, wait out one short 429, retry a 5xx with backoff; else one line. */
async function nextAttempt(attempt: LogAttempt, statusCode: number, header: (name: string) => string | undefined, settings: typeof LOG_DEFAULTS): Promise<void> {
  const location = header('location')
  if ([301, 302, 303, 307, 308].includes(statusCode) && location) {
    if (attempt.redirected) throw new UserError('The build log URL redirected more than once: refused.')
    attempt.redirected = true
    attempt.target = redirectTarget(attempt.target, location, 'The build log URL').href
    return
  }

  if (statusCode === 429) {
    const wait = retryAfterMs(header('retry-after'))
    if (attempt.waitedRetryAfter || (wait ?? 0) > settings.maxRetryAfterMs) {
      throw new UserError(`The build log server is limiting requests (HTTP 429): try again ${wait === undefined ? 'later' : retryWhen(wait)}.`)
    }

    attempt.waitedRetryAfter = true
    await sleep(wait ?? settings.retryDelayMs)
    return
  }

  if ([500, 502, 503, 504].includes(statusCode) && attempt.retries < LOG_RETRIES) {
    await sleep(settings.retryDelayMs * (2 ** attempt.retries))
    return
  }

  if ([403, 404, 410].includes(statusCode)) throw expiredLog(statusCode)
  throw new UserError(`Fetching the build log failed with HTTP ${statusCode}${attempt.retries > 0 ? ` (${attempt.retries + 1} attempts)` : ''}.`)
}

/** A failure to fetch the log as one line, from undici's and node's error codes (never their wording). */
function logError(error: unknown, url: string, received: number, {env, idleMs}: {env?: NodeJS.ProcessEnv; idleMs: number}): unknown {
  if (error instanceof UserError) return error
  const {cause, code} = error as NodeJS.ErrnoException & {cause?: NodeJS.ErrnoException}
  const idle = `${idleMs < 10_000 ? (idleMs / 1000).toFixed(1) : Math.round(idleMs / 1000)} s`
  // Through a proxy, a connection that fails or stays silent is the proxy's: it is named (without its credentials).
  const proxy = shownProxy(routeFor(new URL(url), env))
  const through = proxy ? ` (through the proxy ${proxy})` : ''
  if (code === 'UND_ERR_BODY_TIMEOUT') return new UserError(`The build log server stopped sending after ${formatBytes(received)} (nothing came for ${idle})${through}.`)
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return new UserError(`The build log server did not answer for ${idle}${through}.`)
  // undici wraps a socket's failure (ECONNRESET...) in UND_ERR_SOCKET with the socket's error as its cause.
  const inner = code === 'UND_ERR_SOCKET' && cause?.code ? cause : error
  const described = describeNetworkError(inner, proxy && !isCertificateError(inner) ? `the proxy ${proxy}` : new URL(url).host)
  return described ? new UserError(`Cannot fetch the build log: ${described}.`) : error
}

const sleep = (ms: number) => new Promise(resolve => {
  setTimeout(resolve, ms)
})
