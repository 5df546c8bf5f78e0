import {expect} from 'chai'
import {createHash} from 'node:crypto'
import {execFileSync} from 'node:child_process'
import {createWriteStream, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Readable} from 'node:stream'
import nock from 'nock'

import Inspect from '../../../../src/commands/slug/inspect.js'
import type {SlugReport} from '../../../../src/lib/analyze/report.js'
import {serveBlobs} from '../../../helpers/blob-server.js'
import {runCommand} from '../../../helpers/run-command.js'
import {buildSlug, incompressible} from '../../../helpers/slug-builder.js'

const site = '.heroku/python/lib/python3.12/site-packages'
const slug = buildSlug([
  {content: 'web: gunicorn app:app\n', path: './app/Procfile'},
  {content: 'tensorflow==2.16.1\n', path: './app/requirements.txt'},
  {content: 'from flask import Flask\n'.repeat(200), path: './app/app.py'},
  {content: Buffer.concat([Buffer.from('\u0089HDF\r\n\u001A\n', 'latin1'), incompressible(600_000, 3)]), path: './app/models/classifier.h5'},
  {content: incompressible(900_000, 5), path: `./app/${site}/tensorflow/libtensorflow_framework.so.2`},
  {content: 'import os\n'.repeat(500), path: `./app/${site}/tensorflow/__init__.py`},
  {content: 'Metadata-Version: 2.1\nName: tensorflow\nVersion: 2.16.1\n', path: `./app/${site}/tensorflow-2.16.1.dist-info/METADATA`},
  {
    content: [
      'tensorflow/libtensorflow_framework.so.2,sha256=x,900000',
      'tensorflow/__init__.py,sha256=y,5000',
      'tensorflow-2.16.1.dist-info/METADATA,,',
      'tensorflow-2.16.1.dist-info/RECORD,,',
    ].join('\n'),
    path: `./app/${site}/tensorflow-2.16.1.dist-info/RECORD`,
  },
])
const sha = createHash('sha256').update(slug).digest('hex')

function slugFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'inspect-'))
  writeFileSync(join(dir, 'slug.tgz'), slug)
  return join(dir, 'slug.tgz')
}

describe('slug:inspect', () => {
  afterEach(() => nock.cleanAll())

  it('inspects a local slug file: header, largest files, packages and findings', async () => {
    const {exitCode, stdout} = await runCommand(Inspect, ['--file', slugFile()])
    expect(exitCode).to.equal(0)
    expect(stdout).to.match(/=== Slug .*slug\.tgz/)
    expect(stdout).to.match(/Compressed:\s+1\.5 MB, 0\.3% of the 500 MB limit/)
    expect(stdout).to.include('Largest files')
    expect(stdout).to.match(/\.heroku\/python\/lib\/python3\.12\/site-packages\/tensorflow\/libtensorflow_framework\.so\.2\s+900 kB\s+(89|90)\d kB\s+\d+\.\d%\s+buildpack\s+python-package/)
    expect(stdout).to.match(/models\/classifier\.h5\s+600 kB\s+(59|60)\d kB\s+\d+\.\d%\s+repo\s+model \(keras-h5\)/)
    expect(stdout).to.match(/tensorflow 2\.16\.1\s+python/)
    expect(stdout).to.include('Findings')
    expect(stdout).to.include('tensorflow-cpu')
    expect(stdout).to.include('Run: heroku slug:offload-models')
    expect(stdout).to.match(/All findings together save about [\d.]+ [kM]B/)
  })

  it('returns the same report as JSON', async () => {
    const {result, stdout} = await runCommand<SlugReport>(Inspect, ['--file', slugFile(), '--json', '--top', '2'])
    const json = JSON.parse(stdout) as SlugReport
    expect(json.kind).to.equal('slug')
    expect(json.prediction).to.equal(false)
    expect(json.totals.compressed).to.equal(slug.length)
    expect(json.files.map(f => f.path)).to.deep.equal([`${site}/tensorflow/libtensorflow_framework.so.2`, 'models/classifier.h5'])
    expect(json.packages.find(p => p.name === 'tensorflow')?.version).to.equal('2.16.1')
    expect(json.findings.map(f => f.kind)).to.include.members(['heavy-package', 'model-in-repo'])
    expect(result?.totals.files).to.equal(8)
  })

  it('streams the current release slug of an app without sending the token to the blob URL', async () => {
    const blobs = await serveBlobs({'slug-11.tgz': slug})
    const api = nock('https://api.heroku.com')
    // Looked up once: for the failed-build check (src/lib/pipeline/build-log.ts) and then the slug.
    .get('/apps/example-app')
    .reply(200, {build_stack: {name: 'heroku-24'}, name: 'example-app'})
    .get('/apps/example-app/builds')
    .reply(206, [{created_at: '2026-11-20T12:00:00Z', id: '11111111-1111-4111-8111-111111111111', status: 'succeeded'}])
    .get('/apps/example-app/releases')
    .matchHeader('range', /^version \.\.; order=desc, max=\d+$/)
    .reply(206, [
      {current: false, slug: {id: 'slug-new'}, status: 'pending', version: 12},
      {current: true, slug: {id: 'slug-11'}, status: 'succeeded', version: 11},
    ])
    .get('/apps/example-app/slugs/slug-11')
    .reply(200, {
      blob: {method: 'get', url: blobs.url('slug-11.tgz')},
      checksum: `SHA256:${sha}`,
      commit: '0123456789abcdef',
      id: 'slug-11',
      size: slug.length,
      stack: {name: 'heroku-24'},
    })

    const {exitCode, stdout} = await runCommand(Inspect, ['--app', 'example-app']).finally(() => blobs.close())
    expect(exitCode).to.equal(0)
    expect(stdout).to.match(/=== Slug of example-app v11/)
    expect(stdout).to.match(/Slug:\s+slug-11/)
    expect(stdout).to.match(/Commit:\s+0123456789ab/)
    expect(stdout).to.match(/Stack:\s+heroku-24/)
    api.done()
    expect(blobs.requests.map(r => [r.path, r.query.get('X-Amz-Signature'), r.headers.authorization])).to.deep.equal([['/slug-11.tgz', 'abc', undefined]])
  })

  it('fails the --max-size budget with a one-line error and exit 1', async () => {
    const {error, exitCode} = await runCommand(Inspect, ['--file', slugFile(), '--max-size', '1MB'])
    expect(exitCode).to.equal(1)
    expect(error?.message).to.match(/^The compressed slug is 1\.5 MB, over the --max-size budget of 1\.0 MB by 5\d\d kB\.$/)
  })

  it('rejects a malformed --max-size before doing any work', async () => {
    const {error, exitCode} = await runCommand(Inspect, ['--file', '/nonexistent.tgz', '--max-size', 'lots'])
    expect(exitCode).to.equal(1)
    expect(error?.message).to.equal('--max-size takes a size such as 400MB or 1.5GB, not "lots".')
  })

  it('shows control characters in names as text and keeps names that climb out of ./app out of the app files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hostile-'))
    const file = join(dir, 'hostile.tgz')
    writeFileSync(file, buildSlug([
      {content: incompressible(300_000, 7), path: './app/models/\u001B[31mred\u001B[0m\u0007.h5'},
      {content: incompressible(200_000, 8), path: './app/../../etc/evil'},
      {content: 'x = 1\n', path: './app/app.py'},
    ]))
    const {exitCode, stdout} = await runCommand(Inspect, ['--file', file])
    expect(exitCode).to.equal(0)
    expect(stdout).not.to.include('\u001B')
    expect(stdout).not.to.include('\u0007')
    expect(stdout).to.include(String.raw`models/\e[31mred\e[0m\x07.h5`)
    expect(stdout).not.to.match(/^\s+\.\.\//m)
    expect(stdout).to.include('1 entries have names that climb out of ./app/ with ".." (./app/../../etc/evil): they are not counted as app files.')
    const {stdout: json} = await runCommand(Inspect, ['--file', file, '--json'])
    const report = JSON.parse(json) as SlugReport
    expect(report.files.map(f => f.path)).to.deep.equal(['models/\u001B[31mred\u001B[0m\u0007.h5', 'app.py'])
    expect(report.folders.some(f => f.path.includes('..'))).to.equal(false)
  })

  it('reads a slug from a FIFO, as process substitution hands it over (--file <(heroku slugs:download ...))', async () => {
    const fifo = join(mkdtempSync(join(tmpdir(), 'fifo-')), 'slug')
    execFileSync('mkfifo', [fifo])
    createWriteStream(fifo).end(slug)
    const {exitCode, result} = await runCommand<SlugReport>(Inspect, ['--file', fifo, '--json'])
    expect(exitCode).to.equal(0)
    expect(result?.totals.compressed).to.equal(slug.length)
    expect(result?.packages.find(p => p.name === 'tensorflow')?.version).to.equal('2.16.1')
  })

  it('reads a slug from stdin with --file -', async () => {
    const stdin = Object.getOwnPropertyDescriptor(process, 'stdin')!
    Object.defineProperty(process, 'stdin', {configurable: true, value: Readable.from([slug.subarray(0, 1000), slug.subarray(1000)])})
    try {
      const {exitCode, result} = await runCommand<SlugReport>(Inspect, ['--file', '-', '--json'])
      expect(exitCode).to.equal(0)
      expect(result?.source).to.deep.equal({file: 'stdin'})
      expect(result?.totals.compressed).to.equal(slug.length)
    } finally {
      Object.defineProperty(process, 'stdin', stdin)
    }
  })

  it('refuses --save onto a directory or into a missing folder in one line, before reading anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'save-'))
    let run = await runCommand(Inspect, ['--file', slugFile(), '--save', dir])
    expect(run.exitCode).to.equal(1)
    expect(run.error?.message).to.equal(`--save ${dir} is a directory: give the file to write, e.g. ${dir}/slug.tgz.`)
    run = await runCommand(Inspect, ['--file', slugFile(), '--save', join(dir, 'nope', 'slug.tgz')])
    expect(run.error?.message).to.equal(`--save ${join(dir, 'nope', 'slug.tgz')}: the folder ${join(dir, 'nope')} does not exist.`)
  })

  it('gives a one-line error for a corrupt slug file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bad-'))
    writeFileSync(join(dir, 'bad.tgz'), slug.subarray(0, -100))
    const {error, exitCode, stdout} = await runCommand(Inspect, ['--file', join(dir, 'bad.tgz')])
    expect(exitCode).to.equal(1)
    expect(error?.message).to.match(/^The slug is truncated/)
    expect(error?.message).not.to.include('\n')
    expect(stdout).to.equal('')
  })
})
