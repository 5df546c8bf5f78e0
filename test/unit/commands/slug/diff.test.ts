import {expect} from 'chai'
import {createHash} from 'node:crypto'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import nock from 'nock'

import Diff from '../../../../src/commands/slug/diff.js'
import type {SlugDiff} from '../../../../src/lib/analyze/diff/changes.js'
import {type BlobResponder, type BlobServer, sendBytes, serveBlobs} from '../../../helpers/blob-server.js'
import {runCommand} from '../../../helpers/run-command.js'
import {buildSlug} from '../../../helpers/slug-builder.js'
import {AFTER, BEFORE} from '../../lib/analyze/diff/fixtures.js'

const OLD = buildSlug(BEFORE)
const NEW = buildSlug(AFTER)
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex')

const app = {build_stack: {name: 'heroku-24'}, generation: {name: 'cedar'}, name: 'myapp'}
function slug(id: string, bytes: Buffer, blobs: BlobServer) {
  return {
    blob: {method: 'get', url: blobs.url(`${id}.tgz`)},
    checksum: `SHA256:${sha256(bytes)}`,
    commit: `${id}0000000000000000000000000000000000`.slice(0, 40),
    id,
    size: bytes.length,
    stack: {name: 'heroku-24'},
  }
}

const releases = [
  {current: false, slug: {id: 's10'}, status: 'failed', version: 10},
  {current: true, slug: {id: 's9'}, status: 'succeeded', version: 9},
  {current: false, slug: {id: 's9'}, status: 'succeeded', version: 8},
  {current: false, slug: {id: 's7'}, status: 'succeeded', version: 7},
  {current: false, slug: {id: 's6'}, status: 'succeeded', version: 6},
]

describe('slug:diff', () => {
  describe('with two --file slugs', () => {
    let dir: string
    let oldPath: string
    let newPath: string

    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'slug-diff-'))
      oldPath = join(dir, 'old.tgz')
      newPath = join(dir, 'new.tgz')
      writeFileSync(oldPath, OLD)
      writeFileSync(newPath, NEW)
    })

    after(() => rmSync(dir, {force: true, recursive: true}))

    it('prints totals, then files, folders, packages and moves, biggest change first', async () => {
      const {exitCode, stdout} = await runCommand(Diff, ['--file', oldPath, '--file', newPath])
      expect(exitCode).to.equal(0)
      const lines = stdout.split('\n')
      expect(lines[0]).to.equal(`=== Slug diff: ${oldPath} → ${newPath}`)
      expect(stdout).to.match(/Compressed: +\d+ kB → \d+ kB \(\+\d+\.\d kB\), 0\.1% of the 500 MB limit/)
      expect(stdout).to.match(/Uncompressed: +283 kB → 376 kB \(\+93\.0 kB\)/)
      expect(stdout).to.include('Changed files: 3 added, 3 removed, 2 grew, 1 modified, 1 moved')
      const row = (start: string) => lines.find(l => l.trim().startsWith(start))?.trim().split(/ {2,}/)
      expect(row('models/tokenizer.bin')).to.deep.equal(['models/tokenizer.bin', 'added', '+98.4 kB', '0 B → 98.4 kB', '+100 kB', '0 B → 100 kB'])
      expect(row('data/old.csv')?.slice(0, 2)).to.deep.equal(['data/old.csv', 'removed'])
      expect(row('static/bundle.js')?.[4]).to.equal('+40.0 kB')
      expect(row('requests ')).to.include.members(['requests', 'python', '2.31.0 → 2.32.3', 'upgraded', '+3.0 kB'])
      expect(row('models/classifier.h5')?.slice(0, 3)).to.deep.equal(['models/classifier.h5', 'assets/models/classifier.h5', '200 kB'])
      const order = ['=== Files, biggest', '=== Folders to depth 2', '=== Packages', '=== Moved files'].map(h => stdout.indexOf(h))
      expect(order.every((at, i) => at > (order[i - 1] ?? 0))).to.equal(true)
      const files = lines.slice(lines.findIndex(l => l.startsWith('=== Files')))
      expect(files.findIndex(l => l.includes('models/tokenizer.bin'))).to.be.below(files.findIndex(l => l.includes('data/old.csv')))
    })

    it('returns the SlugDiff with --json, and --top and --depth shape it', async () => {
      const {exitCode, result, stdout} = await runCommand<SlugDiff>(Diff, ['--file', oldPath, '--file', newPath, '--json', '--top', '2', '--depth', '1'])
      expect(exitCode).to.equal(0)
      expect(JSON.stringify(JSON.parse(stdout))).to.equal(JSON.stringify(result))
      expect(result!.from).to.deep.equal({file: oldPath, sha256: sha256(OLD)})
      expect(result!.to.sha256).to.equal(sha256(NEW))
      expect(result!.files.map(f => f.path)).to.deep.equal(['models/tokenizer.bin', 'data/old.csv'])
      expect(result!.counts.files.added).to.equal(3)
      expect(result!.folders.map(f => f.path)).to.deep.equal(['assets', 'models'])
      expect(result!.totals.compressed).to.deep.equal({after: NEW.length, before: OLD.length, delta: NEW.length - OLD.length})
    })

    it('says two identical slugs are identical, and exits 0', async () => {
      const {exitCode, stdout} = await runCommand(Diff, ['--file', oldPath, '--file', oldPath])
      expect(exitCode).to.equal(0)
      expect(stdout).to.include(`${oldPath} and ${oldPath} are identical: the same slug, sha256 ${sha256(OLD)}.`)
      expect(stdout).not.to.include('=== Files')
    })

    for (const [argv, message] of [
      [['--file', 'OLD'], 'Give two slugs to compare, older first: --file OLD.tgz --file NEW.tgz (got 1).'],
      [['--file', 'OLD', '--file', 'NEW', 'v3'], 'FROM and TO name releases of an app; with --file, give no release numbers.'],
      [[], 'Say what to compare: --app APP (or a heroku git remote), or --file OLD.tgz --file NEW.tgz.'],
    ] as const) {
      it(`rejects ${argv.join(' ') || 'no arguments'} with one line`, async () => {
        const {error, exitCode} = await runCommand(Diff, [...argv])
        expect(exitCode).to.equal(1)
        expect(error?.message).to.equal(message)
      })
    }

    it('shows control characters in names as text', async () => {
      const hostile = join(dir, 'hostile.tgz')
      writeFileSync(hostile, buildSlug([...BEFORE, {content: 'x'.repeat(5000), path: './app/\u001B]0;pwned\u0007title.txt'}]))
      const {exitCode, stdout} = await runCommand(Diff, ['--file', oldPath, '--file', hostile])
      expect(exitCode).to.equal(0)
      expect(stdout).to.include(String.raw`\e]0;pwned\x07title.txt`)
      expect(stdout).not.to.include('\u001B')
    })

    it('fails with one line on an unreadable or corrupt file', async () => {
      const missing = join(dir, 'missing.tgz')
      let run = await runCommand(Diff, ['--file', oldPath, '--file', missing])
      expect(run.exitCode).to.equal(1)
      expect(run.error?.message).to.equal(`Cannot read ${missing}: ENOENT.`)
      const text = join(dir, 'notes.txt')
      writeFileSync(text, 'not a slug at all')
      run = await runCommand(Diff, ['--file', text, '--file', newPath])
      expect(run.exitCode).to.equal(1)
      expect(run.error?.message).to.not.include('\n')
      expect(run.error?.message).to.match(/gzip/i)
    })
  })

  describe('with --app', () => {
    let api: nock.Scope
    let blobs: BlobServer

    beforeEach(async () => {
      api = nock('https://api.heroku.com')
      blobs = await serveBlobs()
    })

    afterEach(async () => {
      const pending = api.pendingMocks()
      nock.cleanAll()
      await blobs.close()
      expect(pending, 'every expected request was made').to.deep.equal([])
      expect(blobs.requests.filter(r => r.headers.authorization !== undefined), 'no token sent to a blob URL').to.deep.equal([])
    })

    it('compares the current release with the last release before it that had a different slug, downloading both at once', async () => {
      api
      .get('/apps/myapp')
      .reply(200, app)
      .get('/apps/myapp/releases')
      .matchHeader('range', 'version ..; order=desc, max=100')
      .reply(206, releases)
      .get('/apps/myapp/slugs/s7')
      .reply(200, slug('s7', OLD, blobs))
      .get('/apps/myapp/slugs/s9')
      .reply(200, slug('s9', NEW, blobs))
      // Each blob answers only once both downloads have started. Downloads run one after the other would
      // wait forever; after 5 s the waiting one gets a 500 instead, so that mistake fails with a message.
      const arrived: string[] = []
      let release: (status: number) => void
      const barrier = new Promise<number>(resolve => {
        release = resolve
      })
      const deadlockBreaker = setTimeout(() => release(500), 5000)
      const blob = (name: string, bytes: Buffer): BlobResponder => (req, res) => {
        arrived.push(name)
        if (arrived.length === 2) release(200)
        barrier.then(status => (status === 200 ? sendBytes(bytes)(req, res) : res.writeHead(status).end()))
      }

      blobs.serve({'s7.tgz': blob('s7', OLD), 's9.tgz': blob('s9', NEW)})

      const {error, exitCode, result, stdout} = await runCommand<SlugDiff>(Diff, ['--app', 'myapp']).finally(() => clearTimeout(deadlockBreaker))
      expect(error?.message).to.equal(undefined)
      expect(exitCode).to.equal(0)
      expect(arrived).to.have.members(['s7', 's9'])
      expect(result!.from).to.deep.include({app: 'myapp', release: 7, sha256: sha256(OLD), slugId: 's7'})
      expect(result!.to).to.deep.include({app: 'myapp', release: 9, sha256: sha256(NEW), slugId: 's9'})
      expect(stdout.split('\n')[0]).to.equal('=== Slug diff of myapp: v7 → v9')
      expect(stdout).to.match(/From: +v7, slug s7, commit s70000000000, sha256 /)
      expect(result!.files[0].path).to.equal('models/tokenizer.bin')
    })

    it('takes FROM and TO as 42 or v42, and downloads a slug two releases share once', async () => {
      api
      .get('/apps/myapp')
      .reply(200, app)
      .get('/apps/myapp/releases')
      .reply(206, releases)
      .get('/apps/myapp/slugs/s9')
      .reply(200, slug('s9', NEW, blobs))
      blobs.serve({'s9.tgz': NEW})

      const {exitCode, result, stdout} = await runCommand<SlugDiff>(Diff, ['--app', 'myapp', '8', 'v9'])
      expect(exitCode).to.equal(0)
      expect(result!.identical).to.equal(true)
      expect(stdout).to.include(`v8 and v9 are identical: the same slug, sha256 ${sha256(NEW)}.`)
      expect(blobs.requests.map(r => r.path), 'downloaded once').to.deep.equal(['/s9.tgz'])
    })

    it('says there is nothing to compare when the app has only one slug', async () => {
      api
      .get('/apps/myapp')
      .reply(200, app)
      .get('/apps/myapp/releases')
      .reply(206, [releases[1], releases[2]])
      const {error, exitCode} = await runCommand(Diff, ['--app', 'myapp'])
      expect(exitCode).to.equal(1)
      expect(error?.message).to.equal("myapp has only one slug (v9's): nothing to compare. Name an older release to compare with: heroku slug:diff -a myapp vN v9.")
    })

    it('fails with one line on an unknown release', async () => {
      api
      .get('/apps/myapp')
      .reply(200, app)
      .get('/apps/myapp/releases')
      .reply(206, releases)
      .get('/apps/myapp/releases/99')
      .reply(404, {id: 'not_found', message: "Couldn't find that release."})
      const {error, exitCode} = await runCommand(Diff, ['--app', 'myapp', 'v99', 'v9'])
      expect(exitCode).to.equal(1)
      expect(error?.message).to.equal("Couldn't find that release (release v99 of myapp).")
    })

    it('rejects a FROM that is not a release number before calling the API', async () => {
      const {error, exitCode} = await runCommand(Diff, ['--app', 'myapp', 'latest'])
      expect(exitCode).to.equal(1)
      expect(error?.message).to.equal('FROM takes a release number such as 42 or v42, not "latest".')
    })

    it('fails with one line when a download does not match its checksum', async () => {
      api
      .get('/apps/myapp')
      .reply(200, app)
      .get('/apps/myapp/releases')
      .reply(206, releases)
      .get('/apps/myapp/slugs/s7')
      .reply(200, slug('s7', OLD, blobs))
      .get('/apps/myapp/slugs/s9')
      .reply(200, {...slug('s9', NEW, blobs), checksum: `SHA256:${'0'.repeat(64)}`})
      blobs.serve({'s7.tgz': OLD, 's9.tgz': NEW})
      const {error, exitCode} = await runCommand(Diff, ['--app', 'myapp'])
      expect(exitCode).to.equal(1)
      expect(error?.message).to.equal(`The slug's checksum does not match: Heroku says sha256 ${'0'.repeat(64)}, the download has ${sha256(NEW)}.`)
    })
  })
})
