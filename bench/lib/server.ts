import {createReadStream} from 'node:fs'
import {stat} from 'node:fs/promises'
import http from 'node:http'
import type {AddressInfo} from 'node:net'

export interface Pace {
  /** MB/s of each connection, as one S3 stream is paced (0: loopback speed) */
  rate?: number
  /** MB/s of all connections together (0: no cap) */
  cap?: number
}

export interface FileServer {
  /** the URL serving `files[name]`, optionally paced */
  url(name: string, pace?: number | Pace): string
  close(): Promise<void>
}

const sleep = (ms: number) => new Promise(resolve => {
  setTimeout(resolve, ms)
})

/** `bytes=START-END` or `bytes=START-` of a file of `size` bytes; undefined for no or an unsupported Range. */
function rangeOf(header: string | undefined, size: number): undefined | {end: number; start: number} {
  const match = /^bytes=(\d+)-(\d*)$/.exec(header ?? '')
  if (!match) return undefined
  const start = Number(match[1])
  const end = match[2] ? Math.min(Number(match[2]), size - 1) : size - 1
  return start <= end ? {end, start} : undefined
}

/**
 * A local stand-in for the S3 blob URL: serves files on 127.0.0.1 with Range requests, either as fast as
 * loopback goes or paced per connection (S3 serves each connection at its own rate) and in all.
 */
export async function serveFiles(files: Record<string, string>): Promise<FileServer> {
  // When the shared cap next has room: each chunk books its share of the cap's time.
  let capFreeAt = 0
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const path = files[url.pathname.slice(1)]
    if (!path) {
      res.writeHead(404).end()
      return
    }

    const rate = Number(url.searchParams.get('rate') ?? 0) * 1e6
    const cap = Number(url.searchParams.get('cap') ?? 0) * 1e6
    const {size} = await stat(path)
    const range = rangeOf(req.headers.range, size)
    if (range) {
      res.writeHead(206, {
        'content-length': range.end - range.start + 1,
        'content-range': `bytes ${range.start}-${range.end}/${size}`,
        'content-type': 'application/octet-stream',
      })
    } else {
      res.writeHead(200, {'content-length': size, 'content-type': 'application/octet-stream'})
    }

    const stream = createReadStream(path, {highWaterMark: 1024 * 1024, ...range})
    if (!rate && !cap) {
      stream.pipe(res)
      return
    }

    const started = performance.now()
    let sent = 0
    for await (const chunk of stream) {
      const bytes = (chunk as Buffer).length
      if (cap) {
        const now = performance.now()
        const at = Math.max(now, capFreeAt)
        capFreeAt = at + ((bytes / cap) * 1000)
        if (at > now) await sleep(at - now)
      }

      if (!res.write(chunk)) await new Promise(resolve => {
        res.once('drain', resolve)
      })
      sent += bytes
      const ahead = rate ? ((sent / rate) * 1000) - (performance.now() - started) : 0
      if (ahead > 0) await sleep(ahead)
    }

    res.end()
  })
  await new Promise<void>(resolve => {
    server.listen(0, '127.0.0.1', resolve)
  })
  const {port} = server.address() as AddressInfo
  return {
    close: () => new Promise(resolve => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
    url(name, pace) {
      const {cap = 0, rate = 0} = typeof pace === 'number' ? {rate: pace} : (pace ?? {})
      const query = new URLSearchParams()
      if (rate) query.set('rate', String(rate))
      if (cap) query.set('cap', String(cap))
      return `http://127.0.0.1:${port}/${name}${query.size > 0 ? `?${query}` : ''}`
    },
  }
}
