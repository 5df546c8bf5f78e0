import {
  AbortMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand,
  PutObjectCommand, S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3'
import {expect} from 'chai'
import {spawn} from 'node:child_process'
import {createHash, randomBytes} from 'node:crypto'
import {copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {fileURLToPath} from 'node:url'

import OffloadModels from '../../src/commands/slug/offload-models.js'
import type {OffloadResult} from '../../src/lib/apply/upload.js'
import {runCommand} from '../helpers/run-command.js'
import {type S3Server, startFaultyProxy, startForbiddenS3, startMoto} from '../helpers/s3-server.js'
import {type HerokuApiStub, startHerokuApi} from './helpers/heroku-api.js'
import {committedRepo} from '../helpers/git-repo.js'
import {PYTHON} from '../helpers/python.js'

const BUCKET = 'offload-models-it'
const KEY_ID = 'AKIAINTEGRATIONTEST1'
const SECRET = 'integration-secret-key-never-printed-0123456789'
const HDF5 = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a])

/** A safetensors file: 8-byte header length, then a JSON header, then tensor bytes. */
function safetensors(size: number): Buffer {
  const header = Buffer.from('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}')
  const length = Buffer.alloc(8)
  length.writeBigUInt64LE(BigInt(header.length))
  return Buffer.concat([length, header, randomBytes(size - 8 - header.length)])
}

/** A committed repo: a 17 MB Keras HDF5 model (multipart), a 6 MB safetensors model and a 6 MB video (not a model). */
function makeRepo(): string {
  const files: Record<string, Buffer | string> = {
    Procfile: 'web: gunicorn app:app\n',
    'app.py': 'print("hello")\n',
    'assets/intro.mp4': randomBytes(6e6),
    'models/big.h5': Buffer.concat([HDF5, randomBytes(17e6 - HDF5.length)]),
    'models/small.safetensors': safetensors(6e6),
    'requirements.txt': 'flask==3.0.0\n# the web server\ngunicorn\n',
  }
  return committedRepo(files, {prefix: 'offload-it-'})
}

/** Every file of the repo (outside .git) with its sha256: what "nothing lost, nothing changed" is checked against. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(dir, rel), {withFileTypes: true})) {
      const path = rel ? `${rel}/${entry.name}` : entry.name
      if (entry.name === '.git') continue
      if (entry.isDirectory()) walk(path)
      else out[path] = createHash('sha256').update(readFileSync(join(dir, path))).digest('hex')
    }
  }

  walk('')
  return out
}

/** Runs a loader to its end without blocking the event loop (the test's proxy runs in this process); its exit status and stderr. */
async function runToEnd(command: string, args: string[], cwd: string, env: Record<string, string | undefined>): Promise<{status: null | number, stderr: string}> {
  const child = spawn(command, args, {
    cwd,
    env: Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)),
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', chunk => {
    stderr += String(chunk)
  })
  const status = await new Promise<null | number>(resolve => {
    child.on('close', resolve)
  })
  return {status, stderr}
}

/** Runs `python3 -m model_store` (test/helpers/python.ts) in `cwd` with the dyno's config vars (undefined ones left out). */
async function runLoader(cwd: string, config: Record<string, string | undefined>): Promise<{status: null | number, stderr: string}> {
  return runToEnd(PYTHON, ['-m', 'model_store'], cwd, {
    AWS_ACCESS_KEY_ID: KEY_ID, AWS_EC2_METADATA_DISABLED: 'true', AWS_SECRET_ACCESS_KEY: SECRET, HOME: cwd, PATH: process.env.PATH, ...config,
  })
}

const NODE_LOADER = fileURLToPath(new URL('../../templates/model-store.mjs', import.meta.url))
const NODE_MODULES = fileURLToPath(new URL('../../node_modules', import.meta.url))

/** Runs `node model-store.mjs` in `cwd` (an empty folder whose node_modules links to the plugin's, for the AWS SDK). */
async function runNodeLoader(cwd: string, config: Record<string, string>): Promise<{status: null | number, stderr: string}> {
  copyFileSync(NODE_LOADER, join(cwd, 'model-store.mjs'))
  if (!existsSync(join(cwd, 'node_modules'))) symlinkSync(NODE_MODULES, join(cwd, 'node_modules'))
  return runToEnd(process.execPath, ['model-store.mjs'], cwd, {
    AWS_ACCESS_KEY_ID: KEY_ID,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_SECRET_ACCESS_KEY: SECRET,
    HOME: cwd,
    PATH: process.env.PATH,
    ...config,
  })
}

function loaderDir(repo: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'offload-loader-'))
  copyFileSync(join(repo, 'model_store.py'), join(dir, 'model_store.py'))
  return dir
}

function offload(app: string, repo: string, endpoint: string, ...more: string[]) {
  return runCommand<OffloadResult & {dryRun: boolean}>(OffloadModels, ['--app', app, '--dir', repo, '--bucket', BUCKET, '--endpoint', endpoint, ...more])
}

describe('slug:offload-models against moto_server (real S3 API on 127.0.0.1)', () => {
  let moto: S3Server
  let heroku: HerokuApiStub
  let s3: S3Client
  const saved = {...process.env}
  /** Puts back the environment the tests changed, keeping process.env the object Node made. */
  const restoreEnv = () => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
    Object.assign(process.env, saved)
  }

  before(async () => {
    moto = await startMoto()
    heroku = await startHerokuApi()
    process.env.HEROKU_HOST = heroku.url
    process.env.AWS_ACCESS_KEY_ID = KEY_ID
    process.env.AWS_SECRET_ACCESS_KEY = SECRET
    process.env.AWS_REGION = 'us-east-1'
    s3 = new S3Client({credentials: {accessKeyId: KEY_ID, secretAccessKey: SECRET}, endpoint: moto.endpoint, forcePathStyle: true, region: 'us-east-1'})
    await s3.send(new CreateBucketCommand({Bucket: BUCKET}))
  })

  after(async () => {
    s3?.destroy()
    await heroku?.stop()
    await moto?.stop()
    restoreEnv()
  })

  function newApp(name: string, config: Record<string, string> = {}): string {
    heroku.apps.set(name, {addons: [], config: {...config}})
    return name
  }

  /** Keys of the multipart uploads S3 still holds open (and bills) under `prefix`. */
  async function unfinishedUploads(prefix: string): Promise<string[]> {
    const listed = await s3.send(new ListMultipartUploadsCommand({Bucket: BUCKET, Prefix: prefix}))
    return (listed.Uploads ?? []).map(u => u.Key!).sort()
  }

  /** A multipart upload left open with one part, as an interrupted run leaves it. */
  async function openUpload(key: string): Promise<void> {
    const {UploadId} = await s3.send(new CreateMultipartUploadCommand({Bucket: BUCKET, Key: key}))
    await s3.send(new UploadPartCommand({Body: randomBytes(1000), Bucket: BUCKET, Key: key, PartNumber: 1, UploadId}))
  }

  function patchesOf(app: string) {
    return heroku.patches.filter(p => p.app === app)
  }

  function expectUntouched(repo: string, original: Record<string, string>, app: string) {
    expect(snapshot(repo)).to.deep.equal(original)
    expect(heroku.patches.filter(p => p.app === app)).to.deep.equal([])
  }

  describe('a first run, a re-run and the loader', () => {
    let repo: string
    let app: string
    let original: Record<string, string>

    before(() => {
      repo = makeRepo()
      original = snapshot(repo)
      app = newApp('it-main')
    })

    it('uploads both models (the big one in parts), verifies them, and sets the config vars in one PATCH', async () => {
      const {error, exitCode, result, stderr, stdout} = await offload(app, repo, moto.endpoint, '--json')
      expect(error?.message, stderr).to.equal(undefined)
      expect(exitCode).to.equal(0)
      const out = result!
      expect(out.dryRun).to.equal(false)
      expect(out.models.map(m => m.path)).to.deep.equal(['models/big.h5', 'models/small.safetensors'])
      expect(out.uploads.map(u => [u.path, u.status])).to.deep.equal([['models/big.h5', 'uploaded'], ['models/small.safetensors', 'uploaded']])
      expect(out.bytesUploaded).to.equal(17e6 + 6e6)
      const big = out.uploads.find(u => u.path === 'models/big.h5')!
      expect(big.etag, 'a multipart ETag ends in -PARTS').to.match(/-[2-9]"?$/)
      expect(big.sha256).to.equal(original['models/big.h5'])

      expect(heroku.patches).to.have.length(1)
      expect(heroku.patches[0]).to.deep.equal({
        app,
        body: {
          MODEL_S3_BUCKET: BUCKET,
          MODEL_S3_ENDPOINT: moto.endpoint,
          MODEL_S3_MANIFEST: out.manifestKey,
          MODEL_S3_PREFIX: `${app}/models/`,
          MODEL_S3_REGION: 'us-east-1',
        },
      })
      expect(out.manifestKey).to.match(new RegExp(`^${app}/models/manifests/[0-9a-f]{64}\\.json$`))
      expect(stdout + stderr).not.to.include(SECRET)
      expect(stdout + stderr).not.to.include(KEY_ID)
    })

    it('writes the manifest to S3 and the repo, the .slugignore block, the loader and boto3; model files untouched', async () => {
      const local = readFileSync(join(repo, 'models.manifest.json'), 'utf8')
      const manifestKey = heroku.apps.get(app)!.config.MODEL_S3_MANIFEST
      const remote = await (await s3.send(new GetObjectCommand({Bucket: BUCKET, Key: manifestKey}))).Body!.transformToString()
      expect(remote).to.equal(local)
      expect(manifestKey).to.equal(`${app}/models/manifests/${createHash('sha256').update(remote).digest('hex')}.json`, 'named by its own sha256')
      const manifest = JSON.parse(local)
      expect(manifest.version).to.equal(1)
      expect(manifest.models.map((m: {key: string, path: string, sha256: string, size: number}) => [m.path, m.key, m.size, m.sha256])).to.deep.equal([
        ['models/big.h5', `${app}/models/sha256/${original['models/big.h5']}`, 17e6, original['models/big.h5']],
        ['models/small.safetensors', `${app}/models/sha256/${original['models/small.safetensors']}`, 6e6, original['models/small.safetensors']],
      ])
      const slugignore = readFileSync(join(repo, '.slugignore'), 'utf8')
      expect(slugignore).to.include('\n/models/big.h5\n/models/small.safetensors\n')
      expect(slugignore).not.to.include('intro.mp4')
      expect(readFileSync(join(repo, 'requirements.txt'), 'utf8')).to.equal('flask==3.0.0\n# the web server\ngunicorn\nboto3\n')
      expect(readFileSync(join(repo, 'model_store.py'), 'utf8')).to.include('def ensure_models(')
      const after = snapshot(repo)
      for (const path of ['models/big.h5', 'models/small.safetensors', 'assets/intro.mp4', 'app.py', 'Procfile']) expect(after[path], path).to.equal(original[path])
    })

    it('a second run uploads zero bytes, makes no release and changes no file', async () => {
      const files = snapshot(repo)
      const {exitCode, result} = await offload(app, repo, moto.endpoint)
      expect(exitCode).to.equal(0)
      expect(result!.bytesUploaded).to.equal(0)
      expect(result!.uploads.every(u => u.status === 'skipped')).to.equal(true)
      expect(result!.released).to.equal(false)
      expect(heroku.patches).to.have.length(1)
      expect(snapshot(repo)).to.deep.equal(files)
    })

    it('the generated model_store.py (python3 + boto3) fetches byte-identical files into an empty folder, then skips them', async () => {
      const dir = loaderDir(repo)
      const first = await runLoader(dir, heroku.apps.get(app)!.config)
      expect(first.status, first.stderr).to.equal(0)
      for (const path of ['models/big.h5', 'models/small.safetensors']) {
        expect(createHash('sha256').update(readFileSync(join(dir, path))).digest('hex'), path).to.equal(original[path])
      }

      expect(first.stderr).to.match(/models\/big\.h5 17\.0 MB in \d+\.\d s/)
      expect(first.stderr).to.match(/2 model file\(s\) ready, 23\.0 MB downloaded/)
      const second = await runLoader(dir, heroku.apps.get(app)!.config)
      expect(second.status, second.stderr).to.equal(0)
      expect(second.stderr).to.include('models/big.h5 present')
      expect(second.stderr).to.match(/0 B downloaded/)
    })

    it('the loader reads the keys from the add-on\'s vars named by MODEL_S3_*_VAR (no AWS_* keys on the dyno)', async () => {
      const config = {
        ...heroku.apps.get(app)!.config,
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
        BUCKETEER_AWS_ACCESS_KEY_ID: KEY_ID,
        BUCKETEER_AWS_SECRET_ACCESS_KEY: SECRET,
        MODEL_S3_ACCESS_KEY_ID_VAR: 'BUCKETEER_AWS_ACCESS_KEY_ID',
        MODEL_S3_SECRET_ACCESS_KEY_VAR: 'BUCKETEER_AWS_SECRET_ACCESS_KEY',
      }
      const run = await runLoader(loaderDir(repo), config)
      expect(run.status, run.stderr).to.equal(0)
      const without = await runLoader(loaderDir(repo), {...config, MODEL_S3_ACCESS_KEY_ID_VAR: undefined, MODEL_S3_SECRET_ACCESS_KEY_VAR: undefined})
      expect(without.status, 'without the names boto3 finds no keys: the test proves the names were used').to.equal(1)
      expect(without.stderr).to.match(/model_store: error: cannot read the manifest .*Unable to locate credentials/)
    })

    it('the loader warns when the expected download time endangers the 60 s boot limit (R10)', async () => {
      const run = await runLoader(loaderDir(repo), {...heroku.apps.get(app)!.config, MODEL_STORE_EXPECTED_MBPS: '0.5'})
      expect(run.status, run.stderr).to.equal(0)
      expect(run.stderr).to.include('model_store: warning: downloading 23.0 MB takes about 46 s at 0.5 MB/s; a web dyno must bind $PORT within 60 s (error R10).')
    })

    it('the loader refuses a manifest that names a path outside the app', async () => {
      const evil = {bucket: BUCKET, models: [{key: `${app}/models/models/big.h5`, model: 'x', path: '../escape.h5', sha256: original['models/big.h5'], size: 17e6}], prefix: '', version: 1}
      await s3.send(new PutObjectCommand({Body: JSON.stringify(evil), Bucket: BUCKET, Key: `${app}/evil.json`}))
      const dir = loaderDir(repo)
      const run = await runLoader(dir, {...heroku.apps.get(app)!.config, MODEL_S3_MANIFEST: `${app}/evil.json`})
      expect(run.status).to.equal(1)
      expect(run.stderr).to.equal('model_store: error: the manifest names a path outside the app: \'../escape.h5\'\n')
      expect(readdirSync(dirname(dir)).filter(f => f === 'escape.h5')).to.deep.equal([])
    })

    it('the Node loader (model-store.mjs) fetches the same byte-identical files, then skips them', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'offload-node-loader-'))
      const first = await runNodeLoader(dir, heroku.apps.get(app)!.config)
      expect(first.status, first.stderr).to.equal(0)
      for (const path of ['models/big.h5', 'models/small.safetensors']) {
        expect(createHash('sha256').update(readFileSync(join(dir, path))).digest('hex'), path).to.equal(original[path])
      }

      expect(first.stderr).to.match(/model_store: models\/big\.h5 17\.0 MB in \d+\.\d s/)
      const second = await runNodeLoader(dir, heroku.apps.get(app)!.config)
      expect(second.status, second.stderr).to.equal(0)
      expect(second.stderr).to.include('model_store: models/big.h5 present (17.0 MB)')
      expect(second.stderr).to.match(/2 model file\(s\) ready, 0 B downloaded/)
    })

    it('the loader fails loudly, exit 1, when an object in S3 no longer matches its sha256', async () => {
      await s3.send(new PutObjectCommand({Body: randomBytes(6e6), Bucket: BUCKET, Key: `${app}/models/sha256/${original['models/small.safetensors']}`}))
      const dir = loaderDir(repo)
      const run = await runLoader(dir, heroku.apps.get(app)!.config)
      expect(run.status).to.equal(1)
      expect(run.stderr).to.match(/model_store: error: checksum mismatch for models\/small\.safetensors/)
      expect(run.stderr).not.to.include('Traceback')
      expect(readdirSync(join(dir, 'models')).filter(f => f.startsWith('small')), 'no half or wrong file is left').to.deep.equal([])
      const node = await runNodeLoader(mkdtempSync(join(tmpdir(), 'offload-node-loader-')), heroku.apps.get(app)!.config)
      expect(node.status).to.equal(1)
      expect(node.stderr).to.match(/model_store: error: checksum mismatch for models\/small\.safetensors/)
    })

    it('a re-run repairs the corrupted object (its bytes are no longer its name\'s), and the loader works again', async () => {
      const {exitCode, result} = await offload(app, repo, moto.endpoint)
      expect(exitCode).to.equal(0)
      expect(result!.uploads.map(u => [u.path, u.status])).to.deep.equal([['models/big.h5', 'skipped'], ['models/small.safetensors', 'uploaded']])
      const run = await runLoader(loaderDir(repo), heroku.apps.get(app)!.config)
      expect(run.status, run.stderr).to.equal(0)
    })
  })

  describe('models follow releases', () => {
    it('a retrained model gets a new object and manifest; the old ones stay, so each release\'s config vars load that release\'s models', async () => {
      const repo = makeRepo()
      const first = snapshot(repo)
      const app = newApp('it-rollback')
      const v1 = await offload(app, repo, moto.endpoint)
      expect(v1.exitCode, v1.error?.message).to.equal(0)
      const release1 = {...heroku.apps.get(app)!.config}
      const v1Manifest = await (await s3.send(new GetObjectCommand({Bucket: BUCKET, Key: release1.MODEL_S3_MANIFEST}))).Body!.transformToString()

      writeFileSync(join(repo, 'models/small.safetensors'), safetensors(6e6))
      const second = snapshot(repo)
      expect(second['models/small.safetensors']).not.to.equal(first['models/small.safetensors'])
      const v2 = await offload(app, repo, moto.endpoint)
      expect(v2.exitCode, v2.error?.message).to.equal(0)
      expect(v2.result!.uploads.map(u => [u.path, u.status])).to.deep.equal([['models/big.h5', 'skipped'], ['models/small.safetensors', 'uploaded']])
      const release2 = {...heroku.apps.get(app)!.config}
      expect(patchesOf(app)).to.have.length(2)
      expect(patchesOf(app)[1].body, 'the second release changes only the manifest it names').to.deep.equal({MODEL_S3_MANIFEST: release2.MODEL_S3_MANIFEST})
      expect(release2.MODEL_S3_MANIFEST).not.to.equal(release1.MODEL_S3_MANIFEST)

      // Nothing release 1 reads was overwritten: its manifest, and its objects with S3's checksum of the old bytes.
      expect(await (await s3.send(new GetObjectCommand({Bucket: BUCKET, Key: release1.MODEL_S3_MANIFEST}))).Body!.transformToString()).to.equal(v1Manifest)
      const old = await s3.send(new HeadObjectCommand({Bucket: BUCKET, ChecksumMode: 'ENABLED', Key: `${app}/models/sha256/${first['models/small.safetensors']}`}))
      expect(old.ChecksumSHA256).to.equal(Buffer.from(first['models/small.safetensors'], 'hex').toString('base64'))

      for (const [release, files] of [[release1, first], [release2, second]] as const) {
        const python = loaderDir(repo)
        const ran = await runLoader(python, release)
        expect(ran.status, ran.stderr).to.equal(0)
        const node = mkdtempSync(join(tmpdir(), 'offload-node-loader-'))
        const nodeRan = await runNodeLoader(node, release)
        expect(nodeRan.status, nodeRan.stderr).to.equal(0)
        for (const dir of [python, node]) {
          for (const path of ['models/big.h5', 'models/small.safetensors']) {
            expect(createHash('sha256').update(readFileSync(join(dir, path))).digest('hex'), `${path} for ${release.MODEL_S3_MANIFEST}`).to.equal(files[path])
          }
        }
      }
    })

    it('aborts the unfinished multipart uploads an earlier run left under the prefix, and only those', async () => {
      const repo = makeRepo()
      const app = newApp('it-stale')
      const stale = `${app}/models/sha256/${'0'.repeat(64)}`
      const others = [`${app}/backups/db.dump`, `it-other-app/models/sha256/${'1'.repeat(64)}`]
      for (const key of [stale, ...others]) await openUpload(key)
      const {error, exitCode, result, stdout} = await offload(app, repo, moto.endpoint)
      expect(exitCode, error?.message).to.equal(0)
      expect(result!.abortedUploads).to.equal(1)
      expect(stdout).to.include('Aborted 1 unfinished upload(s) an earlier, interrupted run left under the prefix')
      expect(await unfinishedUploads(`${app}/models/`)).to.deep.equal([])
      expect([...await unfinishedUploads(`${app}/`), ...await unfinishedUploads('it-other-app/')]).to.deep.equal(others)
      for (const key of others) {
        const listed = await s3.send(new ListMultipartUploadsCommand({Bucket: BUCKET, Prefix: key}))
        for (const u of listed.Uploads ?? []) await s3.send(new AbortMultipartUploadCommand({Bucket: BUCKET, Key: key, UploadId: u.UploadId}))
      }
    })

    it('Ctrl-C (SIGINT) in the middle of a multipart upload: the upload is aborted in S3, nothing is set or written, exit 130', async () => {
      const repo = makeRepo()
      const original = snapshot(repo)
      const app = newApp('it-sigint')
      // The command in a process of its own, run and reported the way oclif's bin does, so a real signal reaches it.
      const root = fileURLToPath(new URL('../..', import.meta.url))
      const argv = ['--app', app, '--dir', repo, '--bucket', BUCKET, '--endpoint', moto.endpoint]
      const script = `import {handle} from '@oclif/core'
import OffloadModels from ${JSON.stringify(join(root, 'src/commands/slug/offload-models.ts'))}
try { await OffloadModels.run(${JSON.stringify(argv)}, ${JSON.stringify(root)}) } catch (error) { await handle(error) }`
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: root,
        env: {...process.env, HEROKU_HOST: heroku.url},
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stderr = ''
      child.stderr.on('data', chunk => {
        stderr += String(chunk)
      })
      const exited = new Promise<null | number>(resolve => {
        child.on('close', resolve)
      })
      // Wait until the big model's multipart upload has begun, then press Ctrl-C.
      const deadline = Date.now() + 60_000
      while ((await unfinishedUploads(`${app}/`)).length === 0) {
        expect(Date.now(), `the upload never began: ${stderr}`).to.be.below(deadline)
        await sleep(50)
      }

      child.kill('SIGINT')
      const status = await exited
      expect(status, stderr).to.equal(130)
      // oclif wraps the one-line error to the terminal's width: "\n ›   " is its continuation.
      const message = stderr.replaceAll('\n ›   ', '')
      expect(message).to.match(/Interrupted: the unfinished upload of it-sigint\/models\/sha256\/[0-9a-f]{64} was aborted in S3, /)
      expect(message).to.include('nothing was set or written. Run the command again to finish.')
      expect(stderr).not.to.include('    at ')
      expect(await unfinishedUploads(`${app}/`)).to.deep.equal([])
      expectUntouched(repo, original, app)
    })
  })

  describe('with a Bucketeer add-on', () => {
    it('uploads with the add-on\'s bucket, region and keys, and sets the config vars that name its key vars', async () => {
      const repo = makeRepo()
      const app = 'it-bucketeer'
      heroku.apps.set(app, {
        addons: [{
          addon_service: {name: 'bucketeer'},
          config_vars: ['BUCKETEER_AWS_ACCESS_KEY_ID', 'BUCKETEER_AWS_REGION', 'BUCKETEER_AWS_SECRET_ACCESS_KEY', 'BUCKETEER_BUCKET_NAME'],
          name: 'bucketeer-rigid-12345',
        }],
        config: {BUCKETEER_AWS_ACCESS_KEY_ID: KEY_ID, BUCKETEER_AWS_REGION: 'us-east-1', BUCKETEER_AWS_SECRET_ACCESS_KEY: SECRET, BUCKETEER_BUCKET_NAME: BUCKET},
      })
      // The add-on's own keys must be the ones used: none in the environment. Bucketeer is on AWS, so the
      // only way to reach moto is the AWS SDK's own endpoint setting, which the plugin leaves to the SDK.
      delete process.env.AWS_ACCESS_KEY_ID
      delete process.env.AWS_SECRET_ACCESS_KEY
      process.env.AWS_ENDPOINT_URL_S3 = moto.endpoint
      const {error, exitCode, result, stderr, stdout} = await runCommand<OffloadResult>(OffloadModels, ['--app', app, '--dir', repo, '--addon', 'bucketeer', '--json'])
      .finally(() => {
        delete process.env.AWS_ENDPOINT_URL_S3
        process.env.AWS_ACCESS_KEY_ID = KEY_ID
        process.env.AWS_SECRET_ACCESS_KEY = SECRET
      })
      expect(error?.message, stderr).to.equal(undefined)
      expect(exitCode).to.equal(0)
      expect(result!.uploads.map(u => [u.path, u.status])).to.deep.equal([['models/big.h5', 'uploaded'], ['models/small.safetensors', 'uploaded']])
      const stored = await s3.send(new GetObjectCommand({Bucket: BUCKET, Key: result!.uploads.find(u => u.path === 'models/small.safetensors')!.key}))
      const bytes = Buffer.from(await stored.Body!.transformToByteArray())
      expect(createHash('sha256').update(bytes).digest('hex')).to.equal(createHash('sha256').update(readFileSync(join(repo, 'models/small.safetensors'))).digest('hex'))
      expect(patchesOf(app)).to.deep.equal([{
        app,
        body: {
          MODEL_S3_ACCESS_KEY_ID_VAR: 'BUCKETEER_AWS_ACCESS_KEY_ID',
          MODEL_S3_BUCKET: BUCKET,
          MODEL_S3_MANIFEST: result!.manifestKey,
          MODEL_S3_PREFIX: `${app}/models/`,
          MODEL_S3_REGION: 'us-east-1',
          MODEL_S3_SECRET_ACCESS_KEY_VAR: 'BUCKETEER_AWS_SECRET_ACCESS_KEY',
        },
      }])
      expect(stdout + stderr).not.to.include(SECRET)
      expect(stdout + stderr).not.to.include(KEY_ID)
    })
  })

  describe('bad input: one line, non-zero exit, nothing lost', () => {
    it('a bucket that does not exist', async () => {
      const repo = makeRepo()
      const original = snapshot(repo)
      const app = newApp('it-no-bucket')
      const {error, exitCode} = await runCommand(OffloadModels, ['--app', app, '--dir', repo, '--bucket', 'no-such-bucket', '--endpoint', moto.endpoint])
      expect(exitCode).to.equal(1)
      expect(error?.message).to.match(/^The bucket no-such-bucket does not exist \(http:\/\/127\.0\.0\.1:\d+\)\. Check --bucket, or create it first\./)
      expect(error?.message).not.to.include('\n')
      expectUntouched(repo, original, app)
    })

    it('S3 answering 403 AccessDenied', async () => {
      const forbidden = await startForbiddenS3()
      try {
        const repo = makeRepo()
        const original = snapshot(repo)
        const app = newApp('it-forbidden')
        const {error, exitCode} = await offload(app, repo, forbidden.endpoint)
        expect(exitCode).to.equal(1)
        expect(error?.message, error?.message).to.match(/^S3 refused access to the bucket offload-models-it \(http:\/\/127\.0\.0\.1:\d+, HTTP 403\) while checking the bucket: check the keys/)
        expect(forbidden.requests).to.be.greaterThan(0)
        expectUntouched(repo, original, app)
      } finally {
        await forbidden.stop()
      }
    })

    it('no AWS credentials anywhere', async () => {
      const repo = makeRepo()
      const original = snapshot(repo)
      const app = newApp('it-no-keys')
      delete process.env.AWS_ACCESS_KEY_ID
      delete process.env.AWS_SECRET_ACCESS_KEY
      try {
        const {error, exitCode} = await offload(app, repo, moto.endpoint)
        expect(exitCode).to.equal(1)
        expect(error?.message).to.match(/^No AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/)
        expectUntouched(repo, original, app)
      } finally {
        process.env.AWS_ACCESS_KEY_ID = KEY_ID
        process.env.AWS_SECRET_ACCESS_KEY = SECRET
      }
    })

    it('an app that does not exist', async () => {
      const repo = makeRepo()
      const original = snapshot(repo)
      const {error, exitCode} = await offload('it-missing-app', repo, moto.endpoint)
      expect(exitCode).to.equal(1)
      expect(error?.message).to.match(/^Couldn't find that app/)
      expect(snapshot(repo)).to.deep.equal(original)
    })

    it('an upload cut mid-way: one line saying nothing was lost, nothing set, and a re-run completes', async () => {
      const proxy = await startFaultyProxy(moto.port, 3_000_000)
      try {
        const repo = makeRepo()
        const original = snapshot(repo)
        const app = newApp('it-cut')
        const failed = await offload(app, repo, proxy.endpoint)
        expect(failed.exitCode).to.equal(1)
        const cut = /^The connection to S3 \(http:\/\/127\.0\.0\.1:\d+\) failed while uploading it-cut\/models\/sha256\/[0-9a-f]{64} \([\w ]+\)\. /
        expect(failed.error?.message).to.match(cut)
        expect(failed.error?.message).to.include('Nothing was lost: run the command again')
        expect(failed.error?.message).not.to.include('\n')
        expectUntouched(repo, original, app)

        proxy.mode = 'pass'
        const again = await offload(app, repo, proxy.endpoint)
        expect(again.exitCode, again.error?.message).to.equal(0)
        expect(again.result!.uploads.map(({status}) => status)).to.deep.equal(['uploaded', 'uploaded'])
        expect(patchesOf(app)).to.have.length(1)
        expect(await unfinishedUploads(`${app}/`), 'no billed parts are left behind').to.deep.equal([])
        const loaded = await runLoader(loaderDir(repo), heroku.apps.get(app)!.config)
        expect(loaded.status, loaded.stderr).to.equal(0)
      } finally {
        await proxy.stop()
      }
    })

    it('a config var holding another value is not replaced without --force, and is with it (one PATCH)', async () => {
      const repo = makeRepo()
      const original = snapshot(repo)
      const app = newApp('it-conflict', {DATABASE_URL: 'postgres://u:p@h/db', MODEL_S3_BUCKET: 'older-bucket'})
      const refused = await offload(app, repo, moto.endpoint)
      expect(refused.exitCode).to.equal(1)
      expect(refused.error?.message).to.equal('These config vars already hold other values: MODEL_S3_BUCKET. Run again with --force to replace them.')
      expectUntouched(repo, original, app)
      const forced = await offload(app, repo, moto.endpoint, '--force')
      expect(forced.exitCode, forced.error?.message).to.equal(0)
      expect(heroku.patches.filter(p => p.app === app)).to.have.length(1)
      expect(heroku.apps.get(app)!.config.MODEL_S3_BUCKET).to.equal(BUCKET)
      expect(heroku.apps.get(app)!.config.DATABASE_URL).to.equal('postgres://u:p@h/db')
    })

    it('a failed config-var PATCH after the uploads: the repo is untouched, and a re-run uploads nothing and finishes', async () => {
      const repo = makeRepo()
      const original = snapshot(repo)
      const app = newApp('it-patch-fails')
      heroku.failPatches = 1
      const failed = await offload(app, repo, moto.endpoint)
      expect(failed.exitCode).to.equal(1)
      expect(failed.error?.message).to.match(/^The Heroku API answered HTTP 503 for the config vars of it-patch-fails: The API is temporarily unavailable\. Nothing was lost/)
      expect(snapshot(repo)).to.deep.equal(original)
      expect(heroku.apps.get(app)!.config).to.deep.equal({})

      const again = await offload(app, repo, moto.endpoint)
      expect(again.exitCode, again.error?.message).to.equal(0)
      expect(again.result!.bytesUploaded).to.equal(0)
      expect(heroku.patches.filter(p => p.app === app)).to.have.length(1)
      expect(snapshot(repo)['models.manifest.json']).to.be.a('string')
    })

    it('--set-credentials copies the keys to the app in the same PATCH and never shows them, not even with HEROKU_DEBUG=1', async () => {
      const repo = makeRepo()
      const app = newApp('it-keys', {DATABASE_URL: 'postgres://u:db-password-never-shown@h/db'})
      process.env.HEROKU_DEBUG = '1'
      const {exitCode, stderr, stdout} = await offload(app, repo, moto.endpoint, '--set-credentials', '--json').finally(async () => {
        delete process.env.HEROKU_DEBUG
        const httpCall = createRequire(import.meta.resolve('@heroku-cli/command')).resolve('@heroku/http-call')
        createRequire(httpCall)('debug').disable()
      })
      expect(exitCode).to.equal(0)
      const patchLines = /→ PATCH http:\/\/127\.0\.0\.1\S*\/apps\/it-keys\/config-vars\n(.*)\n/.exec(stderr)
      expect(patchLines?.[1]).to.match(/^\{"MODEL_S3_BUCKET":"offload-models-it",.*"AWS_ACCESS_KEY_ID":"\[masked\]","AWS_SECRET_ACCESS_KEY":"\[masked\]"\}$/)
      expect(stderr).not.to.include('db-password-never-shown')
      const patches = heroku.patches.filter(p => p.app === app)
      expect(patches).to.have.length(1)
      expect(patches[0].body.AWS_ACCESS_KEY_ID).to.equal(KEY_ID)
      expect(patches[0].body.AWS_SECRET_ACCESS_KEY).to.equal(SECRET)
      expect(stdout).to.include('"AWS_SECRET_ACCESS_KEY"')
      expect(stdout + stderr).not.to.include(SECRET)
      expect(stdout + stderr).not.to.include(KEY_ID)
      expect(readFileSync(join(repo, 'models.manifest.json'), 'utf8')).not.to.include(SECRET)
    })
  })
})
