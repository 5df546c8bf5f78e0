import {expect} from 'chai'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

import {IndexClient} from '../../src/lib/predict/python/index-client.js'
import {type PackageIndex, servePackageIndex} from '../helpers/package-index.js'

const WHEELS = [
  {name: 'numpy', payload: 40_000, tag: 'cp312-cp312-manylinux_2_17_x86_64', version: '1.26.4'},
  {name: 'flask', payload: 5000, version: '3.0.0'},
]

describe('resolve: index client', () => {
  let index: PackageIndex | undefined
  let client: IndexClient

  beforeEach(() => {
    client = new IndexClient({timeouts: {bodyMs: 2000, connectMs: 1000, headersMs: 2000}})
  })

  afterEach(async () => {
    await client.close()
    await index?.close()
    index = undefined
  })

  it('sizes wheels from the JSON simple API (PEP 700) without fetching a wheel', async () => {
    index = await servePackageIndex(WHEELS)
    const wheels = index.wheels.map(w => ({project: w.project, url: new URL(`/files/${w.filename}`, index!.url).toString()}))
    const sizes = await client.wheelSizes(wheels, [{origin: 'test', primary: true, url: index.url}])
    expect(sizes).to.deep.equal(index.wheels.map(w => w.bytes.length))
    expect(index.requests.filter(r => r.includes('/files/'))).to.deep.equal([])
  })

  it('falls back to a HEAD request\'s Content-Length on an index without sizes, and a stat for file:// wheels', async () => {
    index = await servePackageIndex(WHEELS, {json: false})
    const [numpy] = index.wheels
    const sizes = await client.wheelSizes([{project: 'numpy', url: new URL(`/files/${numpy.filename}`, index.url).toString()}], [{origin: 'test', primary: true, url: index.url}])
    expect(sizes).to.deep.equal([numpy.bytes.length])
    expect(index.requests).to.include(`HEAD /files/${numpy.filename}`)
    expect(index.requests).not.to.include(`GET /files/${numpy.filename}`)

    const dir = mkdtempSync(join(tmpdir(), 'wheels-'))
    writeFileSync(join(dir, 'x-1.0-py3-none-any.whl'), Buffer.alloc(1234))
    expect(await client.wheelSizes([{project: 'x', url: pathToFileURL(join(dir, 'x-1.0-py3-none-any.whl')).toString()}], [])).to.deep.equal([1234])
  })

  it('says in one line, without credentials, that an index does not answer', async () => {
    index = await servePackageIndex(WHEELS)
    const {url} = index
    await index.close()
    index = undefined
    const down = await client.unreachable({origin: 'test', primary: true, url: url.replace('http://', 'http://user:token@')})
    expect(down).to.match(/^http:\/\/\*\*\*@127\.0\.0\.1:\d+\/simple\/ did not answer \(ECONNREFUSED\)$/)
    expect(await client.unreachable({origin: 'test', primary: true, url: pathToFileURL(tmpdir()).toString()})).to.equal(undefined)
  })
})
