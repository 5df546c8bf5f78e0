import {expect} from 'chai'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {startMoto} from '../helpers/s3-server.js'

describe('test/helpers/s3-server', () => {
  it('fails with a clear message, never a skip, when moto_server is not installed', async () => {
    const path = process.env.PATH
    process.env.PATH = mkdtempSync(join(tmpdir(), 'empty-path-'))
    let message = ''
    try {
      await startMoto()
    } catch (error) {
      message = (error as Error).message
    } finally {
      process.env.PATH = path
    }

    expect(message).to.match(/^moto_server is not installed \(or not on PATH\): the integration tests need a real S3 server on 127\.0\.0\.1\./)
  })
})
