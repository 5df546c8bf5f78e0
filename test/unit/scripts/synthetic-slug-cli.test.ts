import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

/** `node --import tsx scripts/synthetic-slug.ts ARGS`, as a user runs it. */
function cli(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'scripts/synthetic-slug.ts', ...args], {encoding: 'utf8', timeout: 60_000})
}

describe('scripts/synthetic-slug.ts on the command line', function () {
  this.timeout(60_000)

  it('--help prints the usage on stdout and exits 0', () => {
    const run = cli('--help')
    expect(run.stderr).to.equal('')
    expect(run.stdout).to.match(/^usage: node --import tsx scripts\/synthetic-slug\.ts --out PATH/)
    expect(run.stdout).to.contain('--scale')
    expect(run.status).to.equal(0)
  })

  for (const [what, args, message] of [
    ['an unknown flag', ['--out', 'x.tgz', '--bogus'], /^synthetic-slug: unknown option '--bogus'/],
    ['a flag without its value', ['--out'], /^synthetic-slug: option '--out <value>' needs a value/],
    ['no --out', ['--scale', '0.01'], /^synthetic-slug: --out PATH is required/],
    ['a scale that is not a positive number', ['--out', 'x.tgz', '--scale', 'big'], /^synthetic-slug: --scale must be a positive number, not big/],
    ['a stray argument', ['--out', 'x.tgz', 'extra'], /^synthetic-slug: unexpected argument 'extra'/],
  ] as const) {
    it(`${what}: one line on stderr, exit 2, no stack trace`, () => {
      const run = cli(...args)
      expect(run.stderr).to.match(message)
      expect(run.stderr.trim().split('\n')).to.have.length(1)
      expect(run.stdout).to.equal('')
      expect(run.status).to.equal(2)
    })
  }

  it('an output path it cannot write: one line, exit 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'synthetic-cli-'))
    try {
      const run = cli('--out', join(dir, 'out', 'x.tgz'), '--scale', '0.001')
      expect(run.status).to.equal(0)
      expect(existsSync(join(dir, 'out', 'x.tgz'))).to.equal(true)
      const blocked = cli('--out', join(dir, 'out', 'x.tgz', 'y.tgz'), '--scale', '0.001')
      expect(blocked.stderr).to.match(/^synthetic-slug: cannot write .*y\.tgz: /)
      expect(blocked.stderr.trim().split('\n')).to.have.length(1)
      expect(blocked.status).to.equal(1)
    } finally {
      rmSync(dir, {force: true, recursive: true})
    }
  })
})
