import {expect} from 'chai'
import {execFile} from 'node:child_process'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {startSilentServer} from '../../../../helpers/silent-server.js'

// The Node.js loader the plugin writes into the app (templates/model-store.mjs), run as a dyno runs it.
const LOADER = fileURLToPath(new URL('../../../../../templates/model-store.mjs', import.meta.url))

describe('plan/offload: the Node.js model loader', () => {
  it('ends, in one line naming the manifest, when S3 accepts the connection and never answers', async () => {
    const silent = await startSilentServer()
    const started = Date.now()
    try {
      const {code, stderr} = await new Promise<{code: null | number; stderr: string}>(resolve => {
        const child = execFile(process.execPath, [LOADER], {
          cwd: mkdtempSync(join(tmpdir(), 'node-loader-')),
          env: {
            AWS_ACCESS_KEY_ID: 'AKIASILENT',
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
            AWS_SECRET_ACCESS_KEY: 'silent-secret',
            MODEL_S3_BUCKET: 'models',
            MODEL_S3_ENDPOINT: silent.endpoint,
            MODEL_S3_MANIFEST: 'manifests/m.json',
            MODEL_STORE_TIMEOUT: '0.3',
            PATH: process.env.PATH,
          },
          // A loader without timeouts never ends: this bound is the test's, well past the loader's own.
          timeout: 15_000,
        }, (_error, _stdout, stderrText) => resolve({code: child.exitCode, stderr: stderrText}))
      })
      expect(stderr).to.match(/^model_store: error: cannot read the manifest s3:\/\/models\/manifests\/m\.json \(TimeoutError\)\n$/)
      expect(code).to.equal(1)
      expect(Date.now() - started).to.be.below(10_000)
      expect(silent.connections).to.be.greaterThan(0)
    } finally {
      await silent.stop()
    }
  })
})
