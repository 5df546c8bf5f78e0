import {createReadStream} from 'node:fs'
import {stat} from 'node:fs/promises'
import http from 'node:http'
import type {AddressInfo} from 'node:net'

export interface FileServer {
  /** the URL serving `files[name]`, optionally paced to `rate` MB/s */
  url(name: string, rate?: number): string
  close(): Promise<void>
}

const sleep = (ms: number) => new Promise(resolve => {
  setTimeout(resolve, ms)
})

/**
 * A local stand-in for the S3 blob URL: serves files on 127.0.0.1, either as fast as loopback
 * goes or paced to a download rate (a real slug comes from S3 at tens to hundreds of MB/s).
 */
export async function serveFiles(files: Record<string, string>): Promise<FileServer> {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const path = files[url.pathname.slice(1)]
    if (!path) {
      res.writeHead(404).end()
      return
    }

    const rate = Number(url.searchParams.get('rate') ?? 0) * 1e6
    const {size} = await stat(path)
    res.writeHead(200, {'content-length': size, 'content-type': 'application/octet-stream'})
    const stream = createReadStream(path, {highWaterMark: 1024 * 1024})
    if (!rate) {
      stream.pipe(res)
      return
    }

    const started = performance.now()
    let sent = 0
    for await (const chunk of stream) {
      if (!res.write(chunk)) await new Promise(resolve => {
        res.once('drain', resolve)
      })
      sent += (chunk as Buffer).length
      const ahead = ((sent / rate) * 1000) - (performance.now() - started)
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
    url: (name, rate) => `http://127.0.0.1:${port}/${name}${rate ? `?rate=${rate}` : ''}`,
  }
}
