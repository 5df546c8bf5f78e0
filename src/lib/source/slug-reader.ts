import {createWriteStream, type WriteStream} from 'node:fs'
import {open, rename, rm, stat} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'

import {formatBytes} from '../shared/bytes.js'
import {describeNetworkError, redirectTarget, retryAfterMs, retryWhen} from '../shared/cli-network.js'
import {UserError} from '../shared/errors.js'
import {BlobAgent, BlobProtocolError, DroppedError, getBlob, type MinimumRate, SlowConnectionError} from './blob-client.js'
import {BlobSizeError, downloadRanges, HttpStatusError, RangeMismatchError, RangesIgnoredError, RESUME_PROGRESS_BYTES, ShortPartError, worthRanges} from './ranges.js'
import {type ScanOptions, SlugScanner} from '../scan/scanner.js'
import type {ScanResult} from '../scan/entries.js'

/** Bytes read per file read: large reads keep the inflater busy (1 MiB reads with 64 KiB output chunks inflate the scale-1 bench slug in 3.95 s, against 7.1 s with Node's defaults). */
const FILE_READ_BYTES = 1024 * 1024

export interface ScanProgress {
  /** total bytes expected, when known */
  start(total: number | undefined): void
  update(bytes: number): void
  stop(): void
}

export interface ScanSinkOptions {
  /** what the scanner keeps beyond sizes (captured files, content hashes) */
  scan?: ScanOptions
  progress?: ScanProgress
  /** keep a copy of the compressed bytes at this path (written to a temp file, renamed at the end) */
  savePath?: string
}

/** A copy of the downloaded bytes that only appears at its path once complete and verified. */
class SaveCopy {
  private readonly tmp: string
  private readonly stream: WriteStream
  private error?: Error

  constructor(private readonly path: string) {
    this.tmp = join(dirname(path), `.${basename(path)}.${process.pid}.partial`)
    this.stream = createWriteStream(this.tmp)
    this.stream.on('error', error => {
      this.error ??= error
    })
  }

  write(chunk: Buffer): void {
    this.stream.write(chunk)
  }

  async commit(): Promise<void> {
    await this.close()
    if (this.error) throw new UserError(`Cannot save the slug to ${this.path}: ${this.error.message}`)
    await rename(this.tmp, this.path)
  }

  async discard(): Promise<void> {
    await this.close()
    await rm(this.tmp, {force: true})
  }

  private close(): Promise<void> {
    return new Promise(resolve => {
      if (this.stream.closed) resolve()
      else this.stream.end(() => resolve())
    })
  }
}

async function finishScan(scanner: SlugScanner, save: SaveCopy | undefined, expectedSha256?: string): Promise<ScanResult> {
  try {
    const result = scanner.end()
    if (expectedSha256 && result.sha256 !== expectedSha256.toLowerCase()) {
      throw new UserError(`The slug's checksum does not match: Heroku says sha256 ${expectedSha256.toLowerCase()}, the download has ${result.sha256}.`)
    }

    await save?.commit()
    return result
  } catch (error) {
    await save?.discard()
    throw error
  }
}

/** Scans a local slug file (what `heroku slugs:download` saves). */
export async function scanSlugFile(path: string, options: ScanSinkOptions = {}): Promise<ScanResult> {
  let size: number
  try {
    const info = await stat(path)
    if (!info.isFile()) throw new UserError(`${path} is not a file.`)
    size = info.size
  } catch (error) {
    if (error instanceof UserError) throw error
    throw new UserError(`Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`)
  }

  const scanner = new SlugScanner(options.scan)
  const save = options.savePath ? new SaveCopy(options.savePath) : undefined
  options.progress?.start(size)
  try {
    // One buffer, reused for every read: a read stream allocates a fresh one per chunk, and that
    // garbage dominated peak memory. The scanner copies what it keeps; the saved copy gets its own bytes.
    const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
      throw new UserError(`Cannot read ${path}: ${error.code ?? error.message}.`)
    })
    try {
      const buffer = Buffer.allocUnsafe(FILE_READ_BYTES)
      for (;;) {
        const {bytesRead} = await handle.read(buffer, 0, buffer.length, null).catch((error: Error) => {
          throw new UserError(`Cannot read ${path}: ${error.message}.`)
        })
        if (bytesRead === 0) break
        const chunk = buffer.subarray(0, bytesRead)
        save?.write(Buffer.from(chunk))
        scanner.write(chunk)
        options.progress?.update(scanner.bytesRead)
      }
    } finally {
      await handle.close()
    }
  } catch (error) {
    await save?.discard()
    throw error
  } finally {
    options.progress?.stop()
  }

  return finishScan(scanner, save)
}

export interface BlobSource {
  url: string
  /** the slug's size from the API, for the progress bar and to know when a download is complete */
  size?: number
  /** hex sha256 the download must match */
  sha256?: string
  /** fetches a fresh pre-signed URL when the first one has expired (403) */
  refreshUrl?: () => Promise<string>
}

export interface DownloadOptions extends ScanSinkOptions {
  /** how many times a dropped or stalled connection is resumed with a Range request */
  maxResumes?: number
  /** wait before a retry, in ms (doubles each time) */
  retryDelayMs?: number
  /** a connection silent this long (connecting, before its answer, or in the body) has stalled */
  idleTimeoutMs?: number
  /** the least each connection must deliver, on average over a window (default: blob-client's MIN_RATE) */
  minRate?: MinimumRate
  /** how long the download may go without receiving a byte, retries and waits included, before it gives up */
  retryBudgetMs?: number
  /** the longest Retry-After of a 429 that is waited for (once); a longer one is reported */
  maxRetryAfterMs?: number
  /** CA certificates to trust for the blob URL instead of node's bundled ones (tests) */
  ca?: Buffer | string
  /** where the proxy and CA settings are read (default: process.env) */
  env?: NodeJS.ProcessEnv
  /** connections for a ranged download (default DEFAULT_CONNECTIONS; 1: one stream) */
  connections?: number
}

const DEFAULTS = {maxResumes: 5, maxRetryAfterMs: 10_000, retryBudgetMs: 60_000, retryDelayMs: 500}
/** Server errors S3 asks clients to retry (500 InternalError, 503 SlowDown) and their gateway cousins. */
const RETRIED_STATUSES = new Set([500, 502, 503, 504])
const SAVE_ADVICE = 'Try again later; once a download completes, --save slug.tgz keeps a copy that --file slug.tgz reads without downloading again.'

/** The server's own answer says the blob ends before the size Heroku recorded for the slug. */
class ShortBlobError extends Error {
  constructor(readonly blobSize: number) {
    super('short blob')
  }
}

/** Connections a slug download opens by default: S3 serves each at its own rate (`--connections`). */
export const DEFAULT_CONNECTIONS = 4

/**
 * What to do after a failed request of a download: wait and go on (resume, refresh the URL, follow a
 * redirect, back off after a 5xx, wait out a short 429), or throw the one-line error that ends it. One
 * policy serves the single stream and every part of a ranged download, so both end the same way.
 */
class RetryPolicy {
  /** when a byte last arrived, on any connection */
  lastProgress = Date.now()
  private redirected = false
  private refreshed = false
  private waitedRetryAfter = false

  constructor(
    private readonly state: {url: string},
    private readonly source: BlobSource,
    private readonly settings: typeof DEFAULTS,
    private readonly where: () => {bytes: number; total?: number},
  ) {}

  /** `attempt`: how many times in a row the request (a part, or the stream) has failed without making progress */
  async handle(failure: unknown, attempt: number): Promise<void> {
    const {settings, source} = this
    if (failure instanceof ShortBlobError) throw this.shortBlob(failure.blobSize)
    if (failure instanceof BlobSizeError) throw this.shortBlob(failure.actual)
    if (failure instanceof SlowConnectionError) throw tooSlow(failure, this.where())
    if (failure instanceof RangeMismatchError) throw new UserError(`The slug download failed: the server answered a range request with other bytes (${failure.message}).`)
    const status = failure instanceof HttpStatusError ? failure : undefined
    if (status) {
      const {headers} = status
      const rangeTotal = /\/(\d+)\s*$/.exec(headers.get('content-range') ?? '')
      if (status.status === 416 && rangeTotal) throw this.shortBlob(Number(rangeTotal[1]))
      if (status.status === 403 && source.refreshUrl && !this.refreshed) {
        this.refreshed = true
        this.state.url = await source.refreshUrl()
        return
      }

      if ([301, 302, 303, 307, 308].includes(status.status) && headers.get('location')) {
        if (this.redirected) throw new UserError('The slug\'s blob URL redirected more than once: refused.')
        this.redirected = true
        this.state.url = redirectTarget(this.state.url, headers.get('location')!, 'The slug\'s blob URL').href
        return
      }

      if (status.status === 429) {
        const wait = retryAfterMs(headers.get('retry-after'))
        if (!this.waitedRetryAfter && (wait ?? 0) <= settings.maxRetryAfterMs) {
          this.waitedRetryAfter = true
          await sleep(wait ?? settings.retryDelayMs)
          return
        }

        const when = wait === undefined ? 'later' : retryWhen(wait)
        throw new UserError(`The slug's server is limiting downloads (HTTP 429): try again ${when}.`)
      }

      if (!RETRIED_STATUSES.has(status.status)) throw blobStatusError(status.status)
    } else if (!(failure instanceof DroppedError) && !(failure instanceof ShortPartError) && !isRetriedNetworkError(failure)) {
      throw downloadError(failure, this.state.url)
    }

    // A drop, a stall or a 5xx: retry after a pause, within the resume count and the time budget.
    const delay = settings.retryDelayMs * (2 ** (attempt - 1))
    if (attempt > settings.maxResumes || Date.now() + delay - this.lastProgress > settings.retryBudgetMs) {
      throw gaveUp(failure, {...this.where(), attempts: attempt, since: Date.now() - this.lastProgress})
    }

    await sleep(delay)
  }

  /** The blob as the server sizes it is not the slug Heroku recorded; a 416 for a blob of the recorded size is a refused range. */
  shortBlob(blobSize: number): UserError {
    const {total} = this.where()
    if (blobSize === total) return new UserError(`The slug download failed: the server refused a byte range within the blob's ${total.toLocaleString('en-US')} bytes (HTTP 416).`)
    const recorded = total === undefined ? '' : `, Heroku recorded ${total.toLocaleString('en-US')}`
    const has = `the server has ${blobSize.toLocaleString('en-US')} bytes${recorded}`
    const which = total !== undefined && blobSize > total ? 'longer' : 'shorter'
    return new UserError(`The slug's blob is ${which} than the slug: ${has} (the blob is damaged or was replaced). Rebuild the app to get a new slug.`)
  }
}

/**
 * Streams a slug from its pre-signed blob URL straight into the scanner. The blob URL is a signed
 * S3 GET: it carries its own authorization, so no Heroku token is ever sent to it. A blob of a few
 * parts or more comes over several connections in consecutive byte ranges (S3 serves each connection
 * at its own rate), handed to the scanner in order; a server that ignores Range gets one stream.
 * A dropped or stalled connection resumes from the last byte received with a Range request; 5xx
 * answers are retried with backoff, a short 429 is waited out once, one redirect to https is
 * followed. Every wait is bounded: a connection silent for `idleTimeoutMs` counts as stalled, and
 * once nothing has arrived for `retryBudgetMs` (about a minute), the download gives up saying what it saw.
 */
export async function scanSlugUrl(source: BlobSource, options: DownloadOptions = {}): Promise<ScanResult> {
  const settings = {
    maxResumes: options.maxResumes ?? DEFAULTS.maxResumes,
    maxRetryAfterMs: options.maxRetryAfterMs ?? DEFAULTS.maxRetryAfterMs,
    retryBudgetMs: options.retryBudgetMs ?? DEFAULTS.retryBudgetMs,
    retryDelayMs: options.retryDelayMs ?? DEFAULTS.retryDelayMs,
  }
  const scanner = new SlugScanner(options.scan)
  const save = options.savePath ? new SaveCopy(options.savePath) : undefined
  const state = {url: source.url}
  let total = source.size
  const policy = new RetryPolicy(state, source, settings, () => ({bytes: scanner.bytesRead, total}))
  const client = {ca: options.ca, env: options.env, idleTimeoutMs: options.idleTimeoutMs, minRate: options.minRate}
  options.progress?.start(total)
  const onChunk = (chunk: Buffer) => {
    // The chunk is the client's reused receive buffer: the saved copy needs bytes of its own.
    save?.write(Buffer.from(chunk))
    scanner.write(chunk)
    policy.lastProgress = Date.now()
    options.progress?.update(scanner.bytesRead)
  }

  try {
    const connections = options.connections ?? DEFAULT_CONNECTIONS
    let streamed = false
    if (worthRanges(total, connections)) {
      try {
        // The parts' GETs reuse their connections: a new one per part would pay the handshakes and slow start each time.
        const agent = new BlobAgent()
        try {
          await downloadRanges({
            connections,
            deliver: onChunk,
            get(start, end, sink) {
              return agent.get(state.url, {
                onBody(chunk) {
                  policy.lastProgress = Date.now()
                  sink.onBody(chunk)
                },
                onHead: sink.onHead,
              }, {...client, headers: {Range: `bytes=${start}-${end}`}})
            },
            retry: (failure, attempt) => policy.handle(failure, attempt),
            size: total,
          })
        } finally {
          agent.close()
        }

        streamed = true
      } catch (error) {
        // The server does not serve the ranges asked for: one stream it is, from the bytes already scanned.
        if (!(error instanceof RangesIgnoredError)) throw error
      }
    }

    // The stream's failures in a row, counted as a part's are (ranges.ts): progress starts the count again.
    let attempt = 0
    while (!streamed) {
      const before = scanner.bytesRead
      try {
        const answer = await downloadInto(state.url, scanner.bytesRead, onChunk, client)
        total ??= answer.blobSize
        if (answer.blobSize !== undefined && total !== undefined && answer.blobSize < total) throw new ShortBlobError(answer.blobSize)
        if (total !== undefined && scanner.bytesRead < total) {
          // A body complete by its own framing that ends before the slug's size: the blob itself is short.
          if (answer.framed) throw new ShortBlobError(scanner.bytesRead)
          throw new DroppedError('closed')
        }

        streamed = true
      } catch (error) {
        attempt = scanner.bytesRead - before >= RESUME_PROGRESS_BYTES ? 1 : attempt + 1
        await policy.handle(error, attempt)
      }
    }
  } catch (error) {
    await save?.discard()
    throw error
  } finally {
    options.progress?.stop()
  }

  return finishScan(scanner, save, source.sha256)
}

/** The error of a download that ran out of retries or time, saying what the last attempt saw. */
function gaveUp(last: unknown, state: {attempts: number; bytes: number; since: number; total?: number}): UserError {
  const got = `${formatBytes(state.bytes)}${state.total === undefined ? '' : ` of ${formatBytes(state.total)}`}`
  const tries = `${state.attempts} attempts in ${Math.round(state.since / 1000)} s`
  if (last instanceof HttpStatusError) {
    const meaning = last.status === 503 ? 'unavailable' : 'server error'
    return new UserError(`The slug download failed: the server answered HTTP ${last.status} (${meaning}) at ${got} (${tries}). ${SAVE_ADVICE}`)
  }

  if (last instanceof DroppedError && last.reason !== 'closed') {
    const idle = `${last.idleMs < 10_000 ? (last.idleMs / 1000).toFixed(1) : Math.round(last.idleMs / 1000)} s`
    const what = last.reason === 'stalled'
      ? `the server stopped sending after ${got} (nothing came for ${idle}; ${tries})`
      : `${proxyOf(last) ? `the proxy ${proxyOf(last)}` : 'the server'} did not answer for ${idle}, at ${got} (${tries})`
    return new UserError(`The slug download stalled: ${what}. ${SAVE_ADVICE}`)
  }

  return new UserError(`The slug download kept failing: the connection dropped at ${got} (${tries}). ${SAVE_ADVICE}`)
}

/** The error of a connection slower than the minimum rate: a server trickling bytes would otherwise hold the download for hours. */
function tooSlow(slow: SlowConnectionError, state: {bytes: number; total?: number}): UserError {
  const got = `${formatBytes(state.bytes)}${state.total === undefined ? '' : ` of ${formatBytes(state.total)}`}`
  const window = `${slow.rate.windowMs < 10_000 ? (slow.rate.windowMs / 1000).toFixed(1) : Math.round(slow.rate.windowMs / 1000)} s`
  return new UserError(`The slug download is too slow: the server sent ${formatBytes(slow.received)} in ${window} (under ${formatBytes(slow.rate.bytesPerSecond)}/s), at ${got}. ${SAVE_ADVICE}`)
}

function blobStatusError(status: number): UserError {
  if (status === 403) return new UserError('The slug\'s download URL was refused (HTTP 403): it has expired or is not valid. Run the command again.')
  if (status === 404) return new UserError('The slug\'s blob was not found (HTTP 404): the slug may have been deleted.')
  return new UserError(`The slug download failed with HTTP ${status}.`)
}

/** The proxy a failure happened on (blob-client tags what goes wrong before the tunnel is open). */
function proxyOf(error: unknown): string | undefined {
  return (error as {proxy?: string} | undefined)?.proxy
}

/** A failure of the download itself (DNS, TLS, a refused connection, a server not speaking HTTP) as one line; anything else as it is. */
function downloadError(error: unknown, url: string): unknown {
  if (error instanceof UserError) return error
  if (error instanceof BlobProtocolError) return new UserError(`The slug download failed: ${error.message}.`)
  const via = proxyOf(error)
  const described = describeNetworkError(error, via ? `the proxy ${via}` : new URL(url).host)
  return described ? new UserError(`The slug download failed: ${described}.`) : error
}

/** Failures a resume may cure; a refused connection, DNS or TLS failure will not be cured by one. */
function isRetriedNetworkError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException)?.code
  return typeof code === 'string' && ['ECONNRESET', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE', 'ETIMEDOUT', 'UND_ERR_SOCKET'].includes(code)
}

const sleep = (ms: number) => new Promise(resolve => {
  setTimeout(resolve, ms)
})

/** What each GET of a download is given: the route's settings and its bounds. */
type ClientOptions = Pick<DownloadOptions, 'ca' | 'env' | 'idleTimeoutMs' | 'minRate'>

interface Answer {
  /** the blob's whole size as the server states it (Content-Range's total, or the length of a 200) */
  blobSize?: number
  /** whether the body's end was marked by the server (Content-Length or chunked), not by the connection closing */
  framed: boolean
}

/**
 * One GET from `offset`. A body that stops early rejects with DroppedError (getBlob holds a body to
 * its Content-Length) so the caller resumes; any answer but 200/206 rejects with HttpStatusError (416
 * on a resume means the blob ends before `offset`: ShortBlobError). `onChunk` gets views of the
 * client's receive buffer: it must copy what it keeps.
 */
async function downloadInto(url: string, offset: number, onChunk: (chunk: Buffer) => void, options: ClientOptions): Promise<Answer> {
  let skip = 0
  const answer: Answer = {framed: false}
  await getBlob(
    url,
    {
      onBody(chunk) {
        // A server that ignores Range sends the whole body again: skip what was already scanned.
        if (skip > 0) {
          const drop = Math.min(skip, chunk.length)
          skip -= drop
          chunk = chunk.subarray(drop)
          if (chunk.length === 0) return
        }

        onChunk(chunk)
      },
      onHead(status, headers) {
        const rangeTotal = /\/(\d+)\s*$/.exec(headers.get('content-range') ?? '')
        if (status === 416 && offset > 0 && rangeTotal) throw new ShortBlobError(Number(rangeTotal[1]))
        if (status !== 200 && status !== 206) throw new HttpStatusError(status, headers)
        skip = offset > 0 && status === 200 ? offset : 0
        const length = headers.get('content-length')
        answer.framed = length !== undefined || /\bchunked\b/i.test(headers.get('transfer-encoding') ?? '')
        if (status === 206 && rangeTotal) answer.blobSize = Number(rangeTotal[1])
        else if (status === 200 && length !== undefined && /^\d+$/.test(length)) answer.blobSize = Number(length)
      },
    },
    {...options, headers: offset > 0 ? {Range: `bytes=${offset}-`} : {}},
  )
  return answer
}
