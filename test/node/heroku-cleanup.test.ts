import {expect} from 'chai'
import {type ChildProcess, spawn} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {get} from 'node:http'
import {createServer} from 'node:net'
import {join} from 'node:path'

import Diet, {type DietResult} from '../../src/commands/slug/diet.js'
import {CLEANUP_MARKER} from '../../src/lib/plan/diet/heroku-cleanup.js'
import {committedRepo} from '../helpers/git-repo.js'
import {appRepoFiles, inspectNodeSlug, type NodeSlugOptions} from '../helpers/node-slug.js'
import {runCommand} from '../helpers/run-command.js'
import {BUILD_TOOLS, EXPRESS_NEXT, PUPPETEER_APP} from './apps.js'

/*
 * The diet on real apps: slug:diet reads the real slug and the app's repo and writes heroku-cleanup into package.json;
 * the app is built again with that package.json exactly as the Node buildpack builds it (npm ci, build, prune, then
 * heroku-cleanup), and started with the slug's own node on 127.0.0.1: it must answer 200.
 */

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address() as {port: number}
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })
}

/** One GET on 127.0.0.1, bounded by `ms`. */
async function httpGet(port: number, path: string, ms: number): Promise<{status: number; body: string}> {
  return new Promise((resolve, reject) => {
    const request = get({host: '127.0.0.1', path, port, timeout: ms}, response => {
      const chunks: Buffer[] = []
      response.on('data', (c: Buffer) => chunks.push(c))
      response.on('end', () => resolve({body: Buffer.concat(chunks).toString('utf8'), status: response.statusCode ?? 0}))
      response.on('error', reject)
    })
    request.on('timeout', () => request.destroy(new Error('timed out')))
    request.on('error', reject)
  })
}

/** Starts the app as its Procfile's web process would, and waits (bounded) for its first HTTP 200 on `path`. */
async function startAndGet(appDir: string, args: string[], path: string): Promise<{status: number; body: string; stop: () => void}> {
  const port = await freePort()
  const child: ChildProcess = spawn(join(appDir, '.heroku/node/bin/node'), args, {cwd: appDir, env: {...process.env, NODE_ENV: 'production', PORT: String(port)}, stdio: 'ignore'})
  const stop = () => child.kill()
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode} before answering`)
    try {
      return {...await httpGet(port, path, 5000), stop}
    } catch {
      await new Promise(resolve => {
        setTimeout(resolve, 250)
      })
    }
  }

  stop()
  throw new Error(`the app did not answer on 127.0.0.1:${port} within 60 s`)
}

/** slug:diet --yes on the app's repo against its real slug: the package.json it writes. */
async function dietPackageJson(options: NodeSlugOptions): Promise<{plan: DietResult; packageJson: {scripts: Record<string, string>}}> {
  const {slug} = await inspectNodeSlug(options)
  const repo = committedRepo(appRepoFiles(options.app))
  const {error, result} = await runCommand<DietResult>(Diet, ['--file', slug, '--dir', repo, '--yes', '--json'])
  if (error) throw error
  return {packageJson: JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {scripts: Record<string, string>}, plan: result!}
}

describe('slug:diet heroku-cleanup on real apps (npm registry)', () => {
  it('esbuild app: other platforms\' binaries deleted after pruning, the app starts and answers 200', async () => {
    const before = await inspectNodeSlug(BUILD_TOOLS)
    const {packageJson, plan} = await dietPackageJson(BUILD_TOOLS)
    expect(plan.written).to.include('package.json')
    const script = packageJson.scripts['heroku-cleanup']
    expect(script).to.include(CLEANUP_MARKER).and.include("'node_modules/@swc/core-linux-x64-musl'").and.include("'node_modules/@esbuild/darwin-arm64'")
    // the dyno's own binary is never named
    expect(script).to.not.include('linux-x64-gnu')

    const after = await inspectNodeSlug({...BUILD_TOOLS, packageJson: {scripts: packageJson.scripts}})
    expect(after.findings.find(f => f.kind === 'foreign-binaries')).to.equal(undefined)
    expect(existsSync(join(after.appDir, 'node_modules/@swc/core-linux-x64-gnu'))).to.equal(true)
    const saved = before.origins.buildpack.compressed - after.origins.buildpack.compressed
    expect(saved).to.be.greaterThan(0.9 * before.findings.find(f => f.kind === 'foreign-binaries')!.savings)

    const app = await startAndGet(after.appDir, ['dist/server.js'], '/')
    app.stop()
    expect([app.status, app.body]).to.deep.equal([200, 'built by esbuild\n'])
  })

  it('Express + Next.js: .next/cache and node_modules source maps deleted, next and express kept, the server answers 200', async () => {
    const {packageJson} = await dietPackageJson(EXPRESS_NEXT)
    const script = packageJson.scripts['heroku-cleanup']
    expect(script).to.include("'.next/cache'").and.include("-name '*.js.map'")
    const after = await inspectNodeSlug({...EXPRESS_NEXT, packageJson: {scripts: packageJson.scripts}})
    expect(existsSync(join(after.appDir, '.next/cache'))).to.equal(false)
    expect(after.findings.filter(f => f.kind === 'build-cache' || f.kind === 'source-maps').map(f => f.kind)).to.deep.equal([])

    const app = await startAndGet(after.appDir, ['server.js'], '/')
    app.stop()
    expect(app.status).to.equal(200)
    expect(app.body).to.include('Hello from Next.js on Heroku')
  })

  it('Puppeteer app: the browser its code launches is kept, and the plan says why', async () => {
    const {packageJson, plan} = await dietPackageJson(PUPPETEER_APP)
    expect(packageJson.scripts['heroku-cleanup'] ?? '').to.not.include('.cache/puppeteer')
    expect(plan.notes).to.include('heroku-cleanup keeps .cache/puppeteer/: the app loads puppeteer, puppeteer-core (a browser it launches at run time).')
  })
})
