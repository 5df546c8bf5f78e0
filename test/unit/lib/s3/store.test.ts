import {expect} from 'chai'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import nock from 'nock'

import {isObjectKey} from '../../../../src/lib/plan/offload/destination.js'
import {openObjectStore, partSize} from '../../../../src/lib/s3/store.js'
import {UserError} from '../../../../src/lib/shared/errors.js'
import {rejection} from '../../../helpers/rejection.js'
import {startSilentServer} from '../../../helpers/silent-server.js'

function sources(dir: string): string[] {
  return readdirSync(dir, {recursive: true, withFileTypes: true})
  .filter(e => e.isFile() && e.name.endsWith('.ts'))
  .map(e => join(e.parentPath, e.name))
}

/** One <Upload> of a ListMultipartUploads answer. */
function upload(key: string, id: string, initiated: string): string {
  return `<Upload><Key>${key}</Key><UploadId>${id}</UploadId><Initiated>${initiated}</Initiated></Upload>`
}

describe('s3/store', () => {
  it('uses 8 MiB parts, growing them so a huge file stays under S3\'s 10,000 parts', () => {
    expect(partSize(17e6)).to.equal(8 * 1024 * 1024)
    expect(partSize(200e9)).to.equal(Math.ceil(200e9 / 9000))
    expect(Math.ceil(5e12 / partSize(5e12))).to.be.at.most(10_000)
  })

  it('loads the AWS SDK lazily: only src/lib/s3/store.ts imports it, and only with import()', () => {
    const importers = sources('src').filter(file => /from '@aws-sdk\/|import\('@aws-sdk\//.test(readFileSync(file, 'utf8')))
    expect(importers).to.deep.equal([join('src', 'lib', 's3', 'store.ts')])
    const store = readFileSync(join('src', 'lib', 's3', 'store.ts'), 'utf8')
    expect(store).not.to.match(/^import .*@aws-sdk/m)
    expect(store).to.include('await import(\'@aws-sdk/client-s3\')')
  })

  it('an endpoint that accepts the connection and never answers: a bounded wait, then one line naming it', async () => {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
    const silent = await startSilentServer()
    const store = await openObjectStore({
      bucket: 'models', credentials: {accessKeyId: 'AKIASILENT', secretAccessKey: 'silent-secret'}, endpoint: silent.endpoint, region: 'us-east-1',
      timeouts: {connectMs: 500, idleMs: 300},
    })
    const started = Date.now()
    try {
      for (const attempt of [() => store.checkBucket(), () => store.head('m/sha256/x')]) {
        const error = await rejection(attempt())
        expect(error).to.be.instanceOf(UserError)
        expect(error.message).to.match(/^S3 at http:\/\/127\.0\.0\.1:\d+ accepted the connection but sent nothing for 0\.3 s while (checking the bucket|reading m\/sha256\/x) /)
        expect(error.message).to.match(/ \(\d attempts\): check --endpoint and the network, then run the command again\.$/)
      }
    } finally {
      store.destroy()
      await silent.stop()
    }

    expect(silent.connections).to.be.greaterThan(0)
    expect(Date.now() - started).to.be.below(15_000)
  })

  it('a silent endpoint: the whole call, its retries included, ends at its deadline in one line', async () => {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
    const silent = await startSilentServer()
    // Each attempt alone would wait 2 s, and the SDK makes three: the call's 0.5 s ends them all.
    const store = await openObjectStore({
      bucket: 'models', credentials: {accessKeyId: 'AKIASILENT', secretAccessKey: 'silent-secret'}, endpoint: silent.endpoint, region: 'us-east-1',
      timeouts: {callMs: 500, connectMs: 500, idleMs: 2000},
    })
    const started = Date.now()
    try {
      const error = await rejection(store.checkBucket())
      expect(error).to.be.instanceOf(UserError)
      expect(error.message).to.equal(`S3 at ${silent.endpoint} did not finish checking the bucket within 0.5 s: check --endpoint and the network, then run the command again.`)
      expect(Date.now() - started).to.be.below(1900)
    } finally {
      store.destroy()
      await silent.stop()
    }
  })

  it('aborts only the unfinished uploads it is asked to, and only those started before the run', async () => {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
    const before = new Date('2026-01-01T12:00:00Z')
    const hex = 'ab'.repeat(32)
    const s3 = nock('http://s3.test')
    .get('/models/').query(q => q.uploads !== undefined && q.prefix === 'app/models/sha256/')
    .reply(200, `<?xml version="1.0" encoding="UTF-8"?><ListMultipartUploadsResult><Bucket>models</Bucket><IsTruncated>false</IsTruncated>${[
      upload(`app/models/sha256/${hex}`, 'old', '2026-01-01T11:00:00.000Z'),
      upload(`app/models/sha256/${hex}`, 'running', '2026-01-01T12:00:05.000Z'),
      upload('app/models/sha256/not-ours', 'foreign', '2026-01-01T10:00:00.000Z'),
    ].join('')}</ListMultipartUploadsResult>`)
    .delete(`/models/app/models/sha256/${hex}`).query(q => q.uploadId === 'old').reply(204)
    const store = await openObjectStore({
      bucket: 'models', credentials: {accessKeyId: 'AKIANOCK', secretAccessKey: 'nock-secret'}, endpoint: 'http://s3.test', region: 'us-east-1',
    })
    try {
      expect(await store.abortStaleUploads('app/models/sha256/', key => isObjectKey('app/models/', key), before)).to.equal(1)
    } finally {
      store.destroy()
    }

    s3.done()
  })

  it('keys that may not list unfinished uploads (a Cloudcube cube, a narrow policy): undefined, not a failed run', async () => {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
    const s3 = nock('http://s3.test').get('/models/').query(true)
    .reply(403, '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>')
    const store = await openObjectStore({
      bucket: 'models', credentials: {accessKeyId: 'AKIANOCK', secretAccessKey: 'nock-secret'}, endpoint: 'http://s3.test', region: 'us-east-1',
    })
    try {
      expect(await store.abortStaleUploads('app/models/sha256/', () => true, new Date())).to.equal(undefined)
    } finally {
      store.destroy()
    }

    s3.done()
  })
})
