import {expect} from 'chai'
import {execFile} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {promisify} from 'node:util'

import {buildSlug} from '../../helpers/slug-builder.js'

const root = fileURLToPath(new URL('../../..', import.meta.url))

/**
 * Runs a command in a fresh node process with a module hook that records every module it loads:
 * what a user's process loads is the point, and the test process has loaded everything already.
 */
async function modulesLoadedBy(argv: string[], cwd = root): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'startup-'))
  const hooks = join(dir, 'hooks.mjs')
  writeFileSync(hooks, `export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context)
  process.stderr.write('loaded ' + resolved.url + '\\n')
  return resolved
}\n`)
  const register = join(dir, 'register.mjs')
  writeFileSync(register, `import {register} from 'node:module'\nregister(${JSON.stringify(pathToFileURL(hooks).href)})\n`)
  // By URL: `--import tsx` would be looked up from `cwd`, which may be a repo of the test's own.
  const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/esm/index.mjs')).href
  const {stderr} = await promisify(execFile)('node', ['--import', tsx, '--import', register, join(root, 'bin/dev.js'), ...argv], {cwd})
  return stderr.split('\n').filter(line => line.startsWith('loaded ')).map(line => line.slice('loaded '.length))
}

describe('start-up', function () {
  this.timeout(60_000)

  it('a local slug is inspected without loading the API client, its credential manager or Sentry', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'startup-slug-'))
    writeFileSync(join(dir, 'slug.tgz'), buildSlug([{content: 'web: python app.py\n', path: './app/Procfile'}]))
    const loaded = await modulesLoadedBy(['slug:inspect', '--file', join(dir, 'slug.tgz'), '--json'])
    // The hook saw the run: the scanner was loaded (bin/dev.js runs dist/ when it is built, as under npm test).
    expect(loaded.some(url => /\/(?:src|dist)\/lib\/scan\/scanner\.[jt]s$/.test(url))).to.equal(true)
    expect(loaded.filter(url => /\/node_modules\/(?:@heroku-cli\/command|@sentry)\//.test(url))).to.deep.equal([])
  })
})

describe('start-up of --help', function () {
  this.timeout(60_000)

  it('slug:inspect --help loads neither the API client nor Sentry, even in a repo with a heroku remote', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'startup-help-'))
    await promisify(execFile)('git', ['init', '-q', repo])
    await promisify(execFile)('git', ['-C', repo, 'remote', 'add', 'heroku', 'https://git.heroku.com/remote-app.git'])
    const loaded = await modulesLoadedBy(['slug:inspect', '--help'], repo)
    expect(loaded.some(url => /\/(?:src|dist)\/commands\/slug\/inspect\.[jt]s$/.test(url))).to.equal(true)
    expect(loaded.filter(url => /\/node_modules\/(?:@heroku-cli\/command|@sentry)\//.test(url))).to.deep.equal([])
  })
})
