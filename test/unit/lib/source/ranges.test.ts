import {expect} from 'chai'
import {randomBytes} from 'node:crypto'

import {
  BlobSizeError, downloadRanges, RangeGet, RangesIgnoredError, HttpStatusError, worthRanges,
} from '../../../../src/lib/source/ranges.js'

const tick = (ms: number) => new Promise(resolve => {
  setTimeout(resolve, ms)
})

interface FakeServer {
  get: RangeGet
  /** every range asked for, in order */
  asked: Array<[number, number]>
  /** most requests open at once */
  maxOpen: number
}

/**
 * A blob server in memory: answers each range in chunks of random sizes with a small delay per chunk, and
 * hands out the same scratch buffer for every chunk, as the blob client does.
 */
function fakeServer(blob: Buffer, options: {delayMs?: (start: number) => number; dropOnce?: Set<number>; ignoreRange?: boolean; total?: number} = {}): FakeServer {
  const server: FakeServer = {asked: [], get: undefined as unknown as RangeGet, maxOpen: 0}
  const scratch = Buffer.alloc(7000)
  let open = 0
  server.get = async (start, end, sink) => {
    server.asked.push([start, end])
    open++
    server.maxOpen = Math.max(server.maxOpen, open)
    try {
      const whole = options.ignoreRange
      sink.onHead(whole ? 200 : 206, new Map(whole ? [] : [['content-range', `bytes ${start}-${end}/${options.total ?? blob.length}`]]))
      let at = whole ? 0 : start
      const stop = whole ? blob.length : end + 1
      while (at < stop) {
        await tick(options.delayMs?.(start) ?? 0)
        const n = Math.min(stop - at, 1 + Math.floor(Math.random() * scratch.length))
        blob.copy(scratch, 0, at, at + n)
        sink.onBody(scratch.subarray(0, n))
        at += n
        if (options.dropOnce?.has(start) && at - start > 1000) {
          options.dropOnce.delete(start)
          throw Object.assign(new Error('socket hang up'), {code: 'ECONNRESET'})
        }
      }
    } finally {
      open--
    }
  }

  return server
}

function collect(): {chunks: Buffer[]; deliver: (chunk: Buffer) => void; bytes: () => Buffer} {
  const chunks: Buffer[] = []
  return {bytes: () => Buffer.concat(chunks), chunks, deliver: chunk => chunks.push(Buffer.from(chunk))}
}

const noRetry = async (error: unknown) => {
  throw error
}

describe('parallel byte ranges', () => {
  const blob = randomBytes(200_003)

  it('delivers the whole blob in order over several connections, whatever order the parts arrive in', async () => {
    // Later parts are faster than earlier ones: they arrive first and must wait.
    const server = fakeServer(blob, {delayMs: start => (start < 50_000 ? 3 : 0)})
    const out = collect()
    await downloadRanges({connections: 4, deliver: out.deliver, get: server.get, partBytes: 16_384, retry: noRetry, size: blob.length})
    expect(out.bytes().equals(blob)).to.equal(true)
    expect(server.maxOpen).to.equal(4)
    expect(server.asked[0]).to.deep.equal([0, 16_383])
    expect(server.asked.at(-1)![1]).to.equal(blob.length - 1)
  })

  it('never starts a part further ahead than the buffer allows', async () => {
    const server = fakeServer(blob, {delayMs: start => (start === 0 ? 20 : 0)})
    const out = collect()
    const started: number[] = []
    const duringFirst: number[] = []
    const get: RangeGet = async (start, end, sink) => {
      started.push(start / 10_000)
      if (out.bytes().length < 10_000) duringFirst.push(start / 10_000)
      return server.get(start, end, sink)
    }

    await downloadRanges({connections: 4, deliver: out.deliver, get, maxBufferedBytes: 30_000, partBytes: 10_000, retry: noRetry, size: blob.length})
    expect(out.bytes().equals(blob)).to.equal(true)
    expect(started).to.have.length(21)
    // While the slow first part is delivered, the other connections fetch ahead, but only as far as 30 kB in
    // all allows: the first part's own bytes may have to wait as well, so 2 parts ahead of it.
    expect(duringFirst).to.deep.equal([0, 1, 2])
  })

  it('hands parts that arrived early over a slice per turn of the event loop, so the sockets keep being read', async () => {
    // The first part is slow: the next three arrive whole and wait. Delivered in one go they would hold the
    // thread (deliver inflates) while no socket is read; a slice per turn lets reads in between.
    const server = fakeServer(blob, {delayMs: start => (start === 0 ? 5 : 0)})
    let turn = 0
    let ticking = true
    const tick = () => {
      turn++
      if (ticking) setImmediate(tick)
    }

    setImmediate(tick)
    const perTurn = new Map<number, number>()
    const out = collect()
    try {
      await downloadRanges({
        connections: 4, deliver(chunk) {
          perTurn.set(turn, (perTurn.get(turn) ?? 0) + chunk.length)
          out.deliver(chunk)
        },
        get: server.get, maxBufferedBytes: 60_000, partBytes: 20_000, retry: noRetry, size: blob.length, sliceBytes: 1000,
      })
    } finally {
      ticking = false
    }

    expect(out.bytes().equals(blob)).to.equal(true)
    // At most one slice and one chunk straight from a socket (the fake server's are under 7,000 bytes) per turn.
    expect(Math.max(...perTurn.values())).to.be.at.most(1000 + 7000)
  })

  it('fails the download with the error deliver throws on bytes that waited, and asks for no more parts', async () => {
    const server = fakeServer(blob, {delayMs: start => (start === 0 ? 3 : 0)})
    let received = 0
    const error = await downloadRanges({
      connections: 4, deliver(chunk) {
        received += chunk.length
        if (received > 30_000) throw new Error('invalid tar header')
      },
      get: server.get, partBytes: 10_000, retry: noRetry, size: blob.length, sliceBytes: 1000,
    }).then(() => {}, (error_: unknown) => error_)
    expect((error as Error).message).to.equal('invalid tar header')
    expect(server.asked.length).to.be.below(Math.ceil(blob.length / 10_000))
  })

  it('resumes a dropped part from where it stopped, and only that part', async () => {
    const server = fakeServer(blob, {dropOnce: new Set([0, 32_768])})
    const out = collect()
    const attempts: number[] = []
    await downloadRanges({
      connections: 3, deliver: out.deliver, get: server.get, partBytes: 16_384,
      async retry(error, attempt) {
        expect((error as NodeJS.ErrnoException).code).to.equal('ECONNRESET')
        attempts.push(attempt)
      },
      size: blob.length,
    })
    expect(out.bytes().equals(blob)).to.equal(true)
    expect(attempts).to.deep.equal([1, 1])
    const resumed = server.asked.filter(([start]) => start % 16_384 !== 0)
    expect(resumed).to.have.length(2)
    for (const [start, end] of resumed) expect(end - start).to.be.below(16_384)
  })

  it('gives up when the retry policy says so, and delivers nothing past the failure', async () => {
    const server = fakeServer(blob, {dropOnce: new Set([16_384])})
    const out = collect()
    const error = await downloadRanges({connections: 2, deliver: out.deliver, get: server.get, partBytes: 16_384, retry: noRetry, size: blob.length})
    .then(() => {}, (error_: unknown) => error_)
    expect((error as NodeJS.ErrnoException).code).to.equal('ECONNRESET')
    expect(out.bytes().length).to.be.below(blob.length)
    expect(blob.subarray(0, out.bytes().length).equals(out.bytes())).to.equal(true)
  })

  it('says so before delivering a byte when the server ignores Range (200 with the whole blob)', async () => {
    const server = fakeServer(blob, {ignoreRange: true})
    const out = collect()
    const error = await downloadRanges({connections: 4, deliver: out.deliver, get: server.get, partBytes: 16_384, retry: noRetry, size: blob.length})
    .then(() => {}, (error_: unknown) => error_)
    expect(error).to.be.instanceOf(RangesIgnoredError)
    expect(out.chunks).to.deep.equal([])
    expect(server.asked).to.have.length(1)
  })

  it('tells a blob of another size than Heroku recorded', async () => {
    const server = fakeServer(blob, {total: blob.length - 10})
    const error = await downloadRanges({connections: 2, deliver() {}, get: server.get, partBytes: 16_384, retry: noRetry, size: blob.length})
    .then(() => {}, (error_: unknown) => error_)
    expect(error).to.be.instanceOf(BlobSizeError)
    expect((error as BlobSizeError).actual).to.equal(blob.length - 10)
  })

  it('hands other statuses to the retry policy with their headers (an expired URL, a 503, a 429)', async () => {
    const server = fakeServer(blob)
    let failed = false
    const get: RangeGet = async (start, end, sink) => {
      if (start === 16_384 && !failed) {
        failed = true
        sink.onHead(503, new Map([['retry-after', '1']]))
      }

      return server.get(start, end, sink)
    }

    const seen: unknown[] = []
    const out = collect()
    await downloadRanges({
      connections: 2, deliver: out.deliver, get, partBytes: 16_384,
      async retry(error) {
        seen.push(error)
      },
      size: blob.length,
    })
    expect(out.bytes().equals(blob)).to.equal(true)
    expect(seen).to.have.length(1)
    expect((seen[0] as HttpStatusError).status).to.equal(503)
    expect((seen[0] as HttpStatusError).headers.get('retry-after')).to.equal('1')
  })

  it('is worth it only for a blob of a few parts, with more than one connection', () => {
    expect(worthRanges(undefined, 4)).to.equal(false)
    expect(worthRanges(4 * 1024 * 1024, 4)).to.equal(false)
    expect(worthRanges(100 * 1024 * 1024, 1)).to.equal(false)
    expect(worthRanges(100 * 1024 * 1024, 4)).to.equal(true)
  })
})
