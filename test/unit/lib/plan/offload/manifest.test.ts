import {expect} from 'chai'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {buildManifest, type ManifestEntry, parseManifest, readLocalManifest, serializeManifest} from '../../../../../src/lib/plan/offload/manifest.js'

const a: ManifestEntry = {key: 'p/models/a.h5', model: 'models/a.h5', path: 'models/a.h5', sha256: 'a'.repeat(64), size: 10}
const b: ManifestEntry = {key: 'p/models/b.onnx', model: 'models/b.onnx', path: 'models/b.onnx', sha256: 'b'.repeat(64), size: 20}

describe('plan/offload/manifest', () => {
  it('is version 1 with each model\'s path, key, size and sha256, sorted by path, same bytes for the same models', () => {
    const manifest = buildManifest('bucket', 'p/', [b, a])
    const text = serializeManifest(manifest)
    expect(JSON.parse(text)).to.deep.equal({bucket: 'bucket', models: [a, b], prefix: 'p/', version: 1})
    expect(text.startsWith('{\n  "version": 1,\n  "bucket": "bucket",\n  "prefix": "p/",\n  "models": [\n    {\n      "path": "models/a.h5",\n      "key"')).to.equal(true)
    expect(serializeManifest(buildManifest('bucket', 'p/', [a, b]))).to.equal(text)
  })

  it('keeps the models of an earlier run to the same place, and replaces an entry offloaded again', () => {
    const previous = buildManifest('bucket', 'p/', [a, {...b, sha256: 'c'.repeat(64)}])
    expect(buildManifest('bucket', 'p/', [b], previous).models).to.deep.equal([a, b])
    expect(buildManifest('other', 'p/', [b], previous).models, 'another bucket starts afresh').to.deep.equal([b])
  })

  it('reads it back, and rejects what is not a version-1 manifest with one line', () => {
    const text = serializeManifest(buildManifest('bucket', 'p/', [a]))
    expect(parseManifest(text, 'm.json').models).to.deep.equal([a])
    expect(() => parseManifest('{', 'm.json')).to.throw('m.json is not valid JSON: fix or delete it, then run slug:offload-models again.')
    expect(() => parseManifest('{"version":2}', 'm.json')).to.throw('m.json has manifest version 2; this plugin reads version 1.')
    expect(() => parseManifest('{"version":1,"bucket":"b","prefix":"","models":[{"path":"x"}]}', 'm.json')).to.throw(/is not a model manifest/)
  })

  it('reads models.manifest.json from the repo root, undefined when there is none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'manifest-'))
    expect(await readLocalManifest(dir)).to.equal(undefined)
    writeFileSync(join(dir, 'models.manifest.json'), serializeManifest(buildManifest('bucket', 'p/', [b])))
    expect((await readLocalManifest(dir))?.models).to.deep.equal([b])
  })
})
