/**
 * Parallel byte-range download of one blob, delivered strictly in order. S3 serves each connection at its
 * own rate, so several consecutive parts fetched at once arrive faster than one stream; the scanner still
 * needs the bytes in order, so parts that arrive early wait in a bounded set of reused buffers.
 */

/** Where a ranged GET's answer goes: the same shape as the blob client's handlers. */
export interface RangeSink {
  /** status and headers (names lowercased); throw to stop this request */
  onHead(status: number, headers: Map<string, string>): void
  /** a piece of the body, valid only until this call returns */
  onBody(chunk: Buffer): void
}

/** One GET of bytes `start` to `end` (inclusive); rejects when the connection fails before the body ends. */
export type RangeGet = (start: number, end: number, sink: RangeSink) => Promise<void>

export interface RangedDownloadOptions {
  /** the blob's size in bytes, as Heroku recorded it */
  size: number
  connections: number
  get: RangeGet
  /** receives the blob's bytes in order; the chunk is only valid during the call */
  deliver: (chunk: Buffer) => void
  /**
   * Called when a part's request failed, with how many times in a row that part has failed (since it last
   * made progress, RESUME_PROGRESS_BYTES): resolve to resume the part where it stopped (after waiting,
   * refreshing a URL...), or reject to give up the whole download.
   * It also gets the failures no resume can cure (RangeMismatchError, BlobSizeError), to word them.
   */
  retry: (error: unknown, attempt: number) => Promise<void>
  partBytes?: number
  /**
   * the most bytes held in all for parts that arrived before their turn, the one being handed over included
   * (its bytes wait while they go out slice by slice). Default 16 MiB: 4 parts, the head and one part ahead for
   * each of 3 other connections.
   */
  maxBufferedBytes?: number
  /** the most buffered bytes handed to `deliver` before the event loop gets a turn to read the sockets (default 1 MiB) */
  sliceBytes?: number
}

export const DEFAULT_PART_BYTES = 4 * 1024 * 1024
export const DEFAULT_MAX_BUFFERED_BYTES = 16 * 1024 * 1024
export const DEFAULT_SLICE_BYTES = 1024 * 1024

/**
 * The server does not serve the ranges asked for: it answered one with the whole blob (200), or with the
 * rest of the blob from the range's start (a 206 running to its end). One stream it is, from the bytes
 * already delivered.
 */
export class RangesIgnoredError extends Error {
  constructor(message = 'the server ignores Range requests') {
    super(message)
  }
}

/**
 * A part's failed request that brought at least this many new bytes was making progress: the part's count
 * of failures starts again. A smaller gain does not reset it, so a server that drops every connection after
 * a few bytes still runs out of resumes.
 */
export const RESUME_PROGRESS_BYTES = 64 * 1024

/** A ranged answer that is not the bytes asked for: not worth resuming. */
export class RangeMismatchError extends Error {}

/** The server's blob is not of the size Heroku recorded (Content-Range names another total). */
export class BlobSizeError extends Error {
  constructor(readonly expected: number, readonly actual: number) {
    super(`the blob has ${actual} bytes, not the ${expected} Heroku recorded`)
  }
}

/**
 * An answer with a status other than the one asked for (206 for a range; 200 or 206 for the single stream):
 * the caller's retry policy judges it (403, 5xx, 429, a redirect...).
 */
export class HttpStatusError extends Error {
  constructor(readonly status: number, readonly headers: Map<string, string>) {
    super(`HTTP ${status}`)
  }
}

/** A part's request ended without error but short of the part's end: resumed like a drop. */
export class ShortPartError extends Error {}

/** Whether a blob of this size is worth fetching in parts: a small one is quicker in one stream. */
export function worthRanges(size: number | undefined, connections: number, partBytes = DEFAULT_PART_BYTES): size is number {
  return size !== undefined && connections > 1 && size >= 2 * partBytes
}

/** A 206 for a range that starts where asked and runs to the blob's end, past the range's own end. */
function runsToEnd(headers: Map<string, string>, start: number, end: number, size: number): boolean {
  return end < size - 1 && headers.get('content-range') === `bytes ${start}-${size - 1}/${size}`
}

function checkContentRange(headers: Map<string, string>, start: number, end: number, size: number): void {
  // "bytes START-END/TOTAL": a hand scan, not a regex, on a header a server chose.
  const value = headers.get('content-range') ?? ''
  const prefix = 'bytes '
  const dash = value.indexOf('-')
  const slash = value.indexOf('/')
  const total = Number(value.slice(slash + 1))
  if (slash > 0 && Number.isSafeInteger(total) && total !== size) throw new BlobSizeError(size, total)
  const gotStart = Number(value.slice(prefix.length, dash))
  const gotEnd = Number(value.slice(dash + 1, slash))
  if (!value.startsWith(prefix) || dash < 0 || slash < dash || gotStart !== start || gotEnd !== end) {
    throw new RangeMismatchError(`asked for bytes ${start}-${end}, got "${value.slice(0, 80)}"`)
  }
}

/** Wakes every waiter at each change of the download's state (a part delivered, a failure). */
class Changes {
  private next!: Promise<void>
  private resolve!: () => void

  constructor() {
    this.renew()
  }

  notify(): void {
    const {resolve} = this
    this.renew()
    resolve()
  }

  /** Resolves at the next notify() after this call. */
  wait(): Promise<void> {
    return this.next
  }

  private renew(): void {
    this.next = new Promise<void>(resolve => {
      this.resolve = resolve
    })
  }
}

interface Part {
  start: number
  /** exclusive */
  end: number
  /** bytes received so far */
  received: number
  /** bytes already handed to `deliver` */
  delivered: number
  done: boolean
  buffer?: Buffer
}

/**
 * Downloads the blob over `connections` connections in consecutive parts and hands its bytes to `deliver`
 * in order. Rejects with RangesIgnoredError when the server answers a part with the whole blob or the
 * rest of it, so the caller can go on in one stream from the bytes delivered so far.
 */
export async function downloadRanges(options: RangedDownloadOptions): Promise<void> {
  const partBytes = options.partBytes ?? DEFAULT_PART_BYTES
  const sliceBytes = options.sliceBytes ?? DEFAULT_SLICE_BYTES
  const {size} = options
  const count = Math.ceil(size / partBytes)
  const parts: Part[] = Array.from({length: count}, (_, i) => ({
    delivered: 0, done: false, end: Math.min(size, (i + 1) * partBytes), received: 0, start: i * partBytes,
  }))
  // Parts may start this far ahead of the one being delivered: they and the head hold what is buffered.
  const ahead = Math.max(1, Math.floor((options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES) / partBytes) - 1)
  const pool: Buffer[] = []
  let head = 0
  let next = 0
  let failure: unknown
  let pumping = false
  const changes = new Changes()
  const signal = () => changes.notify()
  const fail = (error: unknown) => {
    failure ??= error
    signal()
  }

  /**
   * Hands over up to `sliceBytes` of what has arrived in order, moving past finished parts. The rest waits
   * for the next turn of the event loop: `deliver` (inflating) holds the thread, and a burst of several
   * buffered parts delivered at once would leave every socket unread meanwhile, pausing the connections.
   */
  const pump = () => {
    pumping = false
    let budget = sliceBytes
    for (;;) {
      if (failure) return
      if (head >= count) {
        signal()
        return
      }

      const part = parts[head]
      if (part.buffer && part.received > part.delivered) {
        if (budget <= 0) {
          pumping = true
          setImmediate(pump)
          return
        }

        const upTo = Math.min(part.received, part.delivered + budget)
        try {
          options.deliver(part.buffer.subarray(part.delivered, upTo))
        } catch (error) {
          fail(error)
          return
        }

        budget -= upTo - part.delivered
        part.delivered = upTo
        continue
      }

      if (!part.done) return
      if (part.buffer) pool.push(part.buffer)
      part.buffer = undefined
      head++
      signal()
    }
  }

  const schedulePump = () => {
    if (pumping) return
    pumping = true
    setImmediate(pump)
  }

  const onBody = (index: number, chunk: Buffer) => {
    const part = parts[index]
    if (index === head && part.delivered === part.received && !pumping) {
      // In order and nothing waiting before it: straight through, without a copy.
      options.deliver(chunk)
      part.delivered += chunk.length
    } else {
      part.buffer ??= pool.pop() ?? Buffer.allocUnsafe(partBytes)
      chunk.copy(part.buffer, part.received)
    }

    part.received += chunk.length
  }

  const runPart = async (index: number, first: boolean): Promise<void> => {
    const part = parts[index]
    const length = part.end - part.start
    for (let attempt = 0; ;) {
      const from = part.start + part.received
      const before = part.received
      try {
        await options.get(from, part.end - 1, {
          onBody(chunk) {
            if (failure) throw failure
            const room = length - part.received
            onBody(index, room < chunk.length ? chunk.subarray(0, room) : chunk)
          },
          onHead(status, headers) {
            if (status === 200) throw new RangesIgnoredError()
            if (status !== 206) throw new HttpStatusError(status, headers)
            if (runsToEnd(headers, from, part.end - 1, size)) throw new RangesIgnoredError('the server ignores the end of Range requests')
            checkContentRange(headers, from, part.end - 1, size)
            if (first) signal()
          },
        })
        if (part.received < length) throw new ShortPartError(`part ended at ${part.received} of ${length} bytes`)
        part.done = true
        if (index === head) schedulePump()
        return
      } catch (error) {
        if (failure) throw failure
        if (error instanceof RangesIgnoredError) throw error
        attempt = part.received - before >= RESUME_PROGRESS_BYTES ? 1 : attempt + 1
        await options.retry(error, attempt)
      }
    }
  }

  const worker = async (): Promise<void> => {
    for (;;) {
      if (failure || next >= count) return
      if (next > head + ahead) {
        await changes.wait()
        continue
      }

      const index = next++
      await runPart(index, false).catch(fail)
    }
  }

  // The first part alone, until its head shows the server serves ranges; then every connection.
  next = 1
  const started = changes.wait()
  const firstPart = runPart(0, true).catch(fail)
  await Promise.race([started, firstPart])
  const workers = failure ? [] : Array.from({length: Math.max(0, options.connections - 1)}, async () => worker())
  await firstPart
  if (!failure) await worker()
  await Promise.all(workers)
  // Every part is in: what is still buffered goes out slice by slice.
  for (;;) {
    if (failure) throw failure
    if (head >= count) return
    const moved = changes.wait()
    schedulePump()
    await moved
  }
}
