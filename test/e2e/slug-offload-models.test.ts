import {CreateBucketCommand, GetObjectCommand, S3Client} from '@aws-sdk/client-s3'
import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {type S3Server, startMoto} from '../helpers/s3-server.js'
import {incompressible} from '../helpers/slug-builder.js'
import {FakeHeroku} from './fake-heroku.js'
import {HerokuCli} from './heroku-cli.js'
import {committedRepo} from '../helpers/git-repo.js'

const API_KEY = 'e2e-token-offload-5a1d'
const BUCKET = 'e2e-models'
const KEY_ID = 'AKIAE2ETESTKEY000001'
const SECRET = 'e2e-secret-key-never-printed-9876543210'

/** A committed Python app with one Keras HDF5 model. */
function makeRepo(): string {
  const files: Record<string, Buffer | string> = {
    Procfile: 'web: gunicorn app:app\n',
    'app.py': 'print("hello")\n',
    'models/classifier.h5': Buffer.concat([Buffer.from('\u0089HDF\r\n\u001A\n', 'latin1'), incompressible(400_000, 7)]),
    'requirements.txt': 'flask==3.0.0\n',
  }
  return committedRepo(files, {prefix: 'offload-e2e-'})
}

describe('e2e: slug:offload-models through the real heroku CLI (S3: moto_server)', function () {
  this.timeout(180_000)
  const api = new FakeHeroku()
  let cli: HerokuCli
  let moto: S3Server
  let s3: S3Client

  before(async () => {
    moto = await startMoto()
    s3 = new S3Client({credentials: {accessKeyId: KEY_ID, secretAccessKey: SECRET}, endpoint: moto.endpoint, forcePathStyle: true, region: 'us-east-1'})
    await s3.send(new CreateBucketCommand({Bucket: BUCKET}))
    await api.start()
    api.addApp({configVars: {WEB_CONCURRENCY: '2'}, name: 'ml-app'})
    cli = await HerokuCli.create(api.url, API_KEY)
  })

  after(async () => {
    s3?.destroy()
    await cli?.cleanup()
    await api.stop()
    await moto?.stop()
  })

  it('uploads the model, sets the config vars in exactly one PATCH and writes the loader; no secret is printed or sent', async () => {
    const repo = makeRepo()
    const {status, stderr, stdout} = await cli.run(
      ['slug:offload-models', '-a', 'ml-app', '--dir', repo, '--bucket', BUCKET, '--endpoint', moto.endpoint, '--min-size', '100kB', '--json'],
      {env: {AWS_ACCESS_KEY_ID: KEY_ID, AWS_EC2_METADATA_DISABLED: 'true', AWS_REGION: 'us-east-1', AWS_SECRET_ACCESS_KEY: SECRET}},
    )
    expect(status, stderr).to.equal(0)
    const result = JSON.parse(stdout) as {models: {path: string}[]; released: boolean; uploads: {key: string; path: string; status: string}[]}
    expect(result.models.map(m => m.path)).to.deep.equal(['models/classifier.h5'])
    expect(result.uploads.map(u => [u.path, u.status])).to.deep.equal([['models/classifier.h5', 'uploaded']])
    expect(result.released).to.equal(true)

    expect(api.configPatches).to.have.length(1)
    expect(api.configPatches[0].body).to.deep.include({MODEL_S3_BUCKET: BUCKET})
    expect(api.configPatches[0].body.MODEL_S3_MANIFEST).to.match(/^ml-app\/models\/manifests\/[0-9a-f]{64}\.json$/)
    expect(Object.values(api.configPatches[0].body)).not.to.include(SECRET)
    expect(api.apps.get('ml-app')!.configVars!.WEB_CONCURRENCY).to.equal('2')
    const calls = api.requests.map(r => `${r.method} ${r.path}`).sort()
    expect(calls).to.deep.equal(['GET /apps/ml-app/addons', 'GET /apps/ml-app/config-vars', 'PATCH /apps/ml-app/config-vars'])
    for (const r of api.requests) expect(r.headers.authorization).to.equal(`Bearer ${API_KEY}`)

    const stored = await s3.send(new GetObjectCommand({Bucket: BUCKET, Key: result.uploads[0].key}))
    expect(Buffer.from(await stored.Body!.transformToByteArray()).equals(readFileSync(join(repo, 'models/classifier.h5')))).to.equal(true)
    expect(readFileSync(join(repo, '.slugignore'), 'utf8')).to.include('models/classifier.h5')
    expect(readFileSync(join(repo, 'model_store.py'), 'utf8')).to.include('def ensure_models(')
    expect(stdout + stderr).not.to.include(SECRET)
    expect(stdout + stderr).not.to.include(API_KEY)
  })

  it('refuses an app it cannot find, in one line, before touching S3 or the repo', async () => {
    const repo = makeRepo()
    const {status, stderr} = await cli.run(['slug:offload-models', '-a', 'no-such-app', '--dir', repo, '--bucket', BUCKET, '--endpoint', moto.endpoint])
    expect(status).to.not.equal(0)
    expect(stderr).to.include('no-such-app')
    expect(stderr).not.to.match(/\n\s+at /)
    expect(() => readFileSync(join(repo, '.slugignore'))).to.throw()
  })
})
