import type http from 'node:http'
import net, {type AddressInfo} from 'node:net'

import {type BlobResponder, sendBytes} from './blob-server.js'

/**
 * Blob responders that misbehave the ways S3, a proxy or a flaky network do, for serveBlobs
 * (test/helpers/blob-server.ts). Each holds or answers the connection; none sleeps on its own.
 */

/** Accepts the request and never answers: a server that stalls before its headers. */
export const silent: BlobResponder = () => {}

/** Announces the whole blob (from the Range asked for), sends it up to byte `bytes`, then goes silent. */
export function stallAfter(blob: Buffer, bytes: number): BlobResponder {
  return (req, res) => {
    const start = Number(/bytes=(\d+)-/.exec(req.headers.range ?? '')?.[1] ?? 0)
    res.writeHead(start > 0 ? 206 : 200, {'Content-Length': blob.length - start})
    res.write(blob.subarray(start, Math.max(start, bytes)))
  }
}

/** A complete, well-framed answer that holds only the first `bytes` of the blob (and 416 past them). */
export function truncatedBlob(blob: Buffer, bytes: number): BlobResponder {
  const send = sendBytes(blob.subarray(0, bytes))
  return (req, res) => {
    const start = Number(/bytes=(\d+)-/.exec(req.headers.range ?? '')?.[1] ?? 0)
    if (start >= bytes) res.writeHead(416, {'Content-Range': `bytes */${bytes}`}).end()
    else send(req, res)
  }
}

/** Answers the first `times` requests with `status` (and `headers`), then hands over to `then`. */
export function failFirst(times: number, status: number, headers: http.OutgoingHttpHeaders, then: BlobResponder): BlobResponder {
  let seen = 0
  return (req, res) => {
    if (++seen <= times) res.writeHead(status, headers).end()
    else then(req, res)
  }
}

/** A port on 127.0.0.1 where nothing listens: connecting to it is refused (ECONNREFUSED). */
export async function refusingPort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>(resolve => {
    server.listen(0, '127.0.0.1', resolve)
  })
  const {port} = server.address() as AddressInfo
  await new Promise<void>(resolve => {
    server.close(() => resolve())
  })
  return port
}

/** Announces the whole blob, then sends it `bytes` at a time every `everyMs`: a server that never stalls yet never finishes. */
export function trickle(blob: Buffer, bytes: number, everyMs: number): BlobResponder {
  return (_req, res) => {
    res.writeHead(200, {'Content-Length': blob.length})
    let sent = 0
    const timer = setInterval(() => {
      if (sent >= blob.length) {
        clearInterval(timer)
        res.end()
        return
      }

      res.write(blob.subarray(sent, sent + bytes))
      sent += bytes
    }, everyMs)
    res.on('close', () => clearInterval(timer))
  }
}
