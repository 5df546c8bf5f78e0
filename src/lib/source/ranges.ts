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
  return new RangedDownload(options).run()
}

/** One ranged download's state: its parts, the buffers that wait for their turn, and its first failure. */
class RangedDownload {
  /** parts may start this far ahead of the one being delivered: they and the head hold what is buffered */
  private readonly ahead: number
  private readonly changes = new Changes()
  private failure: unknown
  /** the part being delivered */
  private head = 0
  /** the next part to start */
  private next = 0
  private readonly partBytes: number
  private readonly parts: Part[]
  private pumping = false
  /** buffers of delivered parts, for reuse */
  private readonly pool: Buffer[] = []
  private readonly sliceBytes: number

  constructor(private readonly options: RangedDownloadOptions) {
    this.partBytes = options.partBytes ?? DEFAULT_PART_BYTES
    this.sliceBytes = options.sliceBytes ?? DEFAULT_SLICE_BYTES
    const {partBytes} = this
    const {size} = options
    this.parts = Array.from({length: Math.ceil(size / partBytes)}, (_, i) => ({
      delivered: 0, done: false, end: Math.min(size, (i + 1) * partBytes), received: 0, start: i * partBytes,
    }))
    this.ahead = Math.max(1, Math.floor((options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES) / partBytes) - 1)
  }

  /** The first part alone, until its head shows the server serves ranges; then every connection; then what is still buffered. */
  async run(): Promise<void> {
    this.next = 1
    const started = this.changes.wait()
    const firstPart = this.runPart(0, true).catch(error => this.fail(error))
    await Promise.race([started, firstPart])
    const workers = this.failure ? [] : Array.from({length: Math.max(0, this.options.connections - 1)}, async () => this.worker())
    await firstPart
    if (!this.failure) await this.worker()
    await Promise.all(workers)
    await this.drain()
  }

  /** Every part is in: what is still buffered goes out slice by slice. */
  private async drain(): Promise<void> {
    for (;;) {
      if (this.failure) throw this.failure
      if (this.head >= this.parts.length) return
      const moved = this.changes.wait()
      this.schedulePump()
      await moved
    }
  }

  private fail(error: unknown): void {
    this.failure ??= error
    this.changes.notify()
  }

  /** A piece of part `index`: straight to `deliver` when it is next in order, else into the part's buffer. */
  private onBody(index: number, chunk: Buffer): void {
    const part = this.parts[index]
    if (index === this.head && part.delivered === part.received && !this.pumping) {
      // In order and nothing waiting before it: straight through, without a copy.
      this.options.deliver(chunk)
      part.delivered += chunk.length
    } else {
      part.buffer ??= this.pool.pop() ?? Buffer.allocUnsafe(this.partBytes)
      chunk.copy(part.buffer, part.received)
    }

    part.received += chunk.length
  }

  /**
   * Hands over up to `sliceBytes` of what has arrived in order, moving past finished parts. The rest waits
   * for the next turn of the event loop: `deliver` (inflating) holds the thread, and a burst of several
   * buffered parts delivered at once would leave every socket unread meanwhile, pausing the connections.
   */
  private pump(): void {
    this.pumping = false
    let budget = this.sliceBytes
    for (;;) {
      if (this.failure) return
      if (this.head >= this.parts.length) {
        this.changes.notify()
        return
      }

      const part = this.parts[this.head]
      if (part.buffer && part.received > part.delivered) {
        if (budget <= 0) {
          this.pumping = true
          setImmediate(() => this.pump())
          return
        }

        budget -= this.deliverBuffered(part, budget)
        if (this.failure) return
        continue
      }

      if (!part.done) return
      if (part.buffer) this.pool.push(part.buffer)
      part.buffer = undefined
      this.head++
      this.changes.notify()
    }
  }

  /** Hands over up to `budget` buffered bytes of `part`; how many went out (none when `deliver` threw). */
  private deliverBuffered(part: Part, budget: number): number {
    const upTo = Math.min(part.received, part.delivered + budget)
    try {
      this.options.deliver(part.buffer!.subarray(part.delivered, upTo))
    } catch (error) {
      this.fail(error)
      return 0
    }

    const moved = upTo - part.delivered
    part.delivered = upTo
    return moved
  }

  /** Fetches part `index` to its end, resuming it where it stopped after each failure the retry policy accepts. */
  private async runPart(index: number, first: boolean): Promise<void> {
    const part = this.parts[index]
    for (let attempt = 0; ;) {
      const before = part.received
      try {
        await this.fetchPart(part, index, first)
        part.done = true
        if (index === this.head) this.schedulePump()
        return
      } catch (error) {
        if (this.failure) throw this.failure
        if (error instanceof RangesIgnoredError) throw error
        attempt = part.received - before >= RESUME_PROGRESS_BYTES ? 1 : attempt + 1
        await this.options.retry(error, attempt)
      }
    }
  }

  /** One GET of what part `index` still lacks; rejects when its answer is not that range or ends short. */
  private async fetchPart(part: Part, index: number, first: boolean): Promise<void> {
    const {size} = this.options
    const length = part.end - part.start
    const from = part.start + part.received
    await this.options.get(from, part.end - 1, {
      onBody: chunk => {
        if (this.failure) throw this.failure
        const room = length - part.received
        this.onBody(index, room < chunk.length ? chunk.subarray(0, room) : chunk)
      },
      onHead: (status, headers) => {
        if (status === 200) throw new RangesIgnoredError()
        if (status !== 206) throw new HttpStatusError(status, headers)
        if (runsToEnd(headers, from, part.end - 1, size)) throw new RangesIgnoredError('the server ignores the end of Range requests')
        checkContentRange(headers, from, part.end - 1, size)
        if (first) this.changes.notify()
      },
    })
    if (part.received < length) throw new ShortPartError(`part ended at ${part.received} of ${length} bytes`)
  }

  private schedulePump(): void {
    if (this.pumping) return
    this.pumping = true
    setImmediate(() => this.pump())
  }

  /** Starts the next part whenever it is within reach of the head, until every part has started. */
  private async worker(): Promise<void> {
    for (;;) {
      if (this.failure || this.next >= this.parts.length) return
      if (this.next > this.head + this.ahead) {
        await this.changes.wait()
        continue
      }

      const index = this.next++
      await this.runPart(index, false).catch(error => this.fail(error))
    }
  }
}
