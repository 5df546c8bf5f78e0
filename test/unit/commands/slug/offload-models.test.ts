import {expect} from 'chai'
import {randomBytes} from 'node:crypto'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import nock from 'nock'

import OffloadModels, {type OffloadOutput} from '../../../../src/commands/slug/offload-models.js'
import {runCommand} from '../../../helpers/run-command.js'

/** HEROKU_DEBUG switches on http-call's `debug` output for the rest of the process: switch it off again. */
async function stopHttpDebug(): Promise<void> {
  const {createRequire} = await import('node:module')
  const httpCall = createRequire(import.meta.resolve('@heroku-cli/command')).resolve('@heroku/http-call')
  createRequire(httpCall)('debug').disable()
}

import {hdf5, makeRepo} from '../../lib/plan/offload/repo-fixture.js'

const API = 'https://api.heroku.com'
const KEY_ID = 'AKIAUNITTESTKEY00001'
const SECRET = 'unit-secret-access-key-must-never-show-0123'
const ADDON_SECRET = 'bucketeer-secret-must-never-show'

function repo(): string {
  return makeRepo({'app.py': 'print(1)\n', 'models/clf.h5': hdf5(6e6), 'requirements.txt': 'flask\n', 'static/logo.png': randomBytes(2000)})
}

function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const entry of readdirSync(dir, {recursive: true, withFileTypes: true})) {
    if (entry.isFile() && !entry.parentPath.includes('.git')) out[join(entry.parentPath, entry.name)] = readFileSync(join(entry.parentPath, entry.name), 'hex')
  }

  return out
}

function app(addons: unknown[] = [], config: Record<string, string> = {}) {
  return nock(API).get('/apps/example-app/addons').reply(200, addons).get('/apps/example-app/config-vars').reply(200, config)
}

function dryRun(...flags: string[]) {
  return runCommand(OffloadModels, ['--app', 'example-app', '--dir', repo(), '--dry-run', ...flags])
}

describe('slug:offload-models', () => {
  const saved = {...process.env}
  /** Puts back the environment the tests changed, keeping process.env the object Node made. */
  const restoreEnv = () => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
    Object.assign(process.env, saved)
  }

  beforeEach(() => {
    process.env.AWS_ACCESS_KEY_ID = KEY_ID
    process.env.AWS_SECRET_ACCESS_KEY = SECRET
    process.env.AWS_EC2_METADATA_DISABLED = 'true'
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
  })

  afterEach(() => {
    nock.cleanAll()
    restoreEnv()
    process.exitCode = undefined
  })

  it('--dry-run shows the models, the destination, the config vars and the files, and touches nothing', async () => {
    const dir = repo()
    const before = files(dir)
    const api = app()
    const patch = nock(API).patch('/apps/example-app/config-vars').reply(200, {})
    const {exitCode, result, stdout} = await runCommand<OffloadOutput>(OffloadModels, ['--app', 'example-app', '--dir', dir, '--bucket', 'models', '--dry-run'])
    expect(exitCode).to.equal(0)
    expect(result?.dryRun).to.equal(true)
    expect(stdout).to.match(/=== Models of example-app to offload: 1, 6\.0 MB/)
    expect(stdout).to.match(/models\/clf\.h5\s+keras-h5\s+6\.0 MB\s+1/)
    expect(stdout).to.include('Destination: s3://models/example-app/models/ (AWS region us-east-1; keys from the AWS SDK\'s default chain)')
    expect(stdout).to.match(/MODEL_S3_MANIFEST\s+add\s+example-app\/models\/manifests\/[0-9a-f]{64}\.json/)
    expect(stdout).to.match(/model_store\.py\s+create/)
    expect(stdout).to.match(/requirements\.txt\s+update\s+the loader needs boto3/)
    expect(stdout).to.include('Dry run: nothing was uploaded, set or written.')
    expect(stdout).not.to.include('logo.png')
    expect(files(dir)).to.deep.equal(before)
    expect(patch.isDone()).to.equal(false)
    api.done()
  })

  it('--json --set-credentials: the keys are planned but their values appear nowhere', async () => {
    const api = app()
    const {exitCode, stderr, stdout} = await runCommand<OffloadOutput>(OffloadModels, [
      '--app', 'example-app', '--dir', repo(), '--bucket', 'models', '--dry-run', '--set-credentials', '--json',
    ])
    expect(exitCode).to.equal(0)
    const json = JSON.parse(stdout) as OffloadOutput
    expect(json.configVars.changes.filter(c => c.secret)).to.deep.equal([
      {action: 'add', name: 'AWS_ACCESS_KEY_ID', secret: true},
      {action: 'add', name: 'AWS_SECRET_ACCESS_KEY', secret: true},
    ])
    expect(stdout + stderr).not.to.include(SECRET)
    expect(stdout + stderr).not.to.include(KEY_ID)
    api.done()
  })

  it('--set-credentials in the terminal view: the key vars are listed, their values hidden', async () => {
    const api = app([], {AWS_SECRET_ACCESS_KEY: 'an-older-secret-value'})
    const {exitCode, stderr, stdout} = await runCommand(OffloadModels, [
      '--app', 'example-app', '--dir', repo(), '--bucket', 'models', '--dry-run', '--set-credentials', '--force',
    ])
    expect(exitCode).to.equal(0)
    expect(stdout).to.match(/AWS_ACCESS_KEY_ID\s+add\s+\(secret, not shown\)/)
    expect(stdout).to.match(/AWS_SECRET_ACCESS_KEY\s+change\s+\(secret, not shown\)/)
    for (const secret of [SECRET, KEY_ID, 'an-older-secret-value']) expect(stdout + stderr).not.to.include(secret)
    api.done()
  })

  it('with the app\'s Bucketeer add-on: its bucket and region, its key var names, never its keys', async () => {
    const api = app(
      [{
        addon_service: {name: 'bucketeer'},
        config_vars: ['BUCKETEER_AWS_ACCESS_KEY_ID', 'BUCKETEER_AWS_REGION', 'BUCKETEER_AWS_SECRET_ACCESS_KEY', 'BUCKETEER_BUCKET_NAME'],
        name: 'bucketeer-rigid-1',
      }],
      {
        BUCKETEER_AWS_ACCESS_KEY_ID: 'AKIABUCKETEERKEY', BUCKETEER_AWS_REGION: 'eu-west-1', BUCKETEER_AWS_SECRET_ACCESS_KEY: ADDON_SECRET, BUCKETEER_BUCKET_NAME: 'bucketeer-42',
      },
    )
    const {exitCode, result, stderr, stdout} = await runCommand<OffloadOutput>(OffloadModels, ['--app', 'example-app', '--dir', repo(), '--dry-run'])
    expect(exitCode).to.equal(0)
    expect(stdout).to.include('Destination: s3://bucketeer-42/example-app/models/ (AWS region eu-west-1; keys from the bucketeer add-on bucketeer-rigid-1)')
    expect(stdout).to.include('Note: Using the bucketeer add-on bucketeer-rigid-1 (the app\'s only storage add-on).')
    expect(result?.configVars.changes.find(c => c.name === 'MODEL_S3_SECRET_ACCESS_KEY_VAR')?.value).to.equal('BUCKETEER_AWS_SECRET_ACCESS_KEY')
    expect(JSON.stringify(result) + stdout + stderr).not.to.include(ADDON_SECRET)
    expect(JSON.stringify(result) + stdout + stderr).not.to.include('AKIABUCKETEERKEY')
    api.done()
  })

  it('refuses to replace a config var holding another value without --force: no PATCH, no upload, nothing written', async () => {
    const dir = repo()
    const before = files(dir)
    const api = app([], {MODEL_S3_BUCKET: 'older-bucket', MODEL_S3_REGION: 'eu-west-1'})
    const patch = nock(API).patch('/apps/example-app/config-vars').reply(200, {})
    const {error, exitCode, stdout} = await runCommand(OffloadModels, ['--app', 'example-app', '--dir', dir, '--bucket', 'models'])
    expect(exitCode).to.equal(1)
    expect(error?.message).to.equal('These config vars already hold other values: MODEL_S3_BUCKET, MODEL_S3_REGION. Run again with --force to replace them.')
    expect(stdout).not.to.include('older-bucket')
    expect(patch.isDone()).to.equal(false)
    expect(files(dir)).to.deep.equal(before)
    api.done()
  })

  it('--force plans the replacement', async () => {
    const api = app([], {MODEL_S3_BUCKET: 'older-bucket'})
    const {exitCode, result} = await runCommand<OffloadOutput>(OffloadModels, ['--app', 'example-app', '--dir', repo(), '--bucket', 'models', '--dry-run', '--force'])
    expect(exitCode).to.equal(0)
    expect(result?.configVars.changes.find(c => c.name === 'MODEL_S3_BUCKET')).to.deep.equal({action: 'change', name: 'MODEL_S3_BUCKET', secret: false, value: 'models'})
    api.done()
  })

  it('refuses a config that would outgrow 32 kB', async () => {
    const api = app([], {LARGE: 'x'.repeat(32_700)})
    const {error, exitCode} = await runCommand(OffloadModels, ['--app', 'example-app', '--dir', repo(), '--bucket', 'models', '--dry-run'])
    expect(exitCode).to.equal(1)
    expect(error?.message).to.match(/^The app's config vars would take 32\.\d kB, over Heroku's 32\.8 kB limit/)
    api.done()
  })

  it('bad input: an unknown app, no models, a path outside the repo, a bad --min-size, --set-credentials with an add-on', async () => {
    const notFound = {id: 'not_found', message: 'Couldn\'t find that app.'}
    nock(API).get('/apps/nope/addons').reply(404, notFound).get('/apps/nope/config-vars').reply(404, notFound)
    const unknown = await runCommand(OffloadModels, ['--app', 'nope', '--dir', repo(), '--bucket', 'models', '--dry-run'])
    expect(unknown.exitCode).to.equal(1)
    expect(unknown.error?.message).to.match(/^Couldn't find that app \(the (add-ons|config vars) of nope\)\.$/)

    app()
    const none = await runCommand(OffloadModels, ['--app', 'example-app', '--dir', repo(), '--bucket', 'models', '--min-size', '1GB', '--dry-run'])
    expect(none.error?.message).to.match(/^No committed model file of 1\.0 GB or more was found in /)

    app()
    const outside = await runCommand(OffloadModels, ['--app', 'example-app', '--dir', repo(), '--bucket', 'models', '--dry-run', '../../etc/passwd'])
    expect(outside.error?.message).to.match(/^\.\.\/\.\.\/etc\/passwd is outside the repository /)

    const size = await runCommand(OffloadModels, ['--app', 'example-app', '--dir', repo(), '--bucket', 'models', '--min-size', 'big'])
    expect(size.error?.message).to.equal('--min-size takes a size such as 5MB or 500kB, not "big".')

    app([{addon_service: {name: 'cloudcube'}, config_vars: ['CLOUDCUBE_ACCESS_KEY_ID', 'CLOUDCUBE_SECRET_ACCESS_KEY', 'CLOUDCUBE_URL'], name: 'cloudcube-1'}], {
      CLOUDCUBE_ACCESS_KEY_ID: 'A', CLOUDCUBE_SECRET_ACCESS_KEY: 'B', CLOUDCUBE_URL: 'https://cloud-cube.s3.amazonaws.com/cube1',
    })
    const both = await runCommand(OffloadModels, ['--app', 'example-app', '--dir', repo(), '--addon', 'cloudcube-1', '--set-credentials', '--dry-run'])
    expect(both.error?.message).to.match(/^--set-credentials copies local AWS keys; with a storage add-on/)
  })

  it('checks --endpoint, --region and --bucket before anything else, also under --dry-run: one line each', async () => {
    const cases: Array<[string[], string]> = [
      [['--bucket', 'models', '--endpoint', 'not a url'], '--endpoint takes the URL of an S3-compatible store, such as https://s3.example.com, not "not a url".'],
      [['--bucket', 'models', '--endpoint', 'ftp://files.example.com/'], '--endpoint must be an http:// or https:// URL, not ftp://files.example.com/.'],
      [['--bucket', 'models', '--endpoint', 'https://user:hunter2@s3.example.com', '--region', 'US East'], '--region takes a region name such as us-east-1 (lowercase letters, digits and hyphens), not "US East".'],
      [['--bucket', 'My_Models'], '--bucket My_Models is not a valid S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit.'],
      [['--bucket', '192.168.1.1'], '--bucket 192.168.1.1 is not a valid S3 bucket name: it must not look like an IP address.'],
    ]
    for (const [flags, message] of cases) {
      const {error, exitCode, stderr, stdout} = await dryRun(...flags)
      expect(error?.message, flags.join(' ')).to.equal(message)
      expect(exitCode).to.equal(1)
      expect(stdout + stderr).not.to.include('hunter2')
    }

    const ftp = await dryRun('--bucket', 'models', '--endpoint', 'ftp://u:hunter2@files.example.com/')
    expect(ftp.error?.message).to.equal('--endpoint must be an http:// or https:// URL, not ftp://u:***@files.example.com/.')
  })

  it('HEROKU_DEBUG=1 shows the config-var requests with every value it did not set masked', async () => {
    const api = app([], {DATABASE_URL: 'postgres://user:db-password-never-shown@db.example.com/app', OTHER_SECRET: 'other-value-never-shown'})
    process.env.HEROKU_DEBUG = '1'
    try {
      const {exitCode, stderr} = await runCommand(OffloadModels, ['--app', 'example-app', '--dir', repo(), '--bucket', 'models', '--dry-run'])
      expect(exitCode).to.equal(0)
      expect(stderr).to.match(/GET https:\/\/api\.heroku\.com\/apps\/example-app\/config-vars/)
      expect(stderr).to.include('config var values masked by heroku-slug-diet')
      expect(stderr).not.to.include('db-password-never-shown')
      expect(stderr).not.to.include('other-value-never-shown')
      expect(stderr).to.match(/GET https:\/\/api\.heroku\.com\/apps\/example-app\/addons/, 'other requests are still shown')
    } finally {
      delete process.env.HEROKU_DEBUG
      await stopHttpDebug()
    }

    api.done()
  })
})
