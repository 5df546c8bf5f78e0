import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import net, {type AddressInfo} from 'node:net'

import {BlobAgent, BlobProtocolError, DroppedError, getBlob} from '../../../../src/lib/source/blob-client.js'
import {rejection} from '../../../helpers/rejection.js'

const tlsDir = new URL('../../../fixtures/tls/', import.meta.url)
const cert = readFileSync(new URL('cert.pem', tlsDir))
const key = readFileSync(new URL('key.pem', tlsDir))
const body = Buffer.from(Array.from({length: 3_000_000}, (_, i) => (i * 7) % 251))

type Listener = http.Server | https.Server | net.Server

async function listen<T extends Listener>(server: T): Promise<{server: T; port: number; close(): Promise<void>}> {
  await new Promise<void>(resolve => {
    server.listen(0, '127.0.0.1', resolve)
  })
  return {
    close: () => new Promise<void>(resolve => {
      if ('closeAllConnections' in server) server.closeAllConnections()
      server.close(() => resolve())
    }),
    port: (server.address() as AddressInfo).port,
    server,
  }
}

/** Collects what getBlob hands out: the head, and a copy of the body. */
function collector() {
  const pieces: Buffer[] = []
  const arrayBuffers = new Set<ArrayBufferLike>()
  let count = 0
  let head: {status: number; headers: Map<string, string>} | undefined
  return {
    arrayBuffers,
    body: () => Buffer.concat(pieces),
    handlers: {
      onBody(chunk: Buffer) {
        count++
        arrayBuffers.add(chunk.buffer)
        pieces.push(Buffer.from(chunk))
      },
      onHead(status: number, headers: Map<string, string>) {
        head = {headers, status}
      },
    },
    head: () => head,
    pieces: () => count,
  }
}

describe('getBlob', () => {
  it('reads a Content-Length body through one reused receive buffer, sending the Range header and no Authorization', async () => {
    let seen: http.IncomingHttpHeaders = {}
    const local = await listen(http.createServer((req, res) => {
      seen = req.headers
      res.writeHead(206, {'Content-Length': body.length, 'X-Amz-Request-Id': 'abc'})
      // Many writes, so the body arrives in many reads.
      for (let i = 0; i < body.length; i += 100_000) res.write(body.subarray(i, i + 100_000))
      res.end()
    }))
    try {
      const got = collector()
      await getBlob(`http://127.0.0.1:${local.port}/slugs/x.tgz?X-Amz-Signature=s%2Fig`, got.handlers, {headers: {Range: 'bytes=10-'}})
      expect(got.body().equals(body)).to.equal(true)
      expect(got.head()?.status).to.equal(206)
      expect(got.head()?.headers.get('x-amz-request-id')).to.equal('abc')
      // Every piece is a view of the one receive buffer (or of the head's copy, when the head came in two reads).
      expect(got.pieces()).to.be.above(10)
      expect(got.arrayBuffers.size).to.be.at.most(2)
      expect(seen.range).to.equal('bytes=10-')
      expect(seen.authorization).to.equal(undefined)
      expect(seen.host).to.equal(`127.0.0.1:${local.port}`)
    } finally {
      await local.close()
    }
  })

  it('decodes a chunked body', async () => {
    const local = await listen(http.createServer((_req, res) => {
      // No Content-Length: node sends Transfer-Encoding: chunked, one chunk per write.
      for (let i = 0; i < body.length; i += 70_001) res.write(body.subarray(i, i + 70_001))
      res.end()
    }))
    try {
      const got = collector()
      await getBlob(`http://127.0.0.1:${local.port}/`, got.handlers)
      expect(got.head()?.headers.get('transfer-encoding')).to.equal('chunked')
      expect(got.body().equals(body)).to.equal(true)
    } finally {
      await local.close()
    }
  })

  it('reads a body that ends with the connection when no length is given', async () => {
    const local = await listen(net.createServer(socket => {
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n')
        socket.end(body.subarray(0, 500_000))
      })
    }))
    try {
      const got = collector()
      await getBlob(`http://127.0.0.1:${local.port}/`, got.handlers)
      expect(got.body().equals(body.subarray(0, 500_000))).to.equal(true)
    } finally {
      await local.close()
    }
  })

  it('reads over TLS, verifying the server certificate', async () => {
    const local = await listen(https.createServer({cert, key}, (_req, res) => {
      res.writeHead(200, {'Content-Length': body.length})
      res.end(body)
    }))
    try {
      const got = collector()
      await getBlob(`https://127.0.0.1:${local.port}/blob`, got.handlers, {ca: cert})
      expect(got.body().equals(body)).to.equal(true)
      expect(got.pieces()).to.be.above(10)
      expect(got.arrayBuffers.size).to.be.at.most(2)
      // Without the test CA the self-signed certificate is refused.
      const refused = await rejection(getBlob(`https://127.0.0.1:${local.port}/blob`, collector().handlers))
      expect((refused as NodeJS.ErrnoException).code).to.match(/SELF_SIGNED|UNABLE_TO_VERIFY/)
    } finally {
      await local.close()
    }
  })

  it('rejects with DroppedError when the connection ends before the announced length, or stalls', async () => {
    const cut = await listen(http.createServer((_req, res) => {
      res.writeHead(200, {'Content-Length': body.length})
      res.write(body.subarray(0, 1000), () => res.destroy())
    }))
    const stalled = await listen(http.createServer((_req, res) => {
      res.writeHead(200, {'Content-Length': body.length})
      res.write(body.subarray(0, 1000))
    }))
    try {
      const got = collector()
      const early = await rejection(getBlob(`http://127.0.0.1:${cut.port}/`, got.handlers))
      expect(early).to.be.instanceOf(DroppedError)
      expect(got.body().equals(body.subarray(0, 1000))).to.equal(true)
      const stall = await rejection(getBlob(`http://127.0.0.1:${stalled.port}/`, collector().handlers, {idleTimeoutMs: 200}))
      expect(stall).to.be.instanceOf(DroppedError)
      expect((stall as Error).message).to.equal('the connection stalled')
    } finally {
      await cut.close()
      await stalled.close()
    }
  })

  it('stops with the error onHead throws, and refuses an answer that is not HTTP', async () => {
    const refused = await listen(http.createServer((_req, res) => res.writeHead(403).end('<Error>AccessDenied</Error>')))
    const garbage = await listen(net.createServer(socket => {
      socket.once('data', () => socket.end('SSH-2.0-OpenSSH_9.2\r\n\r\n'))
    }))
    try {
      const denied = await rejection(getBlob(`http://127.0.0.1:${refused.port}/`, {
        onBody() {},
        onHead(status) {
          throw new Error(`status ${status}`)
        },
      }))
      expect((denied as Error).message).to.equal('status 403')
      const notHttp = await rejection(getBlob(`http://127.0.0.1:${garbage.port}/`, collector().handlers))
      expect(notHttp).to.be.instanceOf(BlobProtocolError)
      expect((notHttp as Error).message).to.match(/did not answer in HTTP\/1\.1/)
    } finally {
      await refused.close()
      await garbage.close()
    }
  })
})

/** A server on 127.0.0.1 that answers every request with these raw pieces, each written separately after a pause. */
async function rawServer(pieces: Array<Buffer | string>) {
  return listen(net.createServer(socket => {
    socket.once('data', async () => {
      for (const piece of pieces) {
        socket.write(piece)
        await new Promise(resolve => {
          setTimeout(resolve, 5)
        })
      }

      socket.end()
    })
  }))
}

describe('getBlob: the edges of HTTP/1.1 framing', () => {
  it('reads a head split across reads, after a 100 Continue, and a chunked body with extensions and a trailer', async () => {
    const local = await rawServer([
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Enc',
      'oding: chunked\r\nX-Part: 2\r\n\r\n5;name=value\r\nhello\r\n',
      '6\r\n world\r\n0\r\nX-Checksum: abc\r\n\r\n',
    ])
    try {
      const got = collector()
      await getBlob(`http://127.0.0.1:${local.port}/`, got.handlers)
      expect(got.head()?.status).to.equal(200)
      expect(got.head()?.headers.get('x-part')).to.equal('2')
      expect(got.body().toString()).to.equal('hello world')
    } finally {
      await local.close()
    }
  })

  it('refuses a malformed chunked body and an endless head', async () => {
    const badChunk = await rawServer(['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'])
    const endless = await rawServer(['HTTP/1.1 200 OK\r\n', `X-Long: ${'a'.repeat(70 * 1024)}`])
    try {
      const chunkError = await rejection(getBlob(`http://127.0.0.1:${badChunk.port}/`, collector().handlers))
      expect(chunkError).to.be.instanceOf(BlobProtocolError)
      expect((chunkError as Error).message).to.equal('the server sent a malformed chunked body')
      const headError = await rejection(getBlob(`http://127.0.0.1:${endless.port}/`, collector().handlers))
      expect((headError as Error).message).to.equal('the server sent an oversized response head')
    } finally {
      await badChunk.close()
      await endless.close()
    }
  })

  it('stops at Content-Length even if the server sends more, and takes an empty body', async () => {
    const extra = await rawServer(['HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcdef'])
    const empty = await rawServer(['HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'])
    try {
      const got = collector()
      await getBlob(`http://127.0.0.1:${extra.port}/`, got.handlers)
      expect(got.body().toString()).to.equal('abc')
      const none = collector()
      await getBlob(`http://127.0.0.1:${empty.port}/`, none.handlers)
      expect([none.head()?.status, none.pieces()]).to.deep.equal([200, 0])
    } finally {
      await extra.close()
      await empty.close()
    }
  })
})

/** A CONNECT proxy on 127.0.0.1 that wants `user:p@ss`, recording what it was asked. */
async function connectProxy() {
  const asked: Array<{target: string; auth?: string}> = []
  const proxy = http.createServer((_req, res) => res.writeHead(405).end())
  proxy.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    asked.push({auth: req.headers['proxy-authorization'], target: req.url ?? ''})
    if (req.headers['proxy-authorization'] !== `Basic ${Buffer.from('user:p@ss').toString('base64')}`) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n')
      return
    }

    const [host, port] = (req.url ?? '').split(':')
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length > 0) upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
  })
  return {...(await listen(proxy)), asked}
}

describe('getBlob through a proxy', () => {
  it('tunnels an https download through HTTPS_PROXY with the proxy URL\'s credentials', async () => {
    const blobs = await listen(https.createServer({cert, key}, (_req, res) => {
      res.writeHead(200, {'Content-Length': body.length})
      res.end(body)
    }))
    const proxy = await connectProxy()
    try {
      const got = collector()
      const env = {HTTPS_PROXY: `http://user:p%40ss@127.0.0.1:${proxy.port}`}
      await getBlob(`https://localhost:${blobs.port}/blob?X-Amz-Signature=s`, got.handlers, {ca: cert, env})
      expect(got.body().equals(body)).to.equal(true)
      expect(proxy.asked.map(a => a.target)).to.deep.equal([`localhost:${blobs.port}`])
    } finally {
      await proxy.close()
      await blobs.close()
    }
  })

  it('tunnels a plain http download through HTTP_PROXY, as the CLI\'s http-call does', async () => {
    const blobs = await listen(http.createServer((_req, res) => {
      res.writeHead(200, {'Content-Length': body.length})
      res.end(body)
    }))
    const proxy = await connectProxy()
    try {
      const got = collector()
      await getBlob(`http://127.0.0.1:${blobs.port}/blob`, got.handlers, {env: {HTTP_PROXY: `http://user:p%40ss@127.0.0.1:${proxy.port}`}})
      expect(got.body().equals(body)).to.equal(true)
      expect(proxy.asked.map(a => a.target)).to.deep.equal([`127.0.0.1:${blobs.port}`])
    } finally {
      await proxy.close()
      await blobs.close()
    }
  })

  it('says in one line that the proxy refused, naming the proxy but not its credentials', async () => {
    const proxy = await connectProxy()
    try {
      const env = {HTTPS_PROXY: `http://user:wrong-secret@127.0.0.1:${proxy.port}`}
      const error = await rejection(getBlob('https://localhost:9/blob', collector().handlers, {env}))
      expect(error).to.be.instanceOf(BlobProtocolError)
      expect((error as Error).message).to.equal(`the proxy 127.0.0.1:${proxy.port} refused to connect to localhost:9 (HTTP 407)`)
      expect((error as Error).message).not.to.include('wrong-secret')
    } finally {
      await proxy.close()
    }
  })
})

/** An HTTP server that serves `body` by Range and counts the connections it accepted. */
async function rangeServer(onRequest?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean) {
  const seen = {connections: 0, requests: [] as http.IncomingHttpHeaders[]}
  const server = http.createServer((req, res) => {
    seen.requests.push(req.headers)
    if (onRequest?.(req, res)) return
    const [start, end] = (req.headers.range ?? 'bytes=0-').slice(6).split('-').map(Number)
    const last = Number.isNaN(end) ? body.length - 1 : end
    res.writeHead(206, {'Content-Length': last - start + 1, 'Content-Range': `bytes ${start}-${last}/${body.length}`})
    res.end(body.subarray(start, last + 1))
  })
  server.on('connection', () => {
    seen.connections++
  })
  return {...(await listen(server)), seen}
}

function part(agent: BlobAgent, port: number, start: number, end: number): Promise<Buffer> {
  const got = collector()
  return agent.get(`http://127.0.0.1:${port}/blob`, got.handlers, {headers: {Range: `bytes=${start}-${end}`}}).then(() => got.body())
}

describe('BlobAgent: connections kept between the GETs of a blob\'s parts', () => {
  it('sends successive GETs on one connection, and at most one connection per GET at once', async () => {
    const local = await rangeServer()
    const agent = new BlobAgent()
    try {
      for (let i = 0; i < 5; i++) expect((await part(agent, local.port, i * 1000, (i * 1000) + 999)).equals(body.subarray(i * 1000, (i + 1) * 1000))).to.equal(true)
      expect(local.seen.connections).to.equal(1)
      for (let round = 0; round < 3; round++) {
        const bodies = await Promise.all([0, 1, 2].map(i => part(agent, local.port, i * 10, (i * 10) + 9)))
        expect(bodies.map(b => b.length)).to.deep.equal([10, 10, 10])
      }

      expect(local.seen.connections).to.equal(3)
      expect(agent.opened).to.equal(3)
      expect(local.seen.requests.every(h => h.connection === 'keep-alive')).to.equal(true)
    } finally {
      agent.close()
      await local.close()
    }
  })

  it('does not reuse a connection the server answered with Connection: close, nor one a GET failed on', async () => {
    let n = 0
    const local = await rangeServer((_req, res) => {
      n++
      if (n === 1) {
        res.writeHead(206, {Connection: 'close', 'Content-Length': 3, 'Content-Range': `bytes 0-2/${body.length}`})
        res.end(body.subarray(0, 3))
        return true
      }

      if (n === 2) {
        // Announces more than it sends, then hangs up: a drop.
        res.writeHead(206, {'Content-Length': 100, 'Content-Range': `bytes 0-99/${body.length}`})
        res.write(body.subarray(0, 10))
        res.socket?.destroy()
        return true
      }

      return false
    })
    const agent = new BlobAgent()
    try {
      expect((await part(agent, local.port, 0, 2)).length).to.equal(3)
      const error = await rejection(part(agent, local.port, 0, 99))
      expect(error).to.be.instanceOf(DroppedError)
      expect((await part(agent, local.port, 0, 9)).equals(body.subarray(0, 10))).to.equal(true)
      expect(local.seen.connections).to.equal(3)
    } finally {
      agent.close()
      await local.close()
    }
  })

  it('sends a GET again on a new connection when the kept one was closed by the server, once', async () => {
    // A raw server: its first connection answers one GET, then hangs up at the next without a word, as an
    // S3 front end closing an idle keep-alive connection at the moment a request arrives.
    let connections = 0
    const local = await listen(net.createServer(socket => {
      connections++
      const mine = connections
      let requests = 0
      socket.on('data', data => {
        if (!data.includes('\r\n\r\n')) return
        requests++
        if (mine === 1 && requests === 2) {
          socket.destroy()
          return
        }

        socket.write(`HTTP/1.1 206 Partial Content\r\nContent-Length: 4\r\nContent-Range: bytes 0-3/${body.length}\r\n\r\n`)
        socket.write(body.subarray(0, 4))
      })
      socket.on('error', () => {})
    }))
    const agent = new BlobAgent()
    try {
      expect((await part(agent, local.port, 0, 3)).length).to.equal(4)
      expect((await part(agent, local.port, 0, 3)).equals(body.subarray(0, 4))).to.equal(true)
      expect(connections).to.equal(2)
    } finally {
      agent.close()
      await local.close()
    }
  })

  it('ends its idle connections on close()', async () => {
    const local = await rangeServer()
    const agent = new BlobAgent()
    try {
      await part(agent, local.port, 0, 9)
      const count = () => new Promise<number>(resolve => {
        local.server.getConnections((_error, n) => resolve(n))
      })
      expect(await count()).to.equal(1)
      agent.close()
      for (let i = 0; i < 50 && (await count()) > 0; i++) await new Promise(resolve => {
        setTimeout(resolve, 10)
      })
      expect(await count()).to.equal(0)
    } finally {
      await local.close()
    }
  })
})
