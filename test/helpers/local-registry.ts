import {type ChildProcess, spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {request} from 'undici'

import {runChecked} from './bounded-run.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
/** Where scripts/install-setup.sh installs verdaccio (not a dependency of the plugin). */
export const VERDACCIO_DIR = join(ROOT, '.cache/verdaccio')
const NPM_TIMEOUT_MS = 120_000
const START_TIMEOUT_MS = 30_000

// Started in its own process with verdaccio's programmatic API: the server listens on a port the OS picks
// (verdaccio's --listen cannot say which port 0 became) and prints it; it exits when the test's end of stdin
// closes, so a test process that dies takes it along.
const LAUNCHER = `
import {createRequire} from 'node:module'
const [verdaccioDir, configPath] = process.argv.slice(1)
const {runServer} = createRequire(verdaccioDir + '/')('verdaccio')
const server = await runServer(configPath)
server.listen(0, '127.0.0.1', () => console.log('LOCAL_REGISTRY_PORT=' + server.address().port))
process.stdin.on('end', () => process.exit(0))
process.stdin.resume()
`

/** The registry npm is configured with here, and its CA file: what the local registry proxies dependencies from. */
async function npmUpstream(): Promise<{registry: string; cafile?: string}> {
  const cafile = await npmConfig('cafile')
  return {cafile: cafile && cafile !== 'null' && cafile !== 'undefined' ? cafile : undefined, registry: await npmConfig('registry')}
}

async function npmConfig(key: string): Promise<string> {
  return (await runChecked('npm', ['config', 'get', key], {timeoutMs: 30_000})).stdout.trim()
}

/**
 * A real npm registry on 127.0.0.1 (verdaccio, storage in a temp dir): the packages named `local` are published
 * here and never looked up upstream; every other package is proxied from the registry npm is configured with, as
 * a user's `heroku plugins:install` would fetch it.
 */
export class LocalRegistry {
  private constructor(
    readonly url: string,
    private readonly dir: string,
    private readonly child: ChildProcess,
    private readonly npmrc: string,
  ) {}

  static async start(local: string[]): Promise<LocalRegistry> {
    if (!existsSync(join(VERDACCIO_DIR, 'node_modules/verdaccio/package.json'))) {
      throw new Error(`verdaccio is not installed in ${VERDACCIO_DIR}: run scripts/install-setup.sh (npm run test:install does).`)
    }

    const upstream = await npmUpstream()
    const dir = await mkdtemp(join(tmpdir(), 'slug-diet-registry-'))
    const config = {
      auth: {htpasswd: {file: join(dir, 'htpasswd')}},
      log: {format: 'json', level: 'warn', type: 'stdout'},
      packages: {
        ...Object.fromEntries(local.map(name => [name, {access: '$all', publish: '$authenticated'}])),
        '**': {access: '$all', proxy: 'upstream'},
      },
      storage: join(dir, 'storage'),
      uplinks: {upstream: {fail_timeout: '10s', max_fails: 5, timeout: '60s', url: upstream.registry}},
    }
    // JSON is YAML: verdaccio reads it as its config file.
    const configPath = join(dir, 'config.yaml')
    await writeFile(configPath, JSON.stringify(config, null, 2))
    const env = {...process.env, ...(upstream.cafile && !process.env.NODE_EXTRA_CA_CERTS ? {NODE_EXTRA_CA_CERTS: upstream.cafile} : {})}
    const child = spawn(process.execPath, ['--input-type=module', '-e', LAUNCHER, VERDACCIO_DIR, configPath], {detached: true, env, stdio: ['pipe', 'pipe', 'pipe']})
    try {
      const port = await waitForPort(child)
      const url = `http://127.0.0.1:${port}/`
      const npmrc = join(dir, 'npmrc')
      await writeFile(npmrc, `//127.0.0.1:${port}/:_authToken=${await addUser(url)}\n`, {mode: 0o600})
      return new LocalRegistry(url, dir, child, npmrc)
    } catch (error) {
      await stopChild(child)
      await rm(dir, {force: true, recursive: true})
      throw error
    }
  }

  /** `npm publish` of a packed tarball; returns npm's output. */
  async publish(tarball: string): Promise<{stdout: string; stderr: string}> {
    return runChecked('npm', ['publish', tarball, '--registry', this.url, '--userconfig', this.npmrc, '--update-notifier=false'], {timeoutMs: NPM_TIMEOUT_MS})
  }

  async stop(): Promise<void> {
    await stopChild(this.child)
    await rm(this.dir, {force: true, recursive: true})
  }
}

/** Resolves with the port the launcher prints, or fails when it exits or stays silent for START_TIMEOUT_MS. */
function waitForPort(child: ChildProcess): Promise<number> {
  let output = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`verdaccio did not start within ${START_TIMEOUT_MS / 1000} s: ${output.slice(-2000)}`)), START_TIMEOUT_MS)
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-8000)
      const port = /LOCAL_REGISTRY_PORT=(\d+)/.exec(output)?.[1]
      if (port) {
        clearTimeout(timer)
        resolve(Number(port))
      }
    }

    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.on('error', error => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('exit', code => {
      clearTimeout(timer)
      reject(new Error(`verdaccio exited (${code}) before it listened: ${output.slice(-2000)}`))
    })
  })
}

/** Creates a user the way `npm adduser` does and returns its token (publishing needs one). */
async function addUser(url: string): Promise<string> {
  const name = 'slug-diet-test'
  const response = await request(new URL(`-/user/org.couchdb.user:${name}`, url), {
    body: JSON.stringify({name, password: 'local-registry-only'}),
    bodyTimeout: 10_000,
    headers: {'content-type': 'application/json'},
    headersTimeout: 10_000,
    method: 'PUT',
  })
  const body = (await response.body.json()) as {token?: unknown}
  if (response.statusCode >= 300 || typeof body.token !== 'string') throw new Error(`the local registry refused to add a user (${response.statusCode})`)
  return body.token
}

/** Ends the registry's process group: SIGTERM, then SIGKILL after 5 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return
  const gone = new Promise(resolve => {
    child.once('exit', resolve)
  })
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal)
    } catch {
      // already gone
    }
  }

  kill('SIGTERM')
  const timer = setTimeout(() => kill('SIGKILL'), 5000)
  await gone
  clearTimeout(timer)
}
