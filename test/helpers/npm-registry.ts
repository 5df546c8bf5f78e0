import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'

/** One version the test registry serves: its manifest's fields, and the tarball's bytes. */
export interface FakeVersion {
  name: string
  version: string
  /** dist.unpackedSize (left out: the registry gives none, as for packages published before npm 5) */
  unpackedSize?: number
  fileCount?: number
  tarball: Buffer
  os?: string[]
  cpu?: string[]
  libc?: string[]
}

/** A registry on 127.0.0.1 serving version manifests (`/name/version`, scoped names as `@scope%2fname`) and tarballs. */
export class FakeNpmRegistry {
  /** every request, as "METHOD path" */
  readonly requests: string[] = []
  private readonly server: Server
  private readonly versions = new Map<string, FakeVersion>()

  constructor(versions: FakeVersion[]) {
    for (const v of versions) this.versions.set(`${v.name}@${v.version}`, v)
    this.server = createServer((req, res) => {
      this.requests.push(`${req.method} ${req.url}`)
      const path = decodeURIComponent(req.url ?? '').slice(1)
      const tarball = /^(.+)\/-\/[^/]+-(\d[^/]*)\.tgz$/.exec(path)
      if (tarball) {
        const found = this.versions.get(`${tarball[1]}@${tarball[2]}`)
        if (!found) return res.writeHead(404).end()
        res.writeHead(200, {'content-length': found.tarball.length, 'content-type': 'application/octet-stream'})
        return res.end(req.method === 'HEAD' ? undefined : found.tarball)
      }

      const at = path.lastIndexOf('/')
      const found = this.versions.get(`${path.slice(0, at)}@${path.slice(at + 1)}`)
      if (!found) return res.writeHead(404, {'content-type': 'application/json'}).end('{"error":"Not found"}')
      const base = found.name.split('/').at(-1)
      const manifest = {
        cpu: found.cpu,
        dist: {fileCount: found.fileCount, tarball: `${this.url}${found.name}/-/${base}-${found.version}.tgz`, unpackedSize: found.unpackedSize},
        libc: found.libc,
        name: found.name,
        os: found.os,
        version: found.version,
      }
      res.writeHead(200, {'content-type': 'application/json'}).end(JSON.stringify(manifest))
    })
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`
  }

  async start(): Promise<this> {
    await new Promise<void>(resolve => {
      this.server.listen(0, '127.0.0.1', resolve)
    })
    return this
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise(resolve => {
      this.server.close(resolve)
    })
  }
}
