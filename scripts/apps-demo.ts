/**
 * The README's `slug:apps` blocks, for `npm run readme:demo`: the plugin runs against the e2e suite's fake Platform
 * API (test/e2e/fake-heroku.ts) serving team acme's fleet (test/e2e/fixtures.ts: slugs known by size only) and
 * tf-demo, whose current release runs the walkthrough's synthetic TensorFlow slug (served whole) after three smaller
 * slugs. Nothing in the output is typed by hand: the blocks are what the commands printed.
 */
import {mkdtemp, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {FakeHeroku} from '../test/e2e/fake-heroku.js'
import {acmeFleet, fleetSlugId, sizedApp} from '../test/e2e/fixtures.js'

const MB = 1_000_000

export interface CommandRun {
  code: number
  stdout: string
  stderr: string
}

type Runner = (args: string[], env: Record<string, string>) => Promise<CommandRun>

/** tf-demo: three releases of smaller slugs (known by size), then the synthetic slug as the current release. */
async function tfDemo(slugPath: string) {
  const app = sizedApp('tf-demo', [388 * MB, 402 * MB, 431 * MB])
  const current = {blob: await readFile(slugPath), id: fleetSlugId(700_001)}
  app.slugs!.push(current)
  for (const r of app.releases!) r.current = false
  app.releases!.push({current: true, slugId: current.id, status: 'succeeded', version: app.releases!.length + 1})
  return app
}

/** The header of a slug:inspect report: its lines up to the first blank one after the title. */
function header(text: string): string {
  const lines = text.split('\n')
  const end = lines.findIndex((line, i) => i > 1 && line.trim() === '')
  return `${lines.slice(0, end === -1 ? undefined : end).join('\n')}\n`
}

/** Runs the blocks' commands; `run` starts the plugin with the arguments and environment given. */
export async function appsDemoBlocks(run: Runner, slugPath: string, env: Record<string, string>): Promise<Map<string, string>> {
  const api = new FakeHeroku()
  const cache = await mkdtemp(join(tmpdir(), 'apps-demo-cache-'))
  try {
    await api.start()
    for (const app of [...acmeFleet(), await tfDemo(slugPath)]) api.addApp(app)
    const herokuEnv = {...env, HEROKU_API_KEY: 'readme-demo-token', HEROKU_CACHE_DIR: cache, HEROKU_HOST: api.url}
    const blocks = new Map<string, string>()
    const apps = await run(['slug:apps', '--team', 'acme', '--history', '10'], herokuEnv)
    if (apps.code !== 0) throw new Error(`slug:apps failed (exit ${apps.code}): ${apps.stderr}`)
    blocks.set('apps', `${apps.stdout.trimEnd()}\n`)
    const budget = await run(['slug:apps', '--team', 'acme', '--max-size', '400MB'], herokuEnv)
    if (budget.code !== 1) throw new Error(`slug:apps --max-size exited ${budget.code}, not 1: ${budget.stderr}`)
    blocks.set('apps-budget', `$ heroku slug:apps --team acme --max-size 400MB > /dev/null; echo "exit $?"\n${budget.stderr.trimEnd()}\nexit ${budget.code}\n`)
    const inspect = await run(['slug:inspect', '-a', 'tf-demo', '--top', '1'], herokuEnv)
    if (inspect.code !== 0) throw new Error(`slug:inspect failed (exit ${inspect.code}): ${inspect.stderr}`)
    blocks.set('apps-inspect', header(inspect.stdout))
    return blocks
  } finally {
    await api.stop()
    await rm(cache, {force: true, recursive: true})
  }
}
