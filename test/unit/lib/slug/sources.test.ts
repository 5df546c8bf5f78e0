import {expect} from 'chai'
import {createHash} from 'node:crypto'
import {existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {scanSlugFile, scanSlugUrl} from '../../../../src/lib/slug/sources.js'
import {type BlobResponder, sendBytes, serveBlobs} from '../../../helpers/blob-server.js'
import {buildSlug, incompressible} from '../../../helpers/slug-builder.js'

const slug = buildSlug([
  {content: incompressible(400_000), path: './app/models/w.bin'},
  {content: 'print("hi")\n'.repeat(1000), path: './app/app.py'},
])
const sha = createHash('sha256').update(slug).digest('hex')

/** A blob server on 127.0.0.1 where `behave` answers every path; `n` counts requests from 1. */
async function blobServer(behave: (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void) {
  let n = 0
  const responder: BlobResponder = (req, res) => behave(req, res, ++n)
  const server = await serveBlobs({}, responder)
  return {
    close: () => server.close(),
    requests: server.requests,
    // Paths without the signature query: the tests below tell URLs apart by req.url.
    url: (path = '/slug.tgz') => server.url(path.slice(1)).replace(/\?.*$/, ''),
  }
}

const sendFrom = (res: http.ServerResponse, req: http.IncomingMessage, body: Buffer) => sendBytes(body)(req, res)

describe('scanSlugUrl', () => {
  it('streams the blob with no Authorization header and checks the checksum', async () => {
    const server = await blobServer((req, res) => sendFrom(res, req, slug))
    try {
      const result = await scanSlugUrl({sha256: sha, size: slug.length, url: server.url()})
      expect(result.entries.map(e => e.path)).to.deep.equal(['models/w.bin', 'app.py'])
      expect(server.requests).to.have.length(1)
      expect(server.requests[0].headers.authorization).to.equal(undefined)
    } finally {
      await server.close()
    }
  })

  it('resumes a dropped connection with a Range request from the last byte', async () => {
    const cut = 150_000
    const server = await blobServer((req, res, n) => {
      if (n === 1) {
        // Announce the whole body, send part of it, then drop the connection.
        res.writeHead(200, {'Content-Length': slug.length})
        res.write(slug.subarray(0, cut), () => res.destroy())
        return
      }

      sendFrom(res, req, slug)
    })
    try {
      const result = await scanSlugUrl({sha256: sha, size: slug.length, url: server.url()}, {retryDelayMs: 1})
      expect(result.sha256).to.equal(sha)
      expect(server.requests).to.have.length(2)
      expect(server.requests[1].headers.range).to.match(/^bytes=\d+-$/)
      const resumedAt = Number(/bytes=(\d+)-/.exec(server.requests[1].headers.range!)![1])
      expect(resumedAt).to.be.above(0).and.at.most(cut)
    } finally {
      await server.close()
    }
  })

  it('gives up after the bounded number of resumes', async () => {
    const server = await blobServer((_req, res) => {
      res.writeHead(200, {'Content-Length': slug.length})
      res.write(slug.subarray(0, 10), () => res.destroy())
    })
    try {
      const error = await scanSlugUrl({size: slug.length, url: server.url()}, {maxResumes: 2, retryDelayMs: 1}).catch(error_ => error_)
      expect(error.message).to.match(/^The slug download kept failing: gave up after 2 resumes/)
      expect(server.requests).to.have.length(3)
    } finally {
      await server.close()
    }
  })

  it('fails on a checksum mismatch', async () => {
    const server = await blobServer((req, res) => sendFrom(res, req, slug))
    try {
      const error = await scanSlugUrl({sha256: 'ab'.repeat(32), url: server.url()}).catch(error_ => error_)
      expect(error.message).to.equal(`The slug's checksum does not match: Heroku says sha256 ${'ab'.repeat(32)}, the download has ${sha}.`)
    } finally {
      await server.close()
    }
  })

  it('fetches a fresh URL once when the blob URL has expired (403)', async () => {
    const server = await blobServer((req, res) => {
      if (req.url === '/expired') {
        res.writeHead(403).end('<Error>AccessDenied</Error>')
        return
      }

      sendFrom(res, req, slug)
    })
    try {
      let refreshed = 0
      const result = await scanSlugUrl({
        async refreshUrl() {
          refreshed++
          return server.url('/fresh')
        },
        url: server.url('/expired'),
      })
      expect(refreshed).to.equal(1)
      expect(result.sha256).to.equal(sha)
      expect(server.requests.map(r => r.path)).to.deep.equal(['/expired', '/fresh'])
    } finally {
      await server.close()
    }
  })

  it('says so when the URL is still refused after a refresh, or the blob is gone', async () => {
    const server = await blobServer((req, res) => res.writeHead(req.url === '/gone' ? 404 : 403).end())
    try {
      const expired = await scanSlugUrl({refreshUrl: async () => server.url('/again'), url: server.url()}).catch(error => error)
      expect(expired.message).to.match(/^The slug's download URL was refused \(HTTP 403\)/)
      const gone = await scanSlugUrl({url: server.url('/gone')}).catch(error => error)
      expect(gone.message).to.match(/^The slug's blob was not found \(HTTP 404\)/)
    } finally {
      await server.close()
    }
  })

  it('streams an HTTPS blob, and says in one line when its certificate cannot be trusted', async () => {
    const cert = readFileSync(new URL('../../../fixtures/tls/cert.pem', import.meta.url))
    const key = readFileSync(new URL('../../../fixtures/tls/key.pem', import.meta.url))
    const server = https.createServer({cert, key}, (req, res) => sendFrom(res, req, slug))
    await new Promise<void>(resolve => {
      server.listen(0, '127.0.0.1', resolve)
    })
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/slug.tgz`
    try {
      expect((await scanSlugUrl({sha256: sha, url}, {ca: cert})).sha256).to.equal(sha)
      const error = await scanSlugUrl({url}).catch((error_: Error) => error_)
      expect((error as Error).name).to.equal('UserError')
      expect((error as Error).message).to.match(/^The slug download failed: self[- ]signed certificate\.$/)
    } finally {
      server.close()
    }
  })

  it('keeps a copy with --save only when the download is complete and verified', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'save-'))
    const server = await blobServer((req, res) => sendFrom(res, req, slug))
    try {
      await scanSlugUrl({sha256: sha, url: server.url()}, {savePath: join(dir, 'ok.tgz')})
      expect(readFileSync(join(dir, 'ok.tgz')).equals(slug)).to.equal(true)
      await scanSlugUrl({sha256: '00'.repeat(32), url: server.url()}, {savePath: join(dir, 'bad.tgz')}).catch(() => {})
      expect(readdirSync(dir)).to.deep.equal(['ok.tgz'])
    } finally {
      await server.close()
    }
  })
})

describe('scanSlugFile', () => {
  it('scans a local slug file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'file-'))
    writeFileSync(join(dir, 'slug.tgz'), slug)
    const result = await scanSlugFile(join(dir, 'slug.tgz'))
    expect(result.compressedSize).to.equal(slug.length)
    expect(result.sha256).to.equal(sha)
  })

  it('gives a one-line error for a missing file or a folder', async () => {
    const missing = await scanSlugFile('/nonexistent/slug.tgz').catch(error => error)
    expect(missing.message).to.equal('Cannot read /nonexistent/slug.tgz: ENOENT.')
    const folder = await scanSlugFile(tmpdir()).catch(error => error)
    expect(folder.message).to.equal(`${tmpdir()} is not a file.`)
    expect(existsSync('/nonexistent')).to.equal(false)
  })
})
