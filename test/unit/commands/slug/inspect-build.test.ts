import {expect} from 'chai'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Readable} from 'node:stream'
import {fileURLToPath} from 'node:url'
import nock from 'nock'

import Inspect from '../../../../src/commands/slug/inspect.js'
import type {SlugReport} from '../../../../src/lib/analyze/report.js'
import {type BlobServer, serveBlobs} from '../../../helpers/blob-server.js'
import {runCommand} from '../../../helpers/run-command.js'
import {buildSlug} from '../../../helpers/slug-builder.js'

const fixtures = fileURLToPath(new URL('../../../fixtures/build-logs/', import.meta.url))
const fixture = (name: string) => join(fixtures, name)
const FAILED = '22222222-2222-4222-8222-222222222222'
const OLD = '11111111-1111-4111-8111-111111111111'

/** Build output streams are served by a local stand-in for Heroku's log storage. */
let output: BlobServer

function build(id: string, status: 'failed' | 'succeeded', createdAt: string) {
  return {created_at: createdAt, id, output_stream_url: output.url(`${id}.log`), stack: 'heroku-22', status}
}

describe('slug:inspect --log and --build', () => {
  beforeEach(async () => {
    output = await serveBlobs()
  })

  afterEach(async () => {
    nock.cleanAll()
    await output.close()
    expect(output.requests.filter(r => r.headers.authorization !== undefined), 'no token sent to a log URL').to.deep.equal([])
  })

  it('--log FILE: packages by wheel size, findings, and whether they bring the build under the limit', async () => {
    const {exitCode, stdout} = await runCommand(Inspect, ['--log', fixture('over-limit.log')])
    expect(exitCode).to.equal(0)
    expect(stdout).to.match(/Compressed:\s+712 MB \(estimate\), 142\.5% of the 500 MB limit: over by 212 MB/)
    expect(stdout).to.include('the build was 212 MB over the 500 MB limit')
    expect(stdout).to.match(/The findings save about \d+ MB \(estimated from wheel sizes\): that brings the slug to about \d+ MB, \d+ MB under the 500 MB limit\./)
    expect(stdout).to.match(/tensorflow 2\.16\.1\s+python\s+590 MB\s+590 MB/)
    expect(stdout).to.include('tensorflow can be replaced by tensorflow-cpu')
    expect(stdout).to.include('pytest (test runner) is installed in production')
    expect(stdout).not.to.include('Largest files')
  })

  it('--log FILE --json returns the build-log report', async () => {
    const {exitCode, result, stdout} = await runCommand<SlugReport>(Inspect, ['--log', fixture('git-push-ansi.log'), '--json'])
    expect(exitCode).to.equal(0)
    const json = JSON.parse(stdout) as SlugReport
    expect(json.kind).to.equal('build-log')
    expect(json.prediction).to.equal(true)
    expect(json.totals.compressed).to.equal(715.3e6)
    expect(json.source).to.deep.equal({file: fixture('git-push-ansi.log'), stack: 'heroku-24'})
    expect(json.packages.map(p => p.name)).to.deep.equal(['tensorflow', 'opencv-python', 'numpy', 'pandas', 'tensorboard'])
    expect(result?.findings.map(f => f.id)).to.include('heavy-package:opencv-python')
  })

  it('--log - reads stdin', async () => {
    const stdin = Object.getOwnPropertyDescriptor(process, 'stdin')!
    Object.defineProperty(process, 'stdin', {configurable: true, value: Readable.from([readFileSync(fixture('soft-limit.log'))])})
    try {
      const {exitCode, result} = await runCommand<SlugReport>(Inspect, ['--log', '-', '--json'])
      expect(exitCode).to.equal(0)
      expect(result?.source.file).to.equal('stdin')
      expect(result?.totals.compressed).to.equal(367.9e6)
    } finally {
      Object.defineProperty(process, 'stdin', stdin)
    }
  })

  it('--log with --max-size gates on the compiled size', async () => {
    const {error, exitCode} = await runCommand(Inspect, ['--log', fixture('over-limit.log'), '--max-size', '500MB'])
    expect(exitCode).to.equal(1)
    expect(error?.message).to.equal('The compressed slug is 712 MB, over the --max-size budget of 500 MB by 212 MB.')
  })

  it('refuses a log with no recognisable lines and a binary file, in one line with exit 1', async () => {
    const notLog = await runCommand(Inspect, ['--log', fixture('not-a-build-log.log')])
    expect(notLog.exitCode).to.equal(1)
    expect(notLog.error?.message).to.match(/^No pip or buildpack lines found in .*not-a-build-log\.log: is it the output of a Heroku build/)
    const binary = join(mkdtempSync(join(tmpdir(), 'inspect-log-')), 'slug.tgz')
    writeFileSync(binary, Buffer.from([0x1F, 0x8B, 0x08, 0x00, 0x00]))
    const bin = await runCommand(Inspect, ['--log', binary])
    expect(bin.exitCode).to.equal(1)
    expect(bin.error?.message).to.equal(`${binary} is not a text build log (it has NUL bytes). For a slug .tgz use --file instead.`)
  })

  it('--log of a build that installed with uv: its wheels by size, with versions, and the CUDA finding', async () => {
    const {exitCode, result} = await runCommand<SlugReport>(Inspect, ['--log', fixture('uv-cuda-torch.log'), '--json'])
    expect(exitCode).to.equal(0)
    expect(result?.kind).to.equal('build-log')
    expect(result?.packages[0]).to.deep.include({name: 'torch', version: '2.6.0'})
    expect(result?.packages[0].compressed).to.equal(Math.round(731.1 * 1024 * 1024))
    expect(result?.findings.map(f => f.id)).to.include('heavy-package:torch')
    expect(result?.totals.compressed).to.equal(2.2e9)
  })

  it('--build latest fetches the newest build\'s log from its signed URL without the API token', async () => {
    const api = nock('https://api.heroku.com')
    .get('/apps/example-app/builds')
    .matchHeader('range', /^created_at \.\.; order=desc, max=\d+$/)
    .reply(206, [build(OLD, 'succeeded', '2026-11-20T11:55:00Z'), build(FAILED, 'failed', '2026-11-25T09:00:00Z')])
    output.serve({[`${FAILED}.log`]: readFileSync(fixture('cuda-torch.log'))})
    const {exitCode, result, stdout} = await runCommand<SlugReport>(Inspect, ['--app', 'example-app', '--build', 'latest'])
    expect(exitCode).to.equal(0)
    expect(stdout).to.match(new RegExp(`Build:\\s+${FAILED}`))
    expect(result?.source).to.deep.equal({app: 'example-app', buildId: FAILED, stack: 'heroku-22'})
    expect(result?.findings.map(f => f.id)).to.include('heavy-package:torch')
    api.done()
    expect(output.requests.map(r => r.path)).to.deep.equal([`/${FAILED}.log`])
  })

  it('--app alone: a failed build newer than the current release is read instead of the slug, and the release is offered', async () => {
    const api = nock('https://api.heroku.com')
    .get('/apps/example-app')
    .reply(200, {build_stack: {name: 'heroku-22'}, name: 'example-app'})
    .get('/apps/example-app/builds')
    .reply(206, [build(FAILED, 'failed', '2026-11-25T09:00:00Z'), build(OLD, 'succeeded', '2026-11-20T11:55:00Z')])
    .get('/apps/example-app/releases')
    .reply(206, [{created_at: '2026-11-20T12:00:00Z', current: true, slug: {id: 'slug-11'}, status: 'succeeded', version: 11}])
    output.serve({[`${FAILED}.log`]: readFileSync(fixture('over-limit.log'))})
    const {exitCode, result} = await runCommand<SlugReport>(Inspect, ['--app', 'example-app', '--json'])
    expect(exitCode).to.equal(0)
    expect(result?.kind).to.equal('build-log')
    const offer = 'example-app still runs v11 from an earlier successful build: inspect that slug with --release v11.'
    expect(result?.notes[0]).to.equal(`The newest build (${FAILED}) failed, so it left no slug: this report reads its log. ${offer}`)
    api.done()
    expect(output.requests.map(r => r.path)).to.deep.equal([`/${FAILED}.log`])
  })

  it('--app alone: a failed build whose log has expired shows the running slug with a note instead of failing', async () => {
    const slug = buildSlug([{content: 'web: gunicorn app:app\n', path: './app/Procfile'}])
    const api = nock('https://api.heroku.com')
    .get('/apps/example-app')
    .reply(200, {build_stack: {name: 'heroku-22'}, name: 'example-app'})
    .get('/apps/example-app/builds')
    .reply(206, [build(FAILED, 'failed', '2026-11-25T09:00:00Z'), build(OLD, 'succeeded', '2026-11-20T11:55:00Z')])
    .get('/apps/example-app/releases')
    .reply(206, [{created_at: '2026-11-20T12:00:00Z', current: true, slug: {id: 'slug-11'}, status: 'succeeded', version: 11}])
    .get('/apps/example-app/releases/11')
    .reply(200, {created_at: '2026-11-20T12:00:00Z', current: true, slug: {id: 'slug-11'}, status: 'succeeded', version: 11})
    .get('/apps/example-app/slugs/slug-11')
    .reply(200, {blob: {url: output.url('slug-11.tgz')}, id: 'slug-11', size: slug.length})
    output.serve({[`${FAILED}.log`]: (_req, res) => res.writeHead(403).end('AccessDenied'), 'slug-11.tgz': slug})
    const {exitCode, result} = await runCommand<SlugReport>(Inspect, ['--app', 'example-app', '--json'])
    expect(exitCode).to.equal(0)
    expect(result?.kind).to.equal('slug')
    expect(result?.source).to.include({app: 'example-app', release: 11, slugId: 'slug-11'})
    expect(result?.notes[0]).to.match(new RegExp(`^The newest build \\(${FAILED}\\) failed and its log cannot be read \\(The build log has expired or is gone \\(HTTP 403\\)`))
    expect(result?.notes[0]).to.match(/this is the slug of v11, the release example-app still runs\.$/)
    api.done()
  })

  it('--app alone: a failed build whose log is not a build log (garbage) shows the running slug with a note, as an expired one does', async () => {
    const slug = buildSlug([{content: 'web: gunicorn app:app\n', path: './app/Procfile'}])
    const api = nock('https://api.heroku.com')
    .get('/apps/example-app')
    .reply(200, {build_stack: {name: 'heroku-22'}, name: 'example-app'})
    .get('/apps/example-app/builds')
    .reply(206, [build(FAILED, 'failed', '2026-11-25T09:00:00Z'), build(OLD, 'succeeded', '2026-11-20T11:55:00Z')])
    .get('/apps/example-app/releases')
    .reply(206, [{created_at: '2026-11-20T12:00:00Z', current: true, slug: {id: 'slug-11'}, status: 'succeeded', version: 11}])
    .get('/apps/example-app/releases/11')
    .reply(200, {created_at: '2026-11-20T12:00:00Z', current: true, slug: {id: 'slug-11'}, status: 'succeeded', version: 11})
    .get('/apps/example-app/slugs/slug-11')
    .reply(200, {blob: {url: output.url('slug-11.tgz')}, id: 'slug-11', size: slug.length})
    output.serve({[`${FAILED}.log`]: Buffer.from('qx#%@ 0xDEADBEEF zzzz\n\u00E9\u00E9 garbage, no build lines\n'), 'slug-11.tgz': slug})
    const {exitCode, result} = await runCommand<SlugReport>(Inspect, ['--app', 'example-app', '--json'])
    expect(exitCode).to.equal(0)
    expect(result?.kind).to.equal('slug')
    expect(result?.source).to.include({app: 'example-app', release: 11, slugId: 'slug-11'})
    expect(result?.notes[0]).to.match(new RegExp(`^The newest build \\(${FAILED}\\) failed and its log cannot be read \\(No pip or buildpack lines found in the log of build ${FAILED}`))
    expect(result?.notes[0]).to.match(/this is the slug of v11, the release example-app still runs\.$/)
    api.done()
  })

  it('an expired build log and an app without builds are one-line errors', async () => {
    nock('https://api.heroku.com').get(`/apps/example-app/builds/${FAILED}`).reply(200, build(FAILED, 'failed', '2026-11-25T09:00:00Z'))
    output.serve({[`${FAILED}.log`]: (_req, res) => res.writeHead(403).end('AccessDenied')})
    const expired = await runCommand(Inspect, ['--app', 'example-app', '--build', FAILED])
    expect(expired.exitCode).to.equal(1)
    expect(expired.error?.message).to.match(/^The build log has expired or is gone \(HTTP 403\)/)

    nock('https://api.heroku.com').get('/apps/empty-app/builds').reply(200, [])
    const none = await runCommand(Inspect, ['--app', 'empty-app', '--build', 'latest'])
    expect(none.exitCode).to.equal(1)
    expect(none.error?.message).to.equal('empty-app has no builds yet: push to it first, or inspect the repo with slug:inspect --dir.')
  })

  it('--app alone on a container app says why there is no slug, without reading its builds', async () => {
    const api = nock('https://api.heroku.com').get('/apps/box').reply(200, {build_stack: {name: 'container'}, name: 'box'})
    const {error, exitCode} = await runCommand(Inspect, ['--app', 'box'])
    expect(exitCode).to.equal(1)
    expect(error?.message).to.match(/^box uses the container stack/)
    api.done()
  })

  it('--build without an app is a one-line error', async () => {
    const {error, exitCode} = await runCommand(Inspect, ['--build', 'latest'])
    expect(exitCode).to.equal(1)
    expect(error?.message).to.equal('--build reads a build of an app: add --app APP (or run it where a heroku git remote is set).')
  })

  it('--build and --log exclude the slug flags', async () => {
    const {exitCode, error} = await runCommand(Inspect, ['--log', fixture('success.log'), '--file', 'slug.tgz'])
    expect(exitCode).to.equal(2)
    expect(error?.message).to.match(/--file=slug\.tgz cannot also be provided when using --log/)
  })
})
