import net from 'node:net'
import tls from 'node:tls'

import {IDLE_TIMEOUT_MS, routeFor} from '../shared/cli-network.js'

/**
 * Why this client exists rather than node's own HTTP stack: the socket reads into this many bytes, one
 * buffer reused for every read, where node's http client and undici take a fresh buffer per read; over
 * a 500 MB slug that garbage piles up faster than V8 collects it. Measured by bench/blob-stack.ts (the
 * same scan, 504 MB from a local server, interleaved on a quiet machine, bench/RESULTS.md): peak RSS 79 MB
 * here against 119-128 MB with undici's request(), stream() or dispatch() with backpressure, and 25% less
 * CPU, at the same wall time within 6%. Build logs, which are small, use undici (heroku/builds.ts).
 */
const RECEIVE_BYTES = 256 * 1024
/** A response head larger than this is not from S3: the download fails rather than buffer it. */
const MAX_HEAD_BYTES = 64 * 1024

const DROPPED = {
  closed: 'the connection closed before the body ended',
  'no-answer': 'the server did not answer',
  stalled: 'the connection stalled',
}

/**
 * The connection ended, failed or stalled before the body was complete: worth resuming. `reason`
 * says which: `closed` (ended early), `stalled` (silent for `idleMs` after the head), `no-answer`
 * (silent for `idleMs` before it).
 */
export class DroppedError extends Error {
  constructor(readonly reason: keyof typeof DROPPED, readonly idleMs = 0) {
    super(DROPPED[reason])
  }
}

/** The server's answer was not HTTP as S3 speaks it: not worth resuming. */
export class BlobProtocolError extends Error {}

/**
 * The least a GET in progress must deliver: `bytesPerSecond` on average over each `windowMs`. A server
 * trickling a byte every few seconds never trips the idle timeout; this ends it.
 */
export interface MinimumRate {
  bytesPerSecond: number
  windowMs: number
}

/** 10 kB/s over a minute: a 500 MB slug would take 14 hours at that rate. */
export const MIN_RATE: MinimumRate = {bytesPerSecond: 10_000, windowMs: 60_000}

/** A GET delivered less than its minimum rate over a whole window: a server that slow is not waited for. */
export class SlowConnectionError extends Error {
  constructor(readonly rate: MinimumRate, readonly received: number) {
    super(`the connection delivered ${received} bytes in ${rate.windowMs} ms`)
  }
}

export interface BlobHandlers {
  /** status and headers (names lowercased); throw to stop the download with that error */
  onHead(status: number, headers: Map<string, string>): void
  /** a piece of the body: a view of the receive buffer, valid only until this call returns */
  onBody(chunk: Buffer): void
}

export interface BlobGetOptions {
  /** request headers beyond Host (Range) */
  headers?: Record<string, string>
  /** CA certificates to trust instead of node's bundled ones, when the route (SSL_CERT_FILE...) names none (tests) */
  ca?: Buffer | Buffer[] | string
  idleTimeoutMs?: number
  /** the least a GET must deliver (default MIN_RATE) */
  minRate?: MinimumRate
  /** where the proxy and CA settings are read (default: process.env): see shared/cli-network.ts */
  env?: NodeJS.ProcessEnv
}

/** Where to connect for a URL: its host without IPv6 brackets, its port, and the TLS server name (none for an IP). */
function endpointOf(url: URL): {host: string; port: number; servername?: string} {
  const host = url.hostname.replace(/^\[(.*)]$/, '$1')
  return {host, port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80), servername: net.isIP(host) ? undefined : host}
}

interface ResponseHead {
  /** NaN when the first line is not an HTTP/1.x status line */
  status: number
  statusLine: string
  /** names lowercased */
  headers: Map<string, string>
  /** the bytes after the head */
  rest: Buffer
}

/** Collects a response head (a proxy's or a server's) across reads, up to MAX_HEAD_BYTES. */
class HeadReader {
  private pending?: Buffer

  constructor(private readonly oversized: string) {}

  /** Takes one read; the head once it is complete. */
  push(data: Buffer): ResponseHead | undefined {
    const head = this.pending ? Buffer.concat([this.pending, data]) : data
    const end = head.indexOf('\r\n\r\n')
    if (end === -1) {
      if (head.length > MAX_HEAD_BYTES) throw new BlobProtocolError(this.oversized)
      // A head split across reads is kept in a copy: the receive buffer is overwritten by the next read.
      this.pending = head === data ? Buffer.from(data) : head
      return undefined
    }

    this.pending = undefined
    const [statusLine, ...fields] = head.toString('latin1', 0, end).split('\r\n')
    const headers = new Map<string, string>()
    for (const field of fields) {
      const colon = field.indexOf(':')
      if (colon > 0) headers.set(field.slice(0, colon).trim().toLowerCase(), field.slice(colon + 1).trim())
    }

    return {headers, rest: head.subarray(end + 4), status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]), statusLine}
  }
}

/**
 * Opens a CONNECT tunnel through `proxy` to host:port (Basic credentials from the proxy URL). The
 * tunnel is a plain socket: TLS to the blob's host runs inside it.
 */
function openTunnel(proxy: URL, authority: string, ca: BlobGetOptions['ca'], options: BlobGetOptions): Promise<net.Socket> {
  const {host, port, servername} = endpointOf(proxy)
  const socket: net.Socket = proxy.protocol === 'https:' ? tls.connect({ca, host, port, servername}) : net.connect({host, port})
  const lines = [`CONNECT ${authority} HTTP/1.1`, `Host: ${authority}`]
  if (proxy.username) {
    const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`
    lines.push(`Proxy-Authorization: Basic ${Buffer.from(credentials).toString('base64')}`)
  }

  socket.write(`${lines.join('\r\n')}\r\n\r\n`)
  return new Promise((resolve, reject) => {
    const heads = new HeadReader(`the proxy ${proxy.host} sent an oversized response`)
    const fail = (error: Error) => {
      socket.destroy()
      reject(error)
    }

    // A failure to reach the proxy names the proxy (its host only: its URL may hold credentials).
    const failed = (error: Error) => fail(Object.assign(error, {proxy: proxy.host}))
    const onData = (chunk: Buffer) => {
      let head: ResponseHead | undefined
      try {
        head = heads.push(chunk)
      } catch (error) {
        fail(error as Error)
        return
      }

      if (!head) return
      socket.off('data', onData)
      socket.off('error', failed)
      socket.setTimeout(0)
      // The proxy's host only: its URL may hold credentials.
      if (head.status !== 200) {
        fail(new BlobProtocolError(`the proxy ${proxy.host} refused to connect to ${authority} (HTTP ${head.status || '?'})`))
        return
      }

      if (head.rest.length > 0) socket.unshift(head.rest)
      resolve(socket)
    }

    socket.on('data', onData)
    socket.on('error', failed)
    const idleMs = options.idleTimeoutMs ?? IDLE_TIMEOUT_MS
    socket.setTimeout(idleMs, () => fail(Object.assign(new DroppedError('no-answer', idleMs), {proxy: proxy.host})))
  })
}

type Framing = {kind: 'chunked'} | {kind: 'close'} | {kind: 'length'; remaining: number}

/** The request text of a GET of `target`. */
function requestText(target: URL, headers: Record<string, string> | undefined, keepAlive: boolean): string {
  const lines = [`GET ${target.pathname}${target.search} HTTP/1.1`, `Host: ${target.host}`, 'Accept-Encoding: identity', `Connection: ${keepAlive ? 'keep-alive' : 'close'}`]
  for (const [name, value] of Object.entries(headers ?? {})) lines.push(`${name}: ${value}`)
  return `${lines.join('\r\n')}\r\n\r\n`
}

function checkedUrl(url: string): URL {
  let target: URL
  try {
    target = new URL(url)
  } catch {
    // Not the URL itself: a blob URL carries its signature.
    throw new BlobProtocolError('the blob URL is not a URL')
  }

  if (target.protocol !== 'https:' && target.protocol !== 'http:') throw new BlobProtocolError(`${target.protocol} URLs are not supported`)
  return target
}

interface Exchange {
  parser: ResponseParser
  settle(error?: Error): void
}

/**
 * One connection to a blob's server, for one GET at a time: reads go into one reused buffer and to the
 * parser of the GET in progress. Kept open between GETs when both sides allow it (HTTP/1.1 keep-alive).
 */
class BlobConnection {
  /** false once the socket closed or failed, or a GET on it did not end cleanly */
  usable = true
  private exchange?: Exchange
  private socket!: net.Socket
  /** bytes received in the current window of the minimum rate */
  private windowBytes = 0

  private constructor(readonly origin: string, private readonly idleMs: number, private readonly minRate: MinimumRate) {}

  /** Connects directly or through the route's proxy (a CONNECT tunnel). */
  static async open(target: URL, options: BlobGetOptions): Promise<BlobConnection> {
    const secure = target.protocol === 'https:'
    const {host, port, servername} = endpointOf(target)
    const route = routeFor(target, options.env)
    const ca = route.ca ?? options.ca
    const tunnel = route.proxy ? await openTunnel(route.proxy, `${target.hostname}:${port}`, ca, options) : undefined
    const connection = new BlobConnection(target.origin, options.idleTimeoutMs ?? IDLE_TIMEOUT_MS, options.minRate ?? MIN_RATE)
    const take = (data: Buffer): boolean => connection.receive(data)
    const onread = {buffer: Buffer.allocUnsafe(RECEIVE_BYTES), callback: (bytes: number, buffer: Buffer) => take(buffer.subarray(0, bytes))}
    const tlsOptions = {ALPNProtocols: ['http/1.1'], ca, servername}
    let socket: net.Socket
    if (tunnel) {
      // TLS over an existing socket ignores `onread`: through a proxy, reads come as 'data' events.
      socket = secure ? tls.connect({...tlsOptions, socket: tunnel}) : tunnel
      socket.on('data', take)
    } else if (secure) {
      // Node's TLS sockets take `onread` as TCP sockets do; @types/node declares it for net only.
      const direct: tls.ConnectionOptions & {onread: typeof onread} = {...tlsOptions, host, onread, port}
      socket = tls.connect(direct)
    } else {
      socket = net.connect({host, onread, port})
    }

    connection.attach(socket)
    return connection
  }

  /** Sends one GET and reads its answer; resolves once the body is complete. */
  request(request: string, handlers: BlobHandlers): Promise<void> {
    return new Promise((resolve, reject) => {
      const rateCheck = setInterval(() => this.checkRate(), this.minRate.windowMs)
      const exchange: Exchange = {
        parser: new ResponseParser(handlers),
        settle: error => {
          if (this.exchange !== exchange) return
          clearInterval(rateCheck)
          this.exchange = undefined
          if (error) {
            this.destroy()
            reject(error)
          } else {
            this.usable &&= exchange.parser.keepsConnection()
            resolve()
          }
        },
      }
      if (!this.usable) {
        clearInterval(rateCheck)
        this.destroy()
        reject(new DroppedError('closed'))
        return
      }

      this.exchange = exchange
      this.windowBytes = 0
      this.socket.write(request)
    })
  }

  destroy(): void {
    this.usable = false
    this.socket.destroy()
  }

  /** One read of the socket. */
  receive(data: Buffer): boolean {
    this.windowBytes += data.length
    const {exchange} = this
    if (!exchange) {
      // Bytes nobody asked for: the connection is not in a state to reuse.
      this.destroy()
      return false
    }

    try {
      if (exchange.parser.push(data)) exchange.settle()
    } catch (error) {
      exchange.settle(error as Error)
    }

    return this.usable
  }

  /** At the end of each window of the minimum rate: a GET that received less than the rate asks for ends. */
  private checkRate(): void {
    const {bytesPerSecond, windowMs} = this.minRate
    const received = this.windowBytes
    this.windowBytes = 0
    if (received < (bytesPerSecond * windowMs) / 1000) this.exchange?.settle(new SlowConnectionError(this.minRate, received))
  }

  private attach(socket: net.Socket): void {
    this.socket = socket
    // Between GETs the same timeout closes a kept connection nobody uses.
    socket.setTimeout(this.idleMs, () => {
      const {exchange} = this
      if (exchange) exchange.settle(new DroppedError(exchange.parser.answered ? 'stalled' : 'no-answer', this.idleMs))
      else this.destroy()
    })
    socket.on('error', error => {
      this.usable = false
      this.exchange?.settle(error)
    })
    socket.on('close', () => {
      this.usable = false
      const {exchange} = this
      if (!exchange) return
      // A body framed by the connection's end is complete when it closes; any other end before the body's is a drop.
      try {
        if (exchange.parser.endOfConnection()) exchange.settle()
        else exchange.settle(new DroppedError('closed'))
      } catch (error) {
        exchange.settle(error as Error)
      }
    })
  }
}

/**
 * An HTTP/1.1 GET of a pre-signed blob URL (S3) on a connection of its own, reading the body into one
 * reused buffer. A blob URL carries its own signature: no Authorization header is sent. The body may
 * be framed by Content-Length (what S3 sends), chunked, or the end of the connection. The proxy and
 * the CAs are the Heroku CLI's (shared/cli-network.ts): through a proxy, in a CONNECT tunnel. Resolves
 * when the body is complete; rejects with DroppedError when the connection ends or stalls before that,
 * with the socket's own error (ECONNRESET...) when it fails, or with whatever `onHead` or `onBody` threw.
 */
export async function getBlob(url: string, handlers: BlobHandlers, options: BlobGetOptions = {}): Promise<void> {
  const target = checkedUrl(url)
  const connection = await BlobConnection.open(target, options)
  try {
    await connection.request(requestText(target, options.headers, false), handlers)
  } finally {
    connection.destroy()
  }
}

/**
 * GETs of one blob's parts on connections kept open between them (HTTP/1.1 keep-alive), at most as many as
 * run at once. A new connection to S3 costs a TCP and a TLS handshake and starts TCP's slow start again: for
 * 4 MiB parts that is most of a part's time on a real network. A GET that fails before any answer on a kept
 * connection (the server closed it while idle) is sent again once on a new one. `close()` ends the idle ones.
 */
export class BlobAgent {
  private readonly idle: BlobConnection[] = []
  /** connections opened so far */
  opened = 0

  async get(url: string, handlers: BlobHandlers, options: BlobGetOptions = {}): Promise<void> {
    const target = checkedUrl(url)
    const request = requestText(target, options.headers, true)
    // One agent serves one download, with one set of options: the origin alone tells which connections fit
    // (the route to it, proxy or not, is the same for every GET).
    const kept = this.take(target.origin)
    if (kept) {
      let answered = false
      try {
        await kept.request(request, {
          onBody: handlers.onBody,
          onHead(status, headers) {
            answered = true
            handlers.onHead(status, headers)
          },
        })
        this.keep(kept)
        return
      } catch (error) {
        if (answered || !isStaleConnectionError(error)) throw error
      }
    }

    const connection = await BlobConnection.open(target, options)
    this.opened++
    // A GET that fails ends its connection (request() destroys it): only a clean one is kept.
    await connection.request(request, handlers)
    this.keep(connection)
  }

  /** Ends every idle connection. */
  close(): void {
    for (const connection of this.idle.splice(0)) connection.destroy()
  }

  private keep(connection: BlobConnection): void {
    if (connection.usable) this.idle.push(connection)
    else connection.destroy()
  }

  private take(origin: string): BlobConnection | undefined {
    for (let i = this.idle.length - 1; i >= 0; i--) {
      const connection = this.idle[i]
      if (!connection.usable) {
        this.idle.splice(i, 1)
        continue
      }

      if (connection.origin === origin) {
        this.idle.splice(i, 1)
        return connection
      }
    }

    return undefined
  }
}

/** How a kept connection the server closed while idle fails the next GET sent on it. */
function isStaleConnectionError(error: unknown): boolean {
  if (error instanceof DroppedError) return error.reason === 'closed'
  const code = (error as NodeJS.ErrnoException)?.code
  return code === 'ECONNRESET' || code === 'EPIPE'
}

/** Reads a response head, then its body by its framing, from successive reads of the socket. */
class ResponseParser {
  private readonly heads = new HeadReader('the server sent an oversized response head')
  private framing?: Framing
  /** chunked framing: bytes left in the current chunk, or what the parser waits for between chunks */
  private chunkLeft = 0
  private chunkState: 'crlf' | 'data' | 'size' | 'trailer' = 'size'
  private line = ''
  private keepAlive = false

  constructor(private readonly handlers: BlobHandlers) {}

  /** Takes one read; true once the body is complete. */
  push(data: Buffer): boolean {
    let rest = data
    if (!this.framing) {
      const body = this.readHead(rest)
      if (body === undefined) return false
      rest = body
    }

    const framing = this.framing!
    if (framing.kind === 'length' && framing.remaining === 0) return true
    return framing.kind === 'chunked' ? this.readChunked(rest) : this.readPlain(rest)
  }

  /** Whether the response head has arrived. */
  get answered(): boolean {
    return this.framing !== undefined
  }

  /** The connection ended: true if that completes the body (framed by the connection's end). */
  endOfConnection(): boolean {
    return this.framing?.kind === 'close'
  }

  /** After a complete body: whether the connection may carry another request (framed body, no `Connection: close`, HTTP/1.1). */
  keepsConnection(): boolean {
    return this.framing?.kind !== 'close' && this.keepAlive
  }

  /** Collects the head; returns the bytes after it once it is complete. */
  private readHead(data: Buffer): Buffer | undefined {
    const head = this.heads.push(data)
    if (!head) return undefined
    const {headers, rest, status, statusLine} = head
    if (!status) throw new BlobProtocolError(`the server did not answer in HTTP/1.1 (${JSON.stringify(statusLine.slice(0, 40))})`)
    // 1xx interim responses (100 Continue) come before the real one.
    if (status < 200) return rest.length > 0 ? this.readHead(rest) : undefined
    this.keepAlive = statusLine.startsWith('HTTP/1.1') && !/\bclose\b/i.test(headers.get('connection') ?? '')
    this.handlers.onHead(status, headers)
    const length = headers.get('content-length')
    if (/\bchunked\b/i.test(headers.get('transfer-encoding') ?? '')) this.framing = {kind: 'chunked'}
    else if (length !== undefined && /^\d+$/.test(length)) this.framing = {kind: 'length', remaining: Number(length)}
    else this.framing = {kind: 'close'}
    return rest
  }

  private readPlain(data: Buffer): boolean {
    const framing = this.framing!
    if (framing.kind !== 'length') {
      if (data.length > 0) this.handlers.onBody(data)
      return false
    }

    const take = Math.min(data.length, framing.remaining)
    if (take > 0) this.handlers.onBody(take === data.length ? data : data.subarray(0, take))
    // Bytes past the body: the connection is out of step with its requests, never to be reused.
    if (take < data.length) this.keepAlive = false
    framing.remaining -= take
    return framing.remaining === 0
  }

  private readChunked(data: Buffer): boolean {
    let i = 0
    while (i < data.length) {
      if (this.chunkState === 'data') {
        const take = Math.min(data.length - i, this.chunkLeft)
        this.handlers.onBody(data.subarray(i, i + take))
        i += take
        this.chunkLeft -= take
        if (this.chunkLeft === 0) this.chunkState = 'crlf'
        continue
      }

      // Size lines, the CRLF after each chunk and the trailer are short lines.
      const newline = data.indexOf(0x0a, i)
      const end = newline === -1 ? data.length : newline + 1
      this.line += data.toString('latin1', i, end)
      i = end
      if (newline === -1) {
        if (this.line.length > 4096) throw new BlobProtocolError('the server sent a malformed chunked body')
        continue
      }

      const line = this.line.trimEnd()
      this.line = ''
      if (this.chunkState === 'crlf') {
        if (line !== '') throw new BlobProtocolError('the server sent a malformed chunked body')
        this.chunkState = 'size'
      } else if (this.chunkState === 'size') {
        const size = Number.parseInt(line.split(';')[0], 16)
        if (!Number.isFinite(size) || size < 0) throw new BlobProtocolError('the server sent a malformed chunked body')
        this.chunkLeft = size
        this.chunkState = size === 0 ? 'trailer' : 'data'
      } else if (line === '') {
        // the empty line that ends the trailer ends the body
        if (i < data.length) this.keepAlive = false
        return true
      }
    }

    return false
  }
}
