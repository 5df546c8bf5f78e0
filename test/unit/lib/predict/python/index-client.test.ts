import {expect} from 'chai'
import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'

import {IndexClient, pipProxy} from '../../../../../src/lib/predict/python/index-client.js'
import {refusingPort} from '../../../../helpers/blob-faults.js'
import {interceptingProxy, privateCa} from '../../../../helpers/intercepting-proxy.js'

// The index client against a real package index (wheels built by python3) is in test/integration/index-client.test.ts.
describe('resolve: index client', () => {
  let client: IndexClient

  beforeEach(() => {
    client = new IndexClient({timeouts: {bodyMs: 2000, connectMs: 1000, headersMs: 2000}})
  })

  afterEach(async () => {
    await client.close()
  })

  it('gives up on an index that accepts the connection and never answers, within its first-byte timeout', async () => {
    const silent = createServer(() => {})
    await new Promise<void>(resolve => {
      silent.listen(0, '127.0.0.1', resolve)
    })
    const started = Date.now()
    try {
      const down = await client.unreachable({origin: 'test', primary: true, url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/simple/`})
      expect(down).to.match(/timed out \(UND_ERR_HEADERS_TIMEOUT\)$/)
      expect(Date.now() - started).to.be.below(5000)
    } finally {
      silent.closeAllConnections()
      silent.close()
    }
  })
})

describe('resolve: index client, the proxy pip takes', () => {
  it('reads <scheme>_proxy, else all_proxy, lowercase first, and skips the hosts no_proxy names, as requests does', () => {
    const https = new URL('https://pypi.example.com/simple/')
    expect(pipProxy(https, {HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:1'})).to.equal('http://lower:1')
    expect(pipProxy(https, {HTTP_PROXY: 'http://plain:1'})).to.equal(undefined)
    expect(pipProxy(https, {ALL_PROXY: 'proxy.corp:3128'})).to.equal('http://proxy.corp:3128')
    expect(pipProxy(new URL('http://127.0.0.1:8/simple/'), {HTTP_PROXY: 'http://p:1'})).to.equal('http://p:1')
    for (const noProxy of ['*', 'example.com', '.example.com', 'pypi.example.com:443', 'other.org, example.com']) {
      expect(pipProxy(https, {HTTPS_PROXY: 'http://p:1', NO_PROXY: noProxy}), noProxy).to.equal(undefined)
    }

    expect(pipProxy(https, {HTTPS_PROXY: 'http://p:1', no_proxy: 'other.org'})).to.equal('http://p:1')
  })

  it('reaches an index through HTTPS_PROXY as pip does, where a direct connection finds no such host', async () => {
    const index = createServer((_req, res) => res.writeHead(200, {'content-type': 'text/html'}).end('<html></html>'))
    await new Promise<void>(resolve => {
      index.listen(0, '127.0.0.1', resolve)
    })
    const proxy = await interceptingProxy((index.address() as AddressInfo).port)
    const client = new IndexClient({ca: privateCa, env: {HTTPS_PROXY: proxy.url}, timeouts: {bodyMs: 2000, connectMs: 1000, headersMs: 2000}})
    try {
      expect(await client.unreachable({origin: 'test', primary: true, url: 'https://blobs.test/simple/'})).to.equal(undefined)
      expect(proxy.connects).to.deep.equal(['blobs.test:443'])
    } finally {
      await client.close()
      await proxy.close()
      index.close()
    }
  })

  it('names the proxy when the proxy is dead, without its credentials', async () => {
    const port = await refusingPort()
    const client = new IndexClient({env: {HTTPS_PROXY: `http://user:s3cret@127.0.0.1:${port}`}, timeouts: {bodyMs: 2000, connectMs: 1000, headersMs: 2000}})
    try {
      const down = await client.unreachable({origin: 'test', primary: true, url: 'https://index.test/simple/'})
      expect(down).to.equal(`https://index.test/simple/ did not answer through the proxy http://***@127.0.0.1:${port}/ (ECONNREFUSED)`)
    } finally {
      await client.close()
    }
  })
})

describe('resolve: index client, project pages that time out', () => {
  it('says which page of which index timed out, where pip (without retries) would say the project has no files', async () => {
    const index = createServer((req, res) => {
      if (req.url === '/simple/') res.end('<html></html>')
    })
    await new Promise<void>(resolve => {
      index.listen(0, '127.0.0.1', resolve)
    })
    const url = `http://127.0.0.1:${(index.address() as AddressInfo).port}/simple/`
    const client = new IndexClient({timeouts: {bodyMs: 500, connectMs: 500, headersMs: 500}})
    try {
      expect(await client.unreachable({origin: 'test', primary: true, url})).to.equal(undefined)
      const down = await client.pageUnreachable([{origin: 'test', primary: true, url}, {origin: 'test', primary: false, url: 'file:///nowhere/'}], 'flask')
      expect(down).to.equal(`the page of flask on ${url} timed out (UND_ERR_HEADERS_TIMEOUT)`)
    } finally {
      await client.close()
      index.closeAllConnections()
      index.close()
    }
  })
})
