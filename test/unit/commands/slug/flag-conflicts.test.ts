import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import Diet from '../../../../src/commands/slug/diet.js'
import Diff from '../../../../src/commands/slug/diff.js'
import Inspect from '../../../../src/commands/slug/inspect.js'
import type {SlugReport} from '../../../../src/lib/analyze/report.js'
import {runCommand} from '../../../helpers/run-command.js'
import {buildSlug} from '../../../helpers/slug-builder.js'

/*
 * Flags that contradict each other are refused with one line before any work, instead of one of them being
 * silently ignored. Only flags given on the command line conflict: HEROKU_APP and a heroku git remote are
 * defaults, and a local source simply does not look them up.
 */
describe('contradicting flags', () => {
  let dir: string
  let slug: string

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'conflicts-'))
    slug = join(dir, 'slug.tgz')
    writeFileSync(slug, buildSlug([{content: 'web: python app.py\n', path: './app/Procfile'}]))
  })

  afterEach(() => {
    delete process.env.HEROKU_APP
  })

  const cases: Array<[string, {run: (argv: string[], config: never) => Promise<unknown>}, string[], RegExp]> = [
    ['slug:inspect --file X -a app', Inspect, ['--file', 'X', '-a', 'app'], /--app.*--file|--file.*--app/],
    ['slug:inspect --file X --release 5', Inspect, ['--file', 'X', '--release', '5'], /--release.*--file|--file.*--release/],
    ['slug:inspect --file X --remote heroku', Inspect, ['--file', 'X', '--remote', 'heroku'], /--remote.*--file|--file.*--remote/],
    ['slug:inspect --log X -a app', Inspect, ['--log', 'X', '-a', 'app'], /--app.*--log|--log.*--app/],
    ['slug:inspect --dir . -a app', Inspect, ['--dir', '.', '-a', 'app'], /--app.*--dir|--dir.*--app/],
    ['slug:inspect --site-packages X -a app', Inspect, ['--site-packages', 'X', '-a', 'app'], /--app.*--site-packages|--site-packages.*--app/],
    ['slug:diff -a app --file A --file B', Diff, ['-a', 'app', '--file', 'A', '--file', 'B'], /--app.*--file|--file.*--app/],
    ['slug:diet --yes --dry-run', Diet, ['--yes', '--dry-run', '--file', 'X'], /--yes.*--dry-run|--dry-run.*--yes/],
    ['slug:diet --file X -a app', Diet, ['--file', 'X', '-a', 'app'], /--app.*--file|--file.*--app/],
    ['slug:diet --log X -a app', Diet, ['--log', 'X', '-a', 'app'], /--app.*--log|--log.*--app/],
  ]
  for (const [name, command, argv, pattern] of cases) {
    it(`refuses ${name} with one line, before reading anything`, async () => {
      const {error, exitCode, stdout} = await runCommand(command as never, argv)
      expect(exitCode).to.equal(2)
      expect(error?.message).to.match(pattern)
      expect(error?.message.trim()).not.to.include('\n')
      expect(stdout).to.equal('')
    })
  }

  it('does not count HEROKU_APP as an -a given with --file', async () => {
    process.env.HEROKU_APP = 'from-env'
    const {exitCode, result} = await runCommand<SlugReport>(Inspect, ['--file', slug, '--json'])
    expect(exitCode).to.equal(0)
    expect(result?.source).to.deep.equal({file: slug})
  })

  it('does not count a heroku git remote as an -a given with --file', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'remote-'))
    execFileSync('git', ['init', '-q', repo])
    execFileSync('git', ['-C', repo, 'remote', 'add', 'heroku', 'https://git.heroku.com/from-remote.git'])
    const cwd = process.cwd()
    process.chdir(repo)
    try {
      const {exitCode, result} = await runCommand<SlugReport>(Inspect, ['--file', slug, '--json'])
      expect(exitCode).to.equal(0)
      expect(result?.source).to.deep.equal({file: slug})
    } finally {
      process.chdir(cwd)
    }
  })
})
