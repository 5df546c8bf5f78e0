import {expect} from 'chai'
import {createHash} from 'node:crypto'
import {mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import nock from 'nock'

import Diff from '../../../../src/commands/slug/diff.js'
import Inspect from '../../../../src/commands/slug/inspect.js'
import {serveBlobs} from '../../../helpers/blob-server.js'
import {runCommand} from '../../../helpers/run-command.js'
import {buildSlug, incompressible} from '../../../helpers/slug-builder.js'

const site = '.heroku/python/lib/python3.12/site-packages'
const slug = buildSlug([
  {content: 'web: gunicorn app:app\n', path: './app/Procfile'},
  {content: 'from flask import Flask\n'.repeat(200), path: './app/app.py'},
  {content: Buffer.concat([Buffer.from('\u0089HDF\r\n\u001A\n', 'latin1'), incompressible(300_000, 3)]), path: './app/models/classifier.h5'},
  {content: 'Metadata-Version: 2.1\nName: flask\nVersion: 3.0.3\n', path: `./app/${site}/flask-3.0.3.dist-info/METADATA`},
  {content: 'flask/__init__.py,,\nflask-3.0.3.dist-info/METADATA,,\n', path: `./app/${site}/flask-3.0.3.dist-info/RECORD`},
  {content: 'x = 1\n'.repeat(300), path: `./app/${site}/flask/__init__.py`},
])
const sha = createHash('sha256').update(slug).digest('hex')
const cacheDir = () => join(process.env.HEROKU_CACHE_DIR!, 'heroku-slug-diet', 'scans')

function mockApp(blobUrl: string) {
  return nock('https://api.heroku.com')
  .get('/apps/cached-app').reply(200, {build_stack: {name: 'heroku-24'}, name: 'cached-app'})
  .get('/apps/cached-app/builds').reply(206, [{created_at: '2026-11-20T12:00:00Z', id: '11111111-1111-4111-8111-111111111111', status: 'succeeded'}])
  .get('/apps/cached-app/releases').reply(206, [{current: true, slug: {id: 'slug-c1'}, status: 'succeeded', version: 3}])
  .get('/apps/cached-app/slugs/slug-c1')
  .reply(200, {blob: {method: 'get', url: blobUrl}, checksum: `SHA256:${sha}`, id: 'slug-c1', size: slug.length, stack: {name: 'heroku-24'}})
}

describe('the scan cache, through the commands', () => {
  beforeEach(() => {
    process.env.HEROKU_SLUG_DIET_CACHE_SIZE = '100MB'
    rmSync(cacheDir(), {force: true, recursive: true})
  })

  afterEach(() => {
    process.env.HEROKU_SLUG_DIET_CACHE_SIZE = '0'
    nock.cleanAll()
  })

  it('downloads an app\'s slug once: the second slug:inspect reads the cached scan, and --json is byte-for-byte the same', async () => {
    const blobs = await serveBlobs({'c1.tgz': slug})
    try {
      mockApp(blobs.url('c1.tgz'))
      const first = await runCommand(Inspect, ['--app', 'cached-app', '--json'])
      expect(first.exitCode, first.stderr).to.equal(0)
      expect(readdirSync(cacheDir())).to.have.length(1)
      mockApp(blobs.url('c1.tgz'))
      const second = await runCommand(Inspect, ['--app', 'cached-app', '--json'])
      expect(second.stdout).to.equal(first.stdout)
      expect(blobs.requests).to.have.length(1)
      mockApp(blobs.url('c1.tgz'))
      const again = await runCommand(Inspect, ['--app', 'cached-app', '--json', '--no-cache'])
      expect(again.stdout).to.equal(first.stdout)
      expect(blobs.requests).to.have.length(2)
    } finally {
      await blobs.close()
    }
  })

  it('reads a slug file once: the same report from the cache, and a file rewritten in place is read again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cache-cmd-'))
    const path = join(dir, 'slug.tgz')
    writeFileSync(path, slug)
    const first = await runCommand(Inspect, ['--file', path, '--json'])
    const second = await runCommand(Inspect, ['--file', path, '--json'])
    expect(second.stdout).to.equal(first.stdout)
    expect(readdirSync(cacheDir())).to.have.length(1)
    const uncached = await runCommand(Inspect, ['--file', path, '--json', '--no-cache'])
    expect(uncached.stdout).to.equal(first.stdout)
    writeFileSync(path, buildSlug([{content: 'print(1)\n', path: './app/app.py'}]))
    const rewritten = await runCommand(Inspect, ['--file', path, '--json'])
    expect(JSON.parse(rewritten.stdout).totals.files).to.equal(1)
    expect(readdirSync(cacheDir())).to.have.length(2)
  })

  it('serves slug:diff from the cache too, and its content hashes come from a scan that kept them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cache-diff-'))
    const older = join(dir, 'old.tgz')
    const newer = join(dir, 'new.tgz')
    writeFileSync(older, buildSlug([{content: 'a = 1\n', path: './app/app.py'}]))
    writeFileSync(newer, buildSlug([{content: 'b = 2\n', path: './app/app.py'}]))
    // inspect caches scans without content hashes; diff needs them, so it scans again and keeps richer entries.
    await runCommand(Inspect, ['--file', older, '--json'])
    const first = await runCommand(Diff, ['--file', older, '--file', newer, '--json'])
    expect(first.exitCode, first.stderr).to.equal(0)
    expect(JSON.parse(first.stdout).files.map((f: {change: string; path: string}) => [f.path, f.change])).to.deep.equal([['app.py', 'modified']])
    const second = await runCommand(Diff, ['--file', older, '--file', newer, '--json'])
    expect(second.stdout).to.equal(first.stdout)
    const uncached = await runCommand(Diff, ['--file', older, '--file', newer, '--json', '--no-cache'])
    expect(uncached.stdout).to.equal(first.stdout)
  })
})
