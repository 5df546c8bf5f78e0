import {type ChildProcess, spawn} from 'node:child_process'
import {request} from 'node:http'
import {createServer, type AddressInfo, connect, type Server, type Socket} from 'node:net'

/** A free TCP port on 127.0.0.1 (asked of the OS, then released). */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => {
    server.listen(0, '127.0.0.1', resolve)
  })
  const {port} = server.address() as AddressInfo
  await new Promise(resolve => {
    server.close(resolve)
  })
  return port
}

function answers(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const req = request({host: '127.0.0.1', method: 'GET', path: '/', port, timeout: 1000}, res => {
      res.resume()
      resolve(true)
    })
    req.on('error', () => resolve(false))
    req.on('timeout', () => {
      req.destroy()
      resolve(false)
    })
    req.end()
  })
}

export interface S3Server {
  endpoint: string
  port: number
  stop(): Promise<void>
}

const MISSING = 'moto_server is not installed (or not on PATH): the integration tests need a real S3 server on 127.0.0.1. Install it with pip install "moto[server]".'

/**
 * Starts `moto_server` on a free 127.0.0.1 port and resolves once it answers HTTP. There is no fallback and no
 * skip: without moto the suite fails with MISSING.
 */
export async function startMoto(): Promise<S3Server> {
  const port = await freePort()
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {stdio: ['ignore', 'ignore', 'pipe']})
  let stderr = ''
  child.stderr?.on('data', chunk => {
    stderr = (stderr + String(chunk)).slice(-2000)
  })
  let exited: Error | undefined
  child.on('error', error => {
    exited = (error as NodeJS.ErrnoException).code === 'ENOENT' ? new Error(MISSING) : error
  })
  child.on('exit', code => {
    exited ??= new Error(`moto_server exited with code ${code} before answering: ${stderr.trim()}`)
  })
  const deadline = Date.now() + 30_000
  while (!(await answers(port))) {
    if (exited) throw exited
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`moto_server did not answer on 127.0.0.1:${port} within 30 s: ${stderr.trim()}`)
    }

    await new Promise(resolve => {
      setTimeout(resolve, 200)
    })
  }

  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      const gone = new Promise(resolve => {
        child.once('exit', resolve)
      })
      child.kill('SIGTERM')
      await gone
    },
  }
}

export interface FaultyProxy {
  endpoint: string
  /** pass: forward everything; cut: drop any connection once it has sent more than `cutAfter` bytes */
  mode: 'cut' | 'pass'
  /** bytes each connection received from the client so far, summed over all connections */
  received: number
  stop(): Promise<void>
}

/**
 * A TCP proxy in front of an S3 server that can cut uploads mid-way, the way a dropped network does:
 * the client's request is forwarded until `cutAfter` bytes, then both sockets are destroyed.
 */
export async function startFaultyProxy(targetPort: number, cutAfter: number): Promise<FaultyProxy> {
  const sockets = new Set<Socket>()
  const proxy: FaultyProxy = {endpoint: '', mode: 'cut', received: 0, async stop() {}}
  const server: Server = createServer(client => {
    const upstream = connect(targetPort, '127.0.0.1')
    sockets.add(client).add(upstream)
    let sent = 0
    const drop = () => {
      client.destroy()
      upstream.destroy()
    }

    client.on('data', chunk => {
      sent += chunk.length
      proxy.received += chunk.length
      if (proxy.mode === 'cut' && sent > cutAfter) drop()
      else upstream.write(chunk)
    })
    upstream.on('data', chunk => client.write(chunk))
    client.on('end', () => upstream.end())
    upstream.on('end', () => client.end())
    client.on('error', drop)
    upstream.on('error', drop)
    client.on('close', () => sockets.delete(client))
    upstream.on('close', () => sockets.delete(upstream))
  })
  await new Promise<void>(resolve => {
    server.listen(0, '127.0.0.1', resolve)
  })
  proxy.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  proxy.stop = async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise(resolve => {
      server.close(resolve)
    })
  }

  return proxy
}

/** An HTTP server that answers every request with S3's 403 AccessDenied, as a bucket policy denial does. */
export async function startForbiddenS3(): Promise<{endpoint: string, requests: number, stop(): Promise<void>}> {
  const {createServer: createHttpServer} = await import('node:http')
  const state = {endpoint: '', requests: 0, async stop() {}}
  const server = createHttpServer((req, res) => {
    state.requests++
    req.resume()
    req.on('end', () => {
      const body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>1</RequestId></Error>'
      res.writeHead(403, {'Content-Type': 'application/xml', ...(req.method === 'HEAD' ? {} : {'Content-Length': Buffer.byteLength(body)})})
      res.end(req.method === 'HEAD' ? undefined : body)
    })
  })
  await new Promise<void>(resolve => {
    server.listen(0, '127.0.0.1', resolve)
  })
  state.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  state.stop = async () => {
    server.closeAllConnections()
    await new Promise(resolve => {
      server.close(resolve)
    })
  }

  return state
}
