import {expect} from 'chai'
import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'

import {IndexClient} from '../../../../../src/lib/predict/python/index-client.js'

// The index client against a real package index (wheels built by python3) is in test/integration/index-client.test.ts.
describe('resolve: index client', () => {
  let client: IndexClient

  beforeEach(() => {
    client = new IndexClient({bodyMs: 2000, connectMs: 1000, headersMs: 2000})
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
      expect(down).to.match(/did not answer \(UND_ERR_HEADERS_TIMEOUT\)$/)
      expect(Date.now() - started).to.be.below(5000)
    } finally {
      silent.closeAllConnections()
      silent.close()
    }
  })
})
