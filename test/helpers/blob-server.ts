import http from 'node:http'
import type {AddressInfo} from 'node:net'

/** One request a blob server saw. */
export interface BlobRequest {
  path: string
  query: URLSearchParams
  headers: http.IncomingHttpHeaders
}

/** Answers one blob request; the default sends the bytes, honouring a Range header. */
export type BlobResponder = (req: http.IncomingMessage, res: http.ServerResponse) => void

export interface BlobServer {
  /** what a pre-signed slug URL looks like, on this server: `/<name>?X-Amz-Signature=abc` */
  url(name: string): string
  /** adds or replaces blobs */
  serve(blobs: Record<string, Buffer | BlobResponder>): void
  requests: BlobRequest[]
  /** connections accepted so far */
  connections(): number
  close(): Promise<void>
}

/** Sends `bytes`, or the range a Range header asks for (`bytes=START-` or `bytes=START-END`), as S3 does (206 with Content-Range). */
export function sendBytes(bytes: Buffer): (req: {headers: http.IncomingHttpHeaders}, res: http.ServerResponse) => void {
  return (req, res) => {
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '')
    const start = m ? Number(m[1]) : 0
    const end = m?.[2] ? Math.min(Number(m[2]), bytes.length - 1) : bytes.length - 1
    const range = m ? {'Content-Range': `bytes ${start}-${end}/${bytes.length}`} : {}
    res.writeHead(m ? 206 : 200, {'Content-Length': end - start + 1, 'Content-Type': 'application/octet-stream', ...range})
    res.end(bytes.subarray(start, end + 1))
  }
}

/**
 * A stand-in for S3 on 127.0.0.1 serving slug blobs by name. The plugin downloads blobs on sockets of
 * its own (src/lib/source/blob-client.ts), which nock does not intercept, so tests serve them for real.
 * An unknown name goes to `fallback`, else answers 404, like a deleted blob.
 */
export async function serveBlobs(initial: Record<string, Buffer | BlobResponder> = {}, fallback?: BlobResponder): Promise<BlobServer> {
  const blobs = {...initial}
  const requests: BlobRequest[] = []
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    requests.push({headers: req.headers, path: url.pathname, query: url.searchParams})
    const blob = Object.hasOwn(blobs, url.pathname.slice(1)) ? blobs[url.pathname.slice(1)] : undefined
    if (blob === undefined && fallback) fallback(req, res)
    else if (blob === undefined) res.writeHead(404).end('<Error><Code>NoSuchKey</Code></Error>')
    else if (Buffer.isBuffer(blob)) sendBytes(blob)(req, res)
    else blob(req, res)
  })
  let connections = 0
  server.on('connection', () => {
    connections++
  })
  await new Promise<void>(resolve => {
    server.listen(0, '127.0.0.1', resolve)
  })
  const {port} = server.address() as AddressInfo
  return {
    connections: () => connections,
    close: () => new Promise<void>(resolve => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
    requests,
    serve: more => Object.assign(blobs, more),
    url: name => `http://127.0.0.1:${port}/${name}?X-Amz-Signature=abc`,
  }
}
