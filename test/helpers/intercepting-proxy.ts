import {readFileSync} from 'node:fs'
import http from 'node:http'
import type {AddressInfo, Socket} from 'node:net'
import tls from 'node:tls'

const tlsDir = new URL('../fixtures/tls/', import.meta.url)
/** The test's private CA: what a company installs on its laptops to trust its TLS-inspecting proxy. */
export const privateCaPath = new URL('private-ca.pem', tlsDir).pathname
export const privateCa = readFileSync(privateCaPath)
const cert = readFileSync(new URL('intercept-cert.pem', tlsDir))
const key = readFileSync(new URL('intercept-key.pem', tlsDir))

export interface InterceptingProxy {
  /** `http://127.0.0.1:PORT`, for HTTPS_PROXY */
  url: string
  /** the CONNECT targets asked for, host:port */
  connects: string[]
  /** the decrypted requests: the Host header and the path */
  requests: Array<{host?: string; path?: string; authorization?: string}>
  close(): Promise<void>
}

/**
 * A TLS-inspecting CONNECT proxy on 127.0.0.1, as companies run them: it accepts CONNECT to any host,
 * terminates the TLS inside the tunnel with a certificate signed by the test's private CA
 * (test/fixtures/tls), and forwards each decrypted request to the plain-http server on 127.0.0.1 at
 * `upstreamPort`, whatever host the client asked for. A client that does not trust the private CA
 * fails its handshake; one that does reaches the upstream through the proxy only (the hosts it names,
 * like blobs.test, resolve nowhere).
 */
export async function interceptingProxy(upstreamPort: number): Promise<InterceptingProxy> {
  const connects: string[] = []
  const requests: InterceptingProxy['requests'] = []
  const sockets = new Set<Socket>()
  const inner = http.createServer((req, res) => {
    requests.push({authorization: req.headers.authorization, host: req.headers.host, path: req.url})
    const upstream = http.request({headers: req.headers, host: '127.0.0.1', method: req.method, path: req.url, port: upstreamPort}, answer => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    upstream.on('error', () => res.destroy())
    res.on('close', () => upstream.destroy())
    req.pipe(upstream)
  })
  const outer = http.createServer((_req, res) => res.writeHead(405).end())
  outer.on('connect', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    connects.push(req.url ?? '')
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
    if (head.length > 0) socket.unshift(head)
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
    const decrypted = new tls.TLSSocket(socket, {cert, isServer: true, key})
    decrypted.on('error', () => socket.destroy())
    inner.emit('connection', decrypted)
  })
  await new Promise<void>(resolve => {
    outer.listen(0, '127.0.0.1', resolve)
  })
  const {port} = outer.address() as AddressInfo
  return {
    close: () => new Promise<void>(resolve => {
      for (const socket of sockets) socket.destroy()
      inner.closeAllConnections()
      outer.closeAllConnections()
      outer.close(() => resolve())
    }),
    connects,
    requests,
    url: `http://127.0.0.1:${port}`,
  }
}
