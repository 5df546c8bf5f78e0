import {createWriteStream, type WriteStream} from 'node:fs'
import {open, rename, rm, stat} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'

import {UserError} from '../util/errors.js'
import {BlobProtocolError, DroppedError, getBlob} from './blob-client.js'
import {type ScanOptions, SlugScanner} from './scanner.js'
import type {ScanResult} from './types.js'

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
  /** how many times a dropped connection is resumed with a Range request */
  maxResumes?: number
  /** wait before a resume, in ms (doubles each time) */
  retryDelayMs?: number
  /** CA certificates to trust for the blob URL instead of Node's bundled ones (tests) */
  ca?: Buffer | string
}

class HttpStatusError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`)
  }
}

/**
 * Streams a slug from its pre-signed blob URL straight into the scanner. The blob URL is a signed
 * S3 GET: it carries its own authorization, so no Heroku token is ever sent to it. A dropped
 * connection resumes from the last byte received with a Range request.
 */
export async function scanSlugUrl(source: BlobSource, options: DownloadOptions = {}): Promise<ScanResult> {
  const maxResumes = options.maxResumes ?? 5
  const scanner = new SlugScanner(options.scan)
  const save = options.savePath ? new SaveCopy(options.savePath) : undefined
  let {url} = source
  let refreshed = false
  let resumes = 0
  let total = source.size
  options.progress?.start(total)
  try {
    for (;;) {
      const offset = scanner.bytesRead
      try {
        const length = await downloadInto(url, offset, chunk => {
          // The chunk is the client's reused receive buffer: the saved copy needs bytes of its own.
          save?.write(Buffer.from(chunk))
          scanner.write(chunk)
          options.progress?.update(scanner.bytesRead)
        }, options.ca)
        total ??= length === undefined ? undefined : offset + length
        if (total !== undefined && scanner.bytesRead < total) throw new DroppedError('short body')
        break
      } catch (error) {
        if (error instanceof HttpStatusError) {
          if (error.status === 403 && source.refreshUrl && !refreshed) {
            refreshed = true
            url = await source.refreshUrl()
            continue
          }

          throw blobStatusError(error.status)
        }

        if (error instanceof DroppedError || isNetworkError(error)) {
          if (resumes >= maxResumes) {
            throw new UserError(`The slug download kept failing: gave up after ${resumes} resumes at byte ${scanner.bytesRead}.`)
          }

          resumes++
          await sleep((options.retryDelayMs ?? 500) * (2 ** (resumes - 1)))
          continue
        }

        throw downloadError(error)
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

function blobStatusError(status: number): UserError {
  if (status === 403) return new UserError('The slug\'s download URL was refused (HTTP 403): it has expired or is not valid. Run the command again.')
  if (status === 404) return new UserError('The slug\'s blob was not found (HTTP 404): the slug may have been deleted.')
  return new UserError(`The slug download failed with HTTP ${status}.`)
}

/** A failure of the download itself (DNS, TLS, a server not speaking HTTP) as one line; anything else as it is. */
function downloadError(error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException)?.code
  if (error instanceof BlobProtocolError || (typeof code === 'string' && !(error instanceof UserError))) {
    return new UserError(`The slug download failed: ${(error as Error).message}.`)
  }

  return error
}

function isNetworkError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException)?.code
  return typeof code === 'string' && ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE', 'ETIMEDOUT', 'UND_ERR_SOCKET'].includes(code)
}

const sleep = (ms: number) => new Promise(resolve => {
  setTimeout(resolve, ms)
})

/**
 * One GET from `offset`; resolves with the body length the server announced (undefined when it did
 * not) once the body ends. A body that stops early rejects with DroppedError (getBlob holds a body to
 * its Content-Length) so the caller resumes. `onChunk` gets views of the client's receive buffer: it
 * must copy what it keeps.
 */
async function downloadInto(url: string, offset: number, onChunk: (chunk: Buffer) => void, ca?: Buffer | string): Promise<number | undefined> {
  let skip = 0
  let announced: number | undefined
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
        if (status !== 200 && status !== 206) throw new HttpStatusError(status)
        skip = offset > 0 && status === 200 ? offset : 0
        const length = headers.get('content-length')
        announced = length === undefined ? undefined : Number(length) - skip
      },
    },
    {ca, headers: offset > 0 ? {Range: `bytes=${offset}-`} : {}},
  )
  return announced
}
