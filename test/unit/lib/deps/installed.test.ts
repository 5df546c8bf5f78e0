import {expect} from 'chai'
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {recordPaths} from '../../../../src/lib/deps/dist-info.js'
import {findSitePackages, readDistributions, readInstalledPackages, requiredClosure} from '../../../../src/lib/deps/installed.js'
import {fakeDistribution} from './fake-site-packages.js'
import {rejection} from '../../../helpers/rejection.js'

describe('deps/installed', () => {
  let dir: string

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'slug-site-'))
  })

  afterEach(() => rmSync(dir, {force: true, recursive: true}))

  it('sums the on-disk sizes of the files each RECORD lists (absent ones skipped), named from METADATA', async () => {
    const tf = fakeDistribution(dir, {name: 'tensorflow-cpu', version: '2.16.1', files: {'tensorflow/__init__.py': 1000, 'tensorflow/lib,odd.so': 50_000}})
    const six = fakeDistribution(dir, {name: 'six', version: '1.16.0', files: {'six.py': 3000}})
    mkdirSync(join(dir, 'broken-1.0.dist-info'))
    const location = '.heroku/python/lib/python3.12/site-packages'
    expect(await readInstalledPackages(dir, location)).to.deep.equal([
      {compressed: 0, ecosystem: 'python', evidence: 'installed', files: 3, location, name: 'six', size: six, version: '1.16.0'},
      {compressed: 0, ecosystem: 'python', evidence: 'installed', files: 4, location, name: 'tensorflow-cpu', size: tf, version: '2.16.1'},
    ])
  })

  it('follows Requires-Dist from the declared requirements, with extras, to what a build installs', async () => {
    fakeDistribution(dir, {name: 'Flask', version: '3.0.0', files: {'flask/__init__.py': 10}, requires: ['Werkzeug>=3.0', 'Jinja2 (>=3.1.2)', 'asgiref>=3.2; extra == "async"']})
    fakeDistribution(dir, {name: 'werkzeug', version: '3.0.1', files: {'werkzeug/__init__.py': 10}, requires: ['MarkupSafe>=2.1.1', 'watchdog>=2.3; extra == "watchdog"']})
    fakeDistribution(dir, {name: 'jinja2', version: '3.1.3', files: {'jinja2/__init__.py': 10}, requires: ['MarkupSafe>=2.0', 'Babel>=2.7; extra == "i18n"']})
    fakeDistribution(dir, {name: 'markupsafe', version: '2.1.5', files: {'markupsafe/__init__.py': 10}})
    fakeDistribution(dir, {name: 'uvicorn', version: '0.29.0', files: {'uvicorn/__init__.py': 10}, requires: ['click>=7', 'httptools>=0.5; extra == "standard"']})
    fakeDistribution(dir, {name: 'httptools', version: '0.6.1', files: {'httptools/__init__.py': 10}})
    fakeDistribution(dir, {name: 'click', version: '8.1.7', files: {'click/__init__.py': 10}})
    fakeDistribution(dir, {name: 'pytest', version: '8.0.0', files: {'pytest/__init__.py': 10}, requires: ['pluggy<2']})
    fakeDistribution(dir, {name: 'pluggy', version: '1.4.0', files: {'pluggy/__init__.py': 10}})
    const dists = await readDistributions(dir)
    expect(dists.find(d => d.name === 'flask')!.requires).to.deep.equal([
      {extras: [], name: 'werkzeug'},
      {extras: [], name: 'jinja2'},
      {extras: [], forExtra: 'async', marker: 'extra == "async"', name: 'asgiref'},
    ])
    const needed = requiredClosure(dists, [{name: 'Flask'}, {extras: ['standard'], name: 'uvicorn'}])
    expect([...needed].sort()).to.deep.equal(['click', 'flask', 'httptools', 'jinja2', 'markupsafe', 'uvicorn', 'werkzeug'])
    expect([...requiredClosure(dists, [{name: 'uvicorn'}])].sort()).to.deep.equal(['click', 'uvicorn'])
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
    const error = await rejection(readInstalledPackages(join(dir, 'nope')))
    expect(error).to.have.property('name', 'UserError')
    expect((error as Error).message).to.match(/^Cannot read the site-packages folder .*nope: ENOENT/)
  })
})
