import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {app} from '../../../../src/lib/heroku/flags.js'

type Resolve = (context: {flags: Record<string, unknown>; options: unknown}) => Promise<string | undefined>

/** A git repository whose only heroku remote points at `name`, as `heroku git:remote` writes it. */
function repoWithRemote(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'app-flag-'))
  execFileSync('git', ['init', '-q', dir])
  execFileSync('git', ['-C', dir, 'remote', 'add', 'heroku', `https://git.heroku.com/${name}.git`])
  return dir
}

describe('heroku/flags: --app', () => {
  const flag = app({localSources: ['file', 'log', 'dir']})
  const resolve = flag.default as unknown as Resolve
  const help = flag.defaultHelp as unknown as Resolve
  const cwd = process.cwd()
  const envApp = process.env.HEROKU_APP

  beforeEach(() => {
    delete process.env.HEROKU_APP
    process.chdir(repoWithRemote('remote-app'))
  })

  afterEach(() => {
    process.chdir(cwd)
    if (envApp === undefined) delete process.env.HEROKU_APP
    else process.env.HEROKU_APP = envApp
  })

  it('is -a, read from HEROKU_APP like every heroku command, as a default (not as a flag given)', async () => {
    expect(flag.char).to.equal('a')
    // oclif counts a flag read through `env` as given: --file would then contradict HEROKU_APP
    expect(flag.env).to.equal(undefined)
    process.env.HEROKU_APP = 'env-app'
    expect(await resolve({flags: {}, options: flag})).to.equal('env-app')
    expect(await resolve({flags: {file: 'x'}, options: flag})).to.equal(undefined)
  })

  it('finds the app from the git remote, as @heroku-cli/command does, when the command runs (not for --help)', async () => {
    expect(await resolve({flags: {}, options: flag})).to.equal('remote-app')
    expect(await help({flags: {}, options: flag})).to.equal(undefined)
  })

  it('looks for no app when a local slug, log or repository is the source', async () => {
    for (const local of ['file', 'log', 'dir']) {
      expect(await resolve({flags: {[local]: 'x'}, options: flag}), local).to.equal(undefined)
      expect(await help({flags: {[local]: 'x'}, options: flag}), local).to.equal(undefined)
    }
  })

  it('looks up the app when a flag is not one of the command\'s local sources (slug:diet\'s --dir is its repo)', async () => {
    const diet = app({localSources: ['file', 'log']})
    expect(await (diet.default as unknown as Resolve)({flags: {dir: '.'}, options: diet})).to.equal('remote-app')
    expect(await (diet.default as unknown as Resolve)({flags: {log: 'push.log'}, options: diet})).to.equal(undefined)
    const offload = app({required: true})
    expect(offload.required).to.equal(true)
    expect(await (offload.default as unknown as Resolve)({flags: {dir: '.'}, options: offload})).to.equal('remote-app')
  })

  it('follows --remote to the app it names', async () => {
    execFileSync('git', ['remote', 'add', 'staging', 'https://git.heroku.com/staging-app.git'])
    expect(await resolve({flags: {remote: 'staging'}, options: flag})).to.equal('staging-app')
  })
})
