import {expect} from 'chai'
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {findSitePackages, readInstalledPackages, recordPaths} from '../../../../src/lib/deps/installed.js'
import {fakeDistribution} from './fake-site-packages.js'

describe('deps/installed', () => {
  let dir: string

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'slug-site-'))
  })

  afterEach(() => rmSync(dir, {force: true, recursive: true}))

  it('sums the on-disk sizes of the files each RECORD lists (absent ones skipped), named from METADATA', async () => {
    const tf = fakeDistribution(dir, 'tensorflow-cpu', '2.16.1', {'tensorflow/__init__.py': 1000, 'tensorflow/lib,odd.so': 50_000})
    const six = fakeDistribution(dir, 'six', '1.16.0', {'six.py': 3000})
    mkdirSync(join(dir, 'broken-1.0.dist-info'))
    const location = '.heroku/python/lib/python3.12/site-packages'
    expect(await readInstalledPackages(dir, location)).to.deep.equal([
      {compressed: 0, ecosystem: 'python', evidence: 'installed', files: 3, location, name: 'six', size: six, version: '1.16.0'},
      {compressed: 0, ecosystem: 'python', evidence: 'installed', files: 4, location, name: 'tensorflow-cpu', size: tf, version: '2.16.1'},
    ])
  })

  it('reads quoted RECORD paths', () => {
    expect(recordPaths('"a,b.py",sha256=1,3\nc.py,,\n\r\n')).to.deep.equal(['a,b.py', 'c.py'])
  })

  it('finds the site-packages of a .venv or venv in the repo', async () => {
    expect(await findSitePackages(dir)).to.equal(undefined)
    mkdirSync(join(dir, 'venv/lib/python3.11/site-packages'), {recursive: true})
    expect(await findSitePackages(dir)).to.equal(join(dir, 'venv/lib/python3.11/site-packages'))
    mkdirSync(join(dir, '.venv/lib/python3.12/site-packages'), {recursive: true})
    expect(await findSitePackages(dir)).to.equal(join(dir, '.venv/lib/python3.12/site-packages'))
  })

  it('fails with a UserError when the folder cannot be read', async () => {
    const error = await readInstalledPackages(join(dir, 'nope')).catch((error_: Error) => error_)
    expect(error).to.have.property('name', 'UserError')
    expect((error as Error).message).to.match(/^Cannot read the site-packages folder .*nope: ENOENT/)
  })
})
