/**
 * `npm run readme:demo`: regenerates the README's walkthrough output, so it is pasted whole from real runs and
 * never edited by hand. It builds the plugin, takes the scale-1 synthetic TensorFlow app slug (shared with
 * `npm run bench` in bench/.work, generated once), extracts the app's repository from it (everything but what the
 * buildpack wrote) as a git repo, and runs the plugin's commands as the walkthrough shows them: `slug:offload-models`
 * against moto_server and a stand-in Platform API on 127.0.0.1, then `slug:diet`, then `slug:apps` and the growth line
 * of `slug:inspect -a` against the e2e suite's fake Platform API (scripts/apps-demo.ts). Each output replaces the block
 * between `<!-- demo:NAME -->` and `<!-- /demo:NAME -->` in README.md; the prose around the blocks is kept.
 * Running it again rewrites the same blocks in place: the slug, its seed, the commands and the S3 port are fixed; only
 * the upload timings of slug:offload-models differ from run to run.
 */
import {CreateBucketCommand, S3Client} from '@aws-sdk/client-s3'
import {type ChildProcess, spawn} from 'node:child_process'
import {request} from 'node:http'
import {mkdir, readFile, rm, symlink, writeFile} from 'node:fs/promises'
import {join, resolve} from 'node:path'

import {startHerokuApi} from '../test/integration/helpers/heroku-api.js'
import {appsDemoBlocks} from './apps-demo.js'
import {parseScriptArgs, runScript, ScriptError} from './cli-args.js'
import {replaceBlock} from './readme-blocks.js'
import {type Run, run} from './run.js'
import {cachedSyntheticSlug} from './synthetic-slug.js'

const README = 'README.md'
const WORK = resolve('.cache/readme-demo')
const APP = 'tf-demo'
const BUCKET = 'tf-demo-models'
/** moto_server's port: fixed, because the endpoint is part of the output (the walkthrough's --endpoint). */
const MOTO_PORT = 45_960
const MOTO_ENDPOINT = `http://127.0.0.1:${MOTO_PORT}`
/** Wide enough that no table of the walkthrough is cut to fit (the README's blocks scroll sideways). */
const COLUMNS = '200'
const USAGE = `usage: npm run readme:demo

Regenerates the walkthrough blocks of README.md (between <!-- demo:NAME --> and <!-- /demo:NAME -->) from real runs
of the plugin on the scale-1 synthetic slug (~2 min; the slug is generated once, ~1 min more).`

async function must(what: string, pending: Promise<Run>): Promise<Run> {
  const result = await pending
  if (result.code !== 0) {
    process.stderr.write(result.stdout + result.stderr)
    throw new ScriptError(`${what} failed (exit ${result.code}): see above`)
  }

  return result
}

/** The app's repository: the slug's files minus what the Python buildpack wrote, committed to git. */
async function extractRepo(slug: string, dir: string): Promise<void> {
  await rm(dir, {force: true, recursive: true})
  await mkdir(dir, {recursive: true})
  await must('tar', run('tar', ['-xzf', slug, '-C', dir, '--strip-components=2', '--exclude=./app/.heroku', '--exclude=./app/.profile.d', './app/']))
  const git = (...args: string[]) => must(`git ${args[0]}`, run('git', ['-c', 'user.email=demo@example.com', '-c', 'user.name=demo', '-c', 'init.defaultBranch=main', ...args], {cwd: dir}))
  await git('init', '-q')
  await git('add', '-A')
  await git('commit', '-qm', 'tf-demo')
}

function answers(port: number): Promise<boolean> {
  return new Promise(resolvePromise => {
    const req = request({host: '127.0.0.1', path: '/', port, timeout: 1000}, res => {
      res.resume()
      resolvePromise(true)
    })
    req.on('error', () => resolvePromise(false))
    req.on('timeout', () => {
      req.destroy()
      resolvePromise(false)
    })
    req.end()
  })
}

/** moto_server on 127.0.0.1:port, once it answers HTTP (30 s at most). */
async function startMotoOn(port: number): Promise<ChildProcess> {
  if (await answers(port)) throw new ScriptError(`port ${port} on 127.0.0.1 is already in use: stop what listens there`)
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {stdio: 'ignore'})
  let failed: string | undefined
  child.on('error', error => {
    failed = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'moto_server is not on PATH (pip install "moto[server]")' : error.message
  })
  child.on('exit', code => {
    failed ??= `moto_server exited with code ${code} before answering on port ${port}`
  })
  const deadline = Date.now() + 30_000
  while (!(await answers(port))) {
    if (failed) throw new ScriptError(failed)
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new ScriptError(`moto_server did not answer on 127.0.0.1:${port} within 30 s`)
    }

    await new Promise(resolveTimer => {
      setTimeout(resolveTimer, 200)
    })
  }

  return child
}

/** What a command printed, as the walkthrough shows it: the command's stdout, trailing blank lines dropped. */
function shown(result: Run): string {
  return `${result.stdout.trimEnd()}\n`
}

async function main(): Promise<void> {
  const args = parseScriptArgs(process.argv.slice(2), {})
  if (args.help) {
    console.log(USAGE)
    return
  }

  const started = Date.now()
  const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`
  console.error('readme:demo: building the plugin and taking the scale-1 synthetic slug (generated once, ~40 s)...')
  const [, generated] = await Promise.all([must('npm run build', run('npm', ['run', '--silent', 'build'])), cachedSyntheticSlug({dir: 'bench/.work', scale: 1})])
  await rm(WORK, {force: true, recursive: true})
  await mkdir(WORK, {recursive: true})
  // The walkthrough names the slug slug.tgz and the repo by the app; the commands run from WORK.
  await symlink(resolve(generated.path), join(WORK, 'slug.tgz'))
  const repo = join(WORK, APP)
  await extractRepo(generated.path, repo)
  const plugin = resolve('bin/run.js')
  const env = {COLUMNS, FORCE_COLOR: '0', NO_COLOR: '1'}
  const blocks = new Map<string, string>()

  console.error(`readme:demo: slug:inspect (${seconds()})`)
  blocks.set('inspect', shown(await must('slug:inspect', run(plugin, ['slug:inspect', '--file', 'slug.tgz', '--top', '5'], {cwd: WORK, env}))))

  console.error(`readme:demo: slug:offload-models against moto_server and a stand-in Platform API (${seconds()})`)
  const [moto, api] = await Promise.all([startMotoOn(MOTO_PORT), startHerokuApi()])
  try {
    const keys = {AWS_ACCESS_KEY_ID: 'AKIAREADMEDEMO000001', AWS_EC2_METADATA_DISABLED: 'true', AWS_SECRET_ACCESS_KEY: 'readme-demo-secret-never-printed'}
    const s3 = new S3Client({credentials: {accessKeyId: keys.AWS_ACCESS_KEY_ID, secretAccessKey: keys.AWS_SECRET_ACCESS_KEY}, endpoint: MOTO_ENDPOINT, forcePathStyle: true, region: 'us-east-1'})
    await s3.send(new CreateBucketCommand({Bucket: BUCKET}))
    s3.destroy()
    api.apps.set(APP, {addons: [], config: {}})
    const herokuEnv = {...env, ...keys, HEROKU_API_KEY: 'readme-demo-token', HEROKU_HOST: api.url}
    const offload = ['slug:offload-models', '-a', APP, '--bucket', BUCKET, '--endpoint', MOTO_ENDPOINT, '--dir', repo]
    blocks.set('offload', shown(await must('slug:offload-models', run(plugin, offload, {cwd: WORK, env: herokuEnv}))))
  } finally {
    moto.kill('SIGTERM')
    await api.stop()
  }

  console.error(`readme:demo: slug:diet (${seconds()})`)
  const diet = ['slug:diet', '--file', 'slug.tgz', '--dir', repo, '--post-compile', '--fix-requirements']
  blocks.set('diet', shown(await must('slug:diet --dry-run', run(plugin, [...diet, '--dry-run'], {cwd: WORK, env}))))
  await must('slug:diet --yes', run(plugin, [...diet, '--yes'], {cwd: WORK, env}))
  blocks.set('slugignore', await readFile(join(repo, '.slugignore'), 'utf8'))

  console.error(`readme:demo: slug:apps and slug:inspect's growth line against the e2e suite's fake Platform API (${seconds()})`)
  const apps = await appsDemoBlocks((args, extra) => run(plugin, args, {cwd: WORK, env: extra}), generated.path, env)
  for (const [name, body] of apps) blocks.set(name, body)

  const before = await readFile(README, 'utf8')
  let after = before
  for (const [name, body] of blocks) {
    const next = replaceBlock(after, name, body)
    if (next === undefined) throw new ScriptError(`${README} has no <!-- demo:${name} --> ... <!-- /demo:${name} --> block`)
    after = next
  }

  if (after !== before) await writeFile(README, after)
  console.error(`readme:demo: ${after === before ? 'README.md unchanged' : `rewrote ${[...blocks.keys()].join(', ')} in README.md`} (${seconds()})`)
}

if (process.argv[1] && resolve(process.argv[1]) === resolve('scripts/readme-demo.ts')) await runScript('readme:demo', main)
