import {expect} from 'chai'
import {createHash} from 'node:crypto'
import {mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {ModelUnit} from '../../../../src/lib/plan/offload/find.js'
import {uploadObjects} from '../../../../src/lib/apply/upload.js'
import {describeObjects, hashFile} from '../../../../src/lib/plan/offload/objects.js'
import {S3ChecksumHasher, sameChecksum} from '../../../../src/lib/s3/checksum.js'
import type {ObjectHead, ObjectStore} from '../../../../src/lib/s3/store.js'

/** An in-memory store standing in for S3 (the real one is exercised by test/integration). */
function memoryStore(overrides: Partial<ObjectStore> = {}) {
  const objects = new Map<string, {body: Buffer, checksum: string}>()
  const uploads: string[] = []
  const store: ObjectStore = {
    async abortStaleUploads() {
      return 0
    },
    async checkBucket() {},
    async credentials() {
      return {accessKeyId: 'a', secretAccessKey: 'b'}
    },
    destroy() {},
    async head(key): Promise<ObjectHead | undefined> {
      const o = objects.get(key)
      return o && {checksum: o.checksum, etag: '"e"', size: o.body.length}
    },
    async putText() {},
    async uploadFile(key, path, _meta, {onProgress} = {}) {
      uploads.push(key)
      const body = readFileSync(path)
      // What S3 does: a single put's SHA256 checksum is the whole body's, in base64.
      objects.set(key, {body, checksum: createHash('sha256').update(body).digest('base64')})
      onProgress?.(body.length)
      return {etag: '"e-2"', sentSha256: createHash('sha256').update(body).digest('hex')}
    },
    where: 'memory',
    ...overrides,
  }
  return {objects, store, uploads}
}

describe('apply/upload', () => {
  let root: string
  let models: ModelUnit[]

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'offload-upload-'))
    mkdirSync(join(root, 'models'))
    writeFileSync(join(root, 'models/a.h5'), 'aaaa')
    writeFileSync(join(root, 'models/b.onnx'), 'bbbbbb')
    models = [
      {files: [{path: 'models/a.h5', size: 4}], format: 'keras-h5', kind: 'file', path: 'models/a.h5', size: 4},
      {files: [{path: 'models/b.onnx', size: 6}], format: 'onnx', kind: 'file', path: 'models/b.onnx', size: 6},
    ]
  })

  it('hashes each file and names its object by its sha256 under the prefix, with the SHA256 checksum S3 will keep', async () => {
    const entries = await describeObjects(root, models, 'app/models/')
    const sha256 = createHash('sha256').update('aaaa').digest('hex')
    expect(entries[0]).to.deep.equal({
      checksum: createHash('sha256').update('aaaa').digest('base64'), key: `app/models/sha256/${sha256}`, model: 'models/a.h5', path: 'models/a.h5', sha256, size: 4,
    })
    expect(await hashFile(join(root, 'models/b.onnx'))).to.equal(entries[1].sha256)
  })

  it('uploads what is missing, skips what S3 holds with the same size and checksum, and replaces an object whose bytes are not its name\'s', async () => {
    const entries = await describeObjects(root, models, 'p/')
    const {objects, store, uploads} = memoryStore()
    const progress: string[] = []
    const reporter = {
      finish: (o: {path: string, status: string}) => progress.push(`finish ${o.path} ${o.status}`),
      progress: (e: {path: string}, sent: number) => progress.push(`progress ${e.path} ${sent}`),
      start: (e: {path: string}) => progress.push(`start ${e.path}`),
    }
    const first = await uploadObjects(store, root, entries, {reporter})
    expect(first.map(o => [o.path, o.status, o.bytesSent])).to.deep.equal([['models/a.h5', 'uploaded', 4], ['models/b.onnx', 'uploaded', 6]])
    expect(progress.slice(0, 3)).to.deep.equal(['start models/a.h5', 'progress models/a.h5 4', 'finish models/a.h5 uploaded'])

    const second = await uploadObjects(store, root, entries)
    expect(second.map(o => [o.status, o.bytesSent])).to.deep.equal([['skipped', 0], ['skipped', 0]])
    expect(uploads).to.have.length(2)

    objects.set(entries[1].key, {body: Buffer.from('other!'), checksum: createHash('sha256').update('other!').digest('base64')})
    const third = await uploadObjects(store, root, entries)
    expect(third.map(o => o.status)).to.deep.equal(['skipped', 'uploaded'])
  })

  it('fails when the file changed while it was sent', async () => {
    const entries = await describeObjects(root, models, 'p/')
    const {store} = memoryStore({
      async uploadFile() {
        return {sentSha256: '0'.repeat(64)}
      },
    })
    let message = ''
    await uploadObjects(store, root, entries).catch(error => {
      message = error.message
    })
    expect(message).to.equal('models/a.h5 changed while it was being uploaded. Run the command again once nothing writes to it.')
  })

  it('fails when S3 does not hold what was sent (size or sha256 differ after the upload)', async () => {
    const entries = await describeObjects(root, models, 'p/')
    const memory = memoryStore()
    memory.store.head = async key => (memory.uploads.includes(key) ? {checksum: entries[0].checksum, size: 3} : undefined)
    let message = ''
    await uploadObjects(memory.store, root, entries).catch(error => {
      message = error.message
    })
    expect(message).to.equal(`S3 does not hold what was sent for models/a.h5 (3 bytes, SHA256 checksum ${entries[0].checksum}; expected 4 bytes, ${entries[0].checksum}). Run the command again.`)
    memory.store.head = async key => (memory.uploads.includes(key) ? {size: 4} : undefined)
    message = ''
    await uploadObjects(memory.store, root, entries).catch(error => {
      message = error.message
    })
    expect(message, 'a store that keeps no checksum cannot confirm the upload').to.match(/^S3 does not hold what was sent for models\/a\.h5 \(4 bytes, SHA256 checksum not kept; /)
  })

  it('uploads two files with the same bytes once: they share one content-addressed object', async () => {
    writeFileSync(join(root, 'models/copy.h5'), 'aaaa')
    const twins: ModelUnit[] = [models[0], {files: [{path: 'models/copy.h5', size: 4}], format: 'keras-h5', kind: 'file', path: 'models/copy.h5', size: 4}]
    const entries = await describeObjects(root, twins, 'p/')
    expect(entries[0].key).to.equal(entries[1].key)
    const {store, uploads} = memoryStore()
    const outcomes = await uploadObjects(store, root, entries)
    expect(outcomes.map(o => o.status)).to.deep.equal(['uploaded', 'skipped'])
    expect(uploads).to.have.length(1)
  })

  it('computes S3\'s composite checksum of a multipart upload: sha256 of the parts\' digests, then -PARTS', () => {
    const part = 8 * 1024 * 1024
    const body = Buffer.alloc((2 * part) + 5, 7)
    const hasher = new S3ChecksumHasher(part)
    // Chunks that straddle part boundaries, as file reads do.
    for (let offset = 0; offset < body.length; offset += 3_000_001) hasher.update(body.subarray(offset, offset + 3_000_001))
    const digest = (b: Buffer) => createHash('sha256').update(b).digest()
    const parts = [body.subarray(0, part), body.subarray(part, 2 * part), body.subarray(2 * part)].map(b => digest(b))
    expect(hasher.digest()).to.deep.equal({
      checksum: `${createHash('sha256').update(Buffer.concat(parts)).digest('base64')}-3`, sha256: createHash('sha256').update(body).digest('hex'),
    })
    const single = new S3ChecksumHasher(part)
    single.update(body.subarray(0, part))
    expect(single.digest().checksum, 'exactly one part is a single put').to.equal(digest(body.subarray(0, part)).toString('base64'))
    expect(sameChecksum('abc=-3', 'abc=-3')).to.equal(true)
    expect(sameChecksum('abc=', 'abc=-3'), 'moto and some stores drop the -PARTS suffix').to.equal(true)
    expect(sameChecksum('abc=-2', 'abc=-3')).to.equal(false)
    expect(sameChecksum(undefined, 'abc=')).to.equal(false)
  })
})
