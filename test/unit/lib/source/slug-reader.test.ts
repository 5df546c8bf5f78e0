import {expect} from 'chai'
import {execFile} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import net from 'node:net'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'

import {scanSlugFile, scanSlugUrl} from '../../../../src/lib/source/slug-reader.js'
import {failFirst, refusingPort, silent, stallAfter, trickle, truncatedBlob} from '../../../helpers/blob-faults.js'
import {type BlobResponder, sendBytes, serveBlobs} from '../../../helpers/blob-server.js'
import {interceptingProxy, privateCaPath} from '../../../helpers/intercepting-proxy.js'
import {rejection} from '../../../helpers/rejection.js'
import {buildSlug, incompressible} from '../../../helpers/slug-builder.js'

const slug = buildSlug([
  {content: incompressible(400_000), path: './app/models/w.bin'},
  {content: 'print("hi")\n'.repeat(1000), path: './app/app.py'},
])
const sha = createHash('sha256').update(slug).digest('hex')
const cert = readFileSync(new URL('../../../fixtures/tls/cert.pem', import.meta.url))
const key = readFileSync(new URL('../../../fixtures/tls/key.pem', import.meta.url))
const REBUILD = 'Rebuild the app to get a new slug.'
const SAVE_ADVICE = 'Try again later; once a download completes, --save slug.tgz keeps a copy that --file slug.tgz reads without downloading again.'
const untrusted = (code: string) => `is not signed by a CA this machine trusts (${code}); behind a TLS-inspecting proxy, point SSL_CERT_FILE or NODE_EXTRA_CA_CERTS at its CA certificate`
/** Fast timeouts: a stall is noticed after 100 ms, the whole download gives up after 600 ms without a byte. */
const fast = {idleTimeoutMs: 100, retryBudgetMs: 600, retryDelayMs: 10}

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
      const error = await rejection(scanSlugUrl({size: slug.length, url: server.url()}, {maxResumes: 2, retryDelayMs: 1}))
      expect(error.message).to.match(/^The slug download kept failing: the connection dropped at 10 B of [\d.]+ kB \(3 attempts in \d+ s\)\. Try again later/)
      expect(error.message).to.include(SAVE_ADVICE)
      expect(server.requests).to.have.length(3)
    } finally {
      await server.close()
    }
  })

  it('fails on a checksum mismatch', async () => {
    const server = await blobServer((req, res) => sendFrom(res, req, slug))
    try {
      const error = await rejection(scanSlugUrl({sha256: 'ab'.repeat(32), url: server.url()}))
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
      const expired = await rejection(scanSlugUrl({refreshUrl: async () => server.url('/again'), url: server.url()}))
      expect(expired.message).to.match(/^The slug's download URL was refused \(HTTP 403\)/)
      const gone = await rejection(scanSlugUrl({url: server.url('/gone')}))
      expect(gone.message).to.match(/^The slug's blob was not found \(HTTP 404\)/)
    } finally {
      await server.close()
    }
  })

  it('streams an HTTPS blob, and says in one line when its certificate cannot be trusted', async () => {
    const server = https.createServer({cert, key}, (req, res) => sendFrom(res, req, slug))
    await new Promise<void>(resolve => {
      server.listen(0, '127.0.0.1', resolve)
    })
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      expect((await scanSlugUrl({sha256: sha, url: `https://${host}/slug.tgz`}, {ca: cert})).sha256).to.equal(sha)
      const error = await rejection(scanSlugUrl({url: `https://${host}/slug.tgz`}))
      expect(error.name).to.equal('UserError')
      // The plugin's words and OpenSSL's code, never node's message (it changed in node 24).
      expect(error.message).to.equal(`The slug download failed: the certificate of ${host} ${untrusted('DEPTH_ZERO_SELF_SIGNED_CERT')}.`)
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
      const bad = await rejection(scanSlugUrl({sha256: '00'.repeat(32), url: server.url()}, {savePath: join(dir, 'bad.tgz')}))
      expect(bad.message).to.match(/^The slug's checksum does not match: Heroku says sha256 0{64}, the download has [0-9a-f]{64}\.$/)
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
    const missing = await rejection(scanSlugFile('/nonexistent/slug.tgz'))
    expect(missing.message).to.equal('Cannot read /nonexistent/slug.tgz: ENOENT.')
    const folder = await rejection(scanSlugFile(tmpdir()))
    expect(folder.message).to.equal(`${tmpdir()} is not a file.`)
    expect(existsSync('/nonexistent')).to.equal(false)
  })
})

describe('scanSlugUrl under faults: every wait bounded, every failure in one line', () => {
  let server: Awaited<ReturnType<typeof serveBlobs>>

  beforeEach(async () => {
    server = await serveBlobs()
  })

  afterEach(async () => {
    await server.close()
  })

  it('notices a blob that stops sending after its headers within the idle timeout, and says how far it got', async () => {
    server.serve({'slug.tgz': stallAfter(slug, 150_000)})
    const started = Date.now()
    const error = await rejection(scanSlugUrl({size: slug.length, url: server.url('slug.tgz')}, fast))
    expect(error.message).to.match(/^The slug download stalled: the server stopped sending after 150 kB of [\d.]+ kB \(nothing came for 0\.1 s; \d attempts in \d s\)\. /)
    expect(error.message).to.include(SAVE_ADVICE)
    // The first attempt got 150 kB, the resumes nothing: the budget (600 ms without a byte) ends it.
    expect(Date.now() - started).to.be.below(2000)
    expect(server.requests.length).to.be.within(2, 6)
    expect(server.requests[1].headers.range).to.equal('bytes=150000-')
  })

  it('notices a server that never answers, and bounds the whole download by the retry budget', async () => {
    server.serve({'slug.tgz': silent})
    const started = Date.now()
    const error = await rejection(scanSlugUrl({size: slug.length, url: server.url('slug.tgz')}, {...fast, maxResumes: 100}))
    expect(error.message).to.match(/^The slug download stalled: the server did not answer for 0\.1 s, at 0 B of [\d.]+ kB \(\d attempts in \d s\)\. Try again later/)
    expect(Date.now() - started).to.be.below(1500)
    expect(server.requests.length).to.be.within(2, 7)
  })

  it('ends a blob trickling a byte at a time (never idle) by the minimum rate, and says so', async () => {
    server.serve({'slug.tgz': trickle(slug, 1, 50)})
    const started = Date.now()
    // The idle timeout is well above the trickle's pauses, even on a loaded machine: only the rate ends it.
    const minRate = {bytesPerSecond: 1000, windowMs: 500}
    const error = await rejection(scanSlugUrl({size: slug.length, url: server.url('slug.tgz')}, {...fast, connections: 1, idleTimeoutMs: 3000, minRate}))
    expect(error.message).to.match(/^The slug download is too slow: the server sent \d+ B in 0\.5 s \(under 1\.0 kB\/s\), at \d+ B of [\d.]+ kB\. Try again later/)
    expect(Date.now() - started).to.be.below(3000)
    expect(server.requests).to.have.length(1)
  })

  it('says a blob URL that is not a URL in one line, in one stream or in parts', async () => {
    for (const size of [slug.length, 100e6]) {
      const error = await rejection(scanSlugUrl({size, url: 'https://[blobs.example.com/slug.tgz?X-Amz-Signature=abc'}, fast))
      expect(error.message).to.equal('The slug download failed: the blob URL is not a URL.')
    }
  })

  it('says a refused connection is refused, at once', async () => {
    const port = await refusingPort()
    const error = await rejection(scanSlugUrl({url: `http://127.0.0.1:${port}/slug.tgz`}, fast))
    expect(error.message).to.equal(`The slug download failed: 127.0.0.1:${port} refused the connection (ECONNREFUSED).`)
  })

  it('says the blob is shorter than the slug when the server\'s whole answer is', async () => {
    server.serve({'slug.tgz': truncatedBlob(slug, 100_000)})
    const error = await rejection(scanSlugUrl({sha256: sha, size: slug.length, url: server.url('slug.tgz')}, fast))
    const recorded = slug.length.toLocaleString('en-US')
    expect(error.message).to.equal(`The slug's blob is shorter than the slug: the server has 100,000 bytes, Heroku recorded ${recorded} (the blob is damaged or was replaced). ${REBUILD}`)
    expect(server.requests).to.have.length(1)
  })

  it('retries 503 with backoff, and says so when it keeps coming', async () => {
    server.serve({flaky: failFirst(2, 503, {}, sendBytes(slug)), down: failFirst(100, 503, {}, sendBytes(slug))})
    expect((await scanSlugUrl({sha256: sha, url: server.url('flaky')}, fast)).sha256).to.equal(sha)
    expect(server.requests.map(r => r.path)).to.deep.equal(['/flaky', '/flaky', '/flaky'])
    const error = await rejection(scanSlugUrl({url: server.url('down')}, {...fast, maxResumes: 2}))
    expect(error.message).to.match(/^The slug download failed: the server answered HTTP 503 \(unavailable\) at 0 B \(3 attempts in \d s\)\. Try again later/)
  })

  it('waits out a short Retry-After once (429), and says when to come back for a long one', async () => {
    server.serve({
      busy: failFirst(1, 429, {'Retry-After': '0'}, sendBytes(slug)),
      'busy-twice': failFirst(2, 429, {'Retry-After': '0'}, sendBytes(slug)),
      closed: failFirst(1, 429, {'Retry-After': '3600'}, sendBytes(slug)),
    })
    expect((await scanSlugUrl({sha256: sha, url: server.url('busy')}, fast)).sha256).to.equal(sha)
    expect((await rejection(scanSlugUrl({url: server.url('busy-twice')}, fast))).message).to.match(/^The slug's server is limiting downloads \(HTTP 429\): try again in 0 s \(at \d\d:\d\d UTC\)\.$/)
    expect((await rejection(scanSlugUrl({url: server.url('closed')}, fast))).message).to.match(/^The slug's server is limiting downloads \(HTTP 429\): try again in 60 min \(at \d\d:\d\d UTC\)\.$/)
    expect(server.requests.filter(r => r.path === '/closed')).to.have.length(1)
  })

  it('follows one redirect to https (or to this machine), and refuses plain http elsewhere and a second redirect', async () => {
    const secure = https.createServer({cert, key}, (req, res) => sendFrom(res, req, slug))
    await new Promise<void>(resolve => {
      secure.listen(0, '127.0.0.1', resolve)
    })
    const secureUrl = `https://127.0.0.1:${(secure.address() as AddressInfo).port}/slug.tgz?X-Amz-Signature=abc`
    server.serve({
      again: (_req, res) => res.writeHead(302, {Location: '/again'}).end(),
      insecure: (_req, res) => res.writeHead(302, {Location: 'http://blobs.example.com/slug.tgz?X-Amz-Signature=abc'}).end(),
      local: (_req, res) => res.writeHead(307, {Location: '/slug.tgz'}).end(),
      'slug.tgz': slug,
      'to-https': (_req, res) => res.writeHead(302, {Location: secureUrl}).end(),
    })
    try {
      expect((await scanSlugUrl({sha256: sha, url: server.url('to-https')}, {...fast, ca: cert})).sha256).to.equal(sha)
      expect((await scanSlugUrl({sha256: sha, url: server.url('local')}, fast)).sha256).to.equal(sha)
      const insecure = await rejection(scanSlugUrl({url: server.url('insecure')}, fast))
      expect(insecure.message).to.equal('The slug\'s blob URL redirected to http://blobs.example.com: refused, only https is followed.')
      const loop = await rejection(scanSlugUrl({url: server.url('again')}, fast))
      expect(loop.message).to.equal('The slug\'s blob URL redirected more than once: refused.')
    } finally {
      secure.close()
    }
  })
})

describe('scanSlugUrl behind a TLS-inspecting proxy', () => {
  let upstream: Awaited<ReturnType<typeof serveBlobs>>
  let proxy: Awaited<ReturnType<typeof interceptingProxy>>
  const blobUrl = 'https://blobs.test/slugs/slug.tgz?X-Amz-Signature=abc'

  beforeEach(async () => {
    upstream = await serveBlobs({'slugs/slug.tgz': slug})
    proxy = await interceptingProxy(Number(new URL(upstream.url('x')).port))
  })

  afterEach(async () => {
    await proxy.close()
    await upstream.close()
  })

  it('goes through HTTPS_PROXY and trusts the CA in SSL_CERT_FILE or SSL_CERT_DIR, as the CLI\'s API calls do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'certs-'))
    writeFileSync(join(dir, 'corp.pem'), readFileSync(privateCaPath))
    for (const env of [{HTTPS_PROXY: proxy.url, SSL_CERT_FILE: privateCaPath}, {HTTP_PROXY: proxy.url, SSL_CERT_DIR: dir}]) {
      expect((await scanSlugUrl({sha256: sha, size: slug.length, url: blobUrl}, {env})).sha256).to.equal(sha)
    }

    expect(proxy.connects).to.deep.equal(['blobs.test:443', 'blobs.test:443'])
    expect(proxy.requests.map(r => [r.host, r.path, r.authorization])).to.deep.equal([
      ['blobs.test', '/slugs/slug.tgz?X-Amz-Signature=abc', undefined],
      ['blobs.test', '/slugs/slug.tgz?X-Amz-Signature=abc', undefined],
    ])
  })

  it('trusts NODE_EXTRA_CA_CERTS, which node reads at start (so in a process of its own)', async () => {
    const sources = new URL('../../../../src/lib/source/slug-reader.ts', import.meta.url).href
    const script = `const {scanSlugUrl} = await import(${JSON.stringify(sources)}); process.stdout.write((await scanSlugUrl({url: ${JSON.stringify(blobUrl)}})).sha256)`
    // SSL_CERT_FILE or SSL_CERT_DIR would replace node's CAs, extra ones included (as in the CLI): not set here.
    const env = {...process.env, HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: privateCaPath, SSL_CERT_DIR: '', SSL_CERT_FILE: ''}
    const {stdout} = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {env})
    expect(stdout).to.equal(sha)
    expect(proxy.connects).to.deep.equal(['blobs.test:443'])
  })

  it('says what to set when the proxy\'s CA is not trusted', async () => {
    const error = await rejection(scanSlugUrl({url: blobUrl}, {env: {HTTPS_PROXY: proxy.url}}))
    const code = /\(([A-Z_]+)\)/.exec(error.message)?.[1] ?? '?'
    expect(error.message).to.equal(`The slug download failed: the certificate of blobs.test ${untrusted(code)}.`)
  })

  it('names the proxy when the proxy never answers its CONNECT', async () => {
    const mute = net.createServer(() => {})
    await new Promise<void>(resolve => {
      mute.listen(0, '127.0.0.1', resolve)
    })
    const {port} = mute.address() as AddressInfo
    try {
      const error = await rejection(scanSlugUrl({url: blobUrl}, {...fast, env: {HTTPS_PROXY: `http://127.0.0.1:${port}`}}))
      expect(error.message).to.match(new RegExp(`^The slug download stalled: the proxy 127\\.0\\.0\\.1:${port} did not answer for 0\\.1 s, at 0 B \\(`))
    } finally {
      mute.close()
    }
  })

  it('names the proxy when the proxy itself refuses the connection', async () => {
    const port = await refusingPort()
    const error = await rejection(scanSlugUrl({url: blobUrl}, {env: {HTTPS_PROXY: `http://user:secret@127.0.0.1:${port}`}}))
    expect(error.message).to.equal(`The slug download failed: the proxy 127.0.0.1:${port} refused the connection (ECONNREFUSED).`)
  })
})

const rangesAsked = (requests: Array<{headers: http.IncomingHttpHeaders}>) => requests.map(r => r.headers.range)

describe('scanSlugUrl in parallel byte ranges', () => {
  // Big enough for several 4 MiB parts; incompressible, so the blob is as big as its contents.
  const big = buildSlug([
    {content: incompressible(13_000_000, 7), path: './app/models/big.bin'},
    {content: 'print("hi")\n'.repeat(1000), path: './app/app.py'},
  ])
  const bigSha = createHash('sha256').update(big).digest('hex')

  it('fetches a big blob over several connections in consecutive parts and scans it exactly as one stream would', async () => {
    const server = await serveBlobs({big})
    try {
      const dir = mkdtempSync(join(tmpdir(), 'ranged-'))
      writeFileSync(join(dir, 'big.tgz'), big)
      const expected = await scanSlugFile(join(dir, 'big.tgz'))
      const result = await scanSlugUrl({sha256: bigSha, size: big.length, url: server.url('big')})
      expect(result).to.deep.equal(expected)
      const asked = rangesAsked(server.requests)
      expect(asked.length).to.equal(Math.ceil(big.length / (4 * 1024 * 1024)))
      expect(asked[0]).to.equal(`bytes=0-${(4 * 1024 * 1024) - 1}`)
      expect(asked.every(r => /^bytes=\d+-\d+$/.test(r ?? ''))).to.equal(true)
    } finally {
      await server.close()
    }
  })

  it('keeps its connections open from one part to the next: no more connections than --connections', async () => {
    const server = await serveBlobs({big})
    try {
      const result = await scanSlugUrl({sha256: bigSha, size: big.length, url: server.url('big')}, {connections: 2})
      expect(result.sha256).to.equal(bigSha)
      expect(server.requests.length).to.equal(Math.ceil(big.length / (4 * 1024 * 1024)))
      expect(server.connections()).to.equal(2)
    } finally {
      await server.close()
    }
  })

  it('falls back to one stream when the server ignores Range (200 with the whole blob)', async () => {
    const server = await serveBlobs({
      big(_req, res) {
        res.writeHead(200, {'Content-Length': big.length}).end(big)
      },
    })
    try {
      const result = await scanSlugUrl({sha256: bigSha, size: big.length, url: server.url('big')})
      expect(result.sha256).to.equal(bigSha)
      expect(server.requests).to.have.length(2)
      expect(server.requests[1].headers.range).to.equal(undefined)
    } finally {
      await server.close()
    }
  })

  it('resumes a dropped part from where it stopped, and only that part', async () => {
    let dropped = false
    const flaky: BlobResponder = (req, res) => {
      if (!dropped && req.headers.range?.startsWith(`bytes=${4 * 1024 * 1024}-`)) {
        dropped = true
        res.writeHead(206, {'Content-Length': 4 * 1024 * 1024, 'Content-Range': `bytes ${4 * 1024 * 1024}-${(8 * 1024 * 1024) - 1}/${big.length}`})
        res.write(big.subarray(4 * 1024 * 1024, (4 * 1024 * 1024) + 100_000), () => res.destroy())
        return
      }

      sendBytes(big)(req, res)
    }

    const server = await serveBlobs({big: flaky})
    try {
      const result = await scanSlugUrl({sha256: bigSha, size: big.length, url: server.url('big')}, {retryDelayMs: 10})
      expect(result.sha256).to.equal(bigSha)
      const resumed = rangesAsked(server.requests).filter(r => !/^bytes=\d+-/.test(r ?? '') || Number(/^bytes=(\d+)-/.exec(r!)![1]) % (4 * 1024 * 1024) !== 0)
      expect(resumed).to.have.length(1)
      expect(Number(/^bytes=(\d+)-(\d+)$/.exec(resumed[0]!)![1])).to.be.greaterThan(4 * 1024 * 1024)
      expect(Number(/^bytes=(\d+)-(\d+)$/.exec(resumed[0]!)![2])).to.equal((8 * 1024 * 1024) - 1)
    } finally {
      await server.close()
    }
  })

  it('counts resumes per part and starts again on progress: a drop in every part does not end a download that moves', async () => {
    const droppedAt = new Set<string>()
    const dropsOnce: BlobResponder = (req, res) => {
      const range = req.headers.range ?? ''
      const start = Number(/^bytes=(\d+)-/.exec(range)?.[1] ?? 0)
      const end = Number(/^bytes=\d+-(\d+)$/.exec(range)?.[1] ?? big.length - 1)
      if (droppedAt.has(range)) {
        sendBytes(big)(req, res)
        return
      }

      // Each request is cut after 100 kB: every part, and every resume of it, drops once.
      droppedAt.add(range)
      res.writeHead(206, {'Content-Length': end - start + 1, 'Content-Range': `bytes ${start}-${end}/${big.length}`})
      res.write(big.subarray(start, start + 100_000), () => res.destroy())
    }

    const server = await serveBlobs({big: dropsOnce})
    try {
      const result = await scanSlugUrl({sha256: bigSha, size: big.length, url: server.url('big')}, {maxResumes: 1, retryDelayMs: 10})
      expect(result.sha256).to.equal(bigSha)
      const streamed = await scanSlugUrl({sha256: bigSha, size: big.length, url: server.url('big')}, {connections: 1, maxResumes: 1, retryDelayMs: 10})
      expect(streamed.sha256).to.equal(bigSha)
    } finally {
      await server.close()
    }
  })

  it('goes on in one stream when a later part is answered 200 with the whole blob', async () => {
    const partOne = `bytes=0-${(4 * 1024 * 1024) - 1}`
    const server = await serveBlobs({
      big(req, res) {
        if (req.headers.range === partOne) sendBytes(big)(req, res)
        else res.writeHead(200, {'Content-Length': big.length}).end(big)
      },
    })
    try {
      expect((await scanSlugUrl({sha256: bigSha, size: big.length, url: server.url('big')}, fast)).sha256).to.equal(bigSha)
    } finally {
      await server.close()
    }
  })

  it('goes on in one stream when a part is answered 206 with the rest of the blob', async () => {
    const server = await serveBlobs({
      big(req, res) {
        const start = Number(/^bytes=(\d+)-/.exec(req.headers.range ?? '')?.[1] ?? 0)
        if (start === 0 && req.headers.range) {
          sendBytes(big)(req, res)
          return
        }

        res.writeHead(206, {'Content-Length': big.length - start, 'Content-Range': `bytes ${start}-${big.length - 1}/${big.length}`}).end(big.subarray(start))
      },
    })
    try {
      expect((await scanSlugUrl({sha256: bigSha, size: big.length, url: server.url('big')}, fast)).sha256).to.equal(bigSha)
    } finally {
      await server.close()
    }
  })

  it('says a 416 for a range within a blob of the recorded size is a refused range, not a short blob', async () => {
    const partOne = `bytes=0-${(4 * 1024 * 1024) - 1}`
    const server = await serveBlobs({
      big(req, res) {
        if (req.headers.range === partOne) sendBytes(big)(req, res)
        else res.writeHead(416, {'Content-Range': `bytes */${big.length}`}).end()
      },
    })
    try {
      const error = await rejection(scanSlugUrl({sha256: bigSha, size: big.length, url: server.url('big')}, fast))
      expect(error.message).to.equal(`The slug download failed: the server refused a byte range within the blob's ${big.length.toLocaleString('en-US')} bytes (HTTP 416).`)
    } finally {
      await server.close()
    }
  })

  it('still checks the checksum of the whole, and keeps a --save copy only when it matches', async () => {
    const server = await serveBlobs({big})
    const dir = mkdtempSync(join(tmpdir(), 'ranged-save-'))
    try {
      const wrong = await rejection(scanSlugUrl({sha256: 'ab'.repeat(32), size: big.length, url: server.url('big')}, {savePath: join(dir, 'bad.tgz')}))
      expect(wrong.message).to.match(/checksum does not match/)
      expect(existsSync(join(dir, 'bad.tgz'))).to.equal(false)
      await scanSlugUrl({sha256: bigSha, size: big.length, url: server.url('big')}, {savePath: join(dir, 'good.tgz')})
      expect(readFileSync(join(dir, 'good.tgz')).equals(big)).to.equal(true)
      expect(readdirSync(dir)).to.deep.equal(['good.tgz'])
    } finally {
      await server.close()
    }
  })

  it('says the blob is shorter than the slug when a part\'s Content-Range names a smaller total', async () => {
    const server = await serveBlobs({big: big.subarray(0, -1000)})
    try {
      const error = await rejection(scanSlugUrl({sha256: bigSha, size: big.length, url: server.url('big')}, fast))
      expect(error.message).to.equal(`The slug's blob is shorter than the slug: the server has ${(big.length - 1000).toLocaleString('en-US')} bytes, Heroku recorded ${big.length.toLocaleString('en-US')} (the blob is damaged or was replaced). ${REBUILD}`)
    } finally {
      await server.close()
    }
  })

  it('uses one stream with --connections 1', async () => {
    const server = await serveBlobs({big})
    try {
      await scanSlugUrl({sha256: bigSha, size: big.length, url: server.url('big')}, {connections: 1})
      expect(rangesAsked(server.requests)).to.deep.equal([undefined])
    } finally {
      await server.close()
    }
  })
})
