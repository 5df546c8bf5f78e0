import {execFile} from 'node:child_process'
import {existsSync} from 'node:fs'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {promisify} from 'node:util'

/** Where scripts/e2e-setup.sh installs the real heroku CLI (npm run test:e2e does it). */
const HEROKU_BIN = '.cache/heroku-cli/node_modules/.bin/heroku'

export interface LinkedCli {
  version: string
  /** a command line that runs `heroku ARGS` with the plugin linked, for measure() */
  command(args: string[]): string[]
  close(): Promise<void>
}

/**
 * The real heroku CLI with the plugin at `root` linked, in a throwaway HOME: what a user runs. Its own
 * telemetry is switched off (there is no network here); undefined when the CLI is not installed.
 */
export async function linkedHerokuCli(root: string): Promise<LinkedCli | undefined> {
  const bin = resolve(HEROKU_BIN)
  if (!existsSync(bin)) return undefined
  const home = await mkdtemp(join(tmpdir(), 'bench-heroku-home-'))
  const env = [
    'env',
    '-i',
    `PATH=${dirname(process.execPath)}:/usr/bin:/bin`,
    `HOME=${home}`,
    `XDG_CACHE_HOME=${home}/.cache`,
    `XDG_CONFIG_HOME=${home}/.config`,
    `XDG_DATA_HOME=${home}/.local/share`,
    'HEROKU_DISABLE_AUTOUPDATE=1',
    'DISABLE_TELEMETRY=true',
    'HEROKU_SKIP_ANALYTICS=1',
  ]
  const run = (args: string[]) => promisify(execFile)(env[0], [...env.slice(1), bin, ...args])
  await run(['plugins:link', '--no-install', resolve(root)])
  const {stdout} = await run(['version'])
  return {
    close: () => rm(home, {force: true, recursive: true}),
    command: args => [...env, bin, ...args],
    version: stdout.trim().split(' ')[0],
  }
}
