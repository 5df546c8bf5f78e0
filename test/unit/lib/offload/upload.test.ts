import {expect} from 'chai'
import {createHash} from 'node:crypto'
import {mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {ModelUnit} from '../../../../src/lib/offload/find.js'
import {describeObjects, hashFile, uploadObjects} from '../../../../src/lib/offload/upload.js'
import type {ObjectHead, ObjectStore} from '../../../../src/lib/s3/store.js'

/** An in-memory store standing in for S3 (the real one is exercised by test/integration). */
function memoryStore(overrides: Partial<ObjectStore> = {}) {
  const objects = new Map<string, {body: Buffer, sha256: string}>()
  const uploads: string[] = []
  const store: ObjectStore = {
    async checkBucket() {},
    async credentials() {
      return {accessKeyId: 'a', secretAccessKey: 'b'}
    },
    destroy() {},
    async head(key): Promise<ObjectHead | undefined> {
      const o = objects.get(key)
      return o && {etag: '"e"', sha256: o.sha256, size: o.body.length}
    },
    async putText() {},
    async uploadFile(key, path, meta, onProgress) {
      uploads.push(key)
      const body = readFileSync(path)
      objects.set(key, {body, sha256: meta.sha256})
      onProgress?.(body.length)
      return {etag: '"e-2"', sentSha256: createHash('sha256').update(body).digest('hex')}
    },
    where: 'memory',
    ...overrides,
  }
  return {objects, store, uploads}
}

describe('offload/upload', () => {
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

  it('hashes each file and gives it a key under the prefix', async () => {
    const entries = await describeObjects(root, models, 'app/models/')
    expect(entries[0]).to.deep.equal({
      key: 'app/models/models/a.h5', model: 'models/a.h5', path: 'models/a.h5', sha256: createHash('sha256').update('aaaa').digest('hex'), size: 4,
    })
    expect(await hashFile(join(root, 'models/b.onnx'))).to.equal(entries[1].sha256)
  })

  it('uploads what is missing, skips what S3 holds with the same size and sha256, and re-uploads a changed object', async () => {
    const entries = await describeObjects(root, models, 'p/')
    const {objects, store, uploads} = memoryStore()
    const progress: string[] = []
    const reporter = {
      finish: (o: {path: string, status: string}) => progress.push(`finish ${o.path} ${o.status}`),
      progress: (e: {path: string}, sent: number) => progress.push(`progress ${e.path} ${sent}`),
      start: (e: {path: string}) => progress.push(`start ${e.path}`),
    }
    const first = await uploadObjects(store, root, entries, reporter)
    expect(first.map(o => [o.path, o.status, o.bytesSent])).to.deep.equal([['models/a.h5', 'uploaded', 4], ['models/b.onnx', 'uploaded', 6]])
    expect(progress.slice(0, 3)).to.deep.equal(['start models/a.h5', 'progress models/a.h5 4', 'finish models/a.h5 uploaded'])

    const second = await uploadObjects(store, root, entries)
    expect(second.map(o => [o.status, o.bytesSent])).to.deep.equal([['skipped', 0], ['skipped', 0]])
    expect(uploads).to.have.length(2)

    objects.set('p/models/b.onnx', {body: Buffer.from('other!'), sha256: 'f'.repeat(64)})
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
    memory.store.head = async key => (memory.uploads.includes(key) ? {sha256: entries[0].sha256, size: 3} : undefined)
    let message = ''
    await uploadObjects(memory.store, root, entries).catch(error => {
      message = error.message
    })
    expect(message).to.match(/^S3 does not hold what was sent for models\/a\.h5 \(3 bytes, sha256 [0-9a-f]{64}; expected 4 bytes\)\. Run the command again\.$/)
  })
})
