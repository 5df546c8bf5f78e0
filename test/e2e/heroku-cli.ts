import {existsSync} from 'node:fs'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {delimiter, dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {runBounded, type RunResult} from '../helpers/bounded-run.js'

/** The plugin's repository: what `heroku plugins:link` points at (its dist/ must be built). */
export const PLUGIN_ROOT = fileURLToPath(new URL('../..', import.meta.url))
/** The real `heroku` CLI from npm, installed by scripts/e2e-setup.sh (not a dependency of the plugin). */
export const HEROKU_BIN = join(PLUGIN_ROOT, '.cache/heroku-cli/node_modules/.bin/heroku')

/**
 * The real heroku CLI in a throwaway HOME (and XDG dirs). Nothing of the user's own CLI config, plugins or
 * credentials is read or touched, and nothing is inherited from the test's environment except PATH.
 */
export class HerokuCli {
  private constructor(
    readonly home: string,
    private readonly settings: Record<string, string>,
  ) {}

  /** The CLI with this checkout linked as a plugin, pointed at a fake Platform API with HEROKU_HOST. */
  static async create(apiUrl: string, apiKey: string): Promise<HerokuCli> {
    if (!existsSync(join(PLUGIN_ROOT, 'dist/commands/slug/inspect.js')) || !existsSync(join(PLUGIN_ROOT, 'oclif.manifest.json'))) {
      throw new Error('The plugin is not built: run npm run build (npm run test:e2e does).')
    }

    const cli = await HerokuCli.fresh({HEROKU_API_KEY: apiKey, HEROKU_HOST: apiUrl, HEROKU_PARTICLEBOARD_URL: apiUrl})
    // --no-install: linking must not run npm install in the plugin's checkout.
    const linked = await cli.run(['plugins:link', '--no-install', PLUGIN_ROOT])
    if (linked.status !== 0) throw new Error(`heroku plugins:link failed (${linked.status}): ${linked.stderr}`)
    return cli
  }

  /** The CLI as a new user has it: no plugin installed or linked; `settings` are added to its environment. */
  static async fresh(settings: Record<string, string> = {}): Promise<HerokuCli> {
    if (!existsSync(HEROKU_BIN)) {
      throw new Error(`The heroku CLI is not installed at ${HEROKU_BIN}: run scripts/e2e-setup.sh (npm run test:e2e does).`)
    }

    return new HerokuCli(await mkdtemp(join(tmpdir(), 'heroku-e2e-home-')), settings)
  }

  /** The CLI's data dir, where `heroku plugins:install` installs plugins (oclif's dataDir under XDG_DATA_HOME). */
  get dataDir(): string {
    return join(this.home, '.local/share/heroku')
  }

  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      COLUMNS: '160',
      DISABLE_TELEMETRY: 'true',
      HEROKU_DISABLE_AUTOUPDATE: '1',
      HEROKU_SKIP_ANALYTICS: '1',
      HOME: this.home,
      NO_COLOR: '1',
      // the CLI spawns `heroku` by name for some hooks: this one, not a heroku the machine may have
      PATH: [dirname(HEROKU_BIN), dirname(process.execPath), process.env.PATH ?? ''].join(delimiter),
      XDG_CACHE_HOME: join(this.home, '.cache'),
      XDG_CONFIG_HOME: join(this.home, '.config'),
      XDG_DATA_HOME: join(this.home, '.local/share'),
      ...this.settings,
      ...extra,
    }
  }

  /**
   * Runs `heroku ARGS` (asynchronously: the fake API lives in this process and must keep answering), killed
   * with everything it started past `timeoutMs` (default 2 min).
   */
  async run(args: string[], options: {cwd?: string; env?: Record<string, string>; timeoutMs?: number} = {}): Promise<RunResult> {
    return runBounded(HEROKU_BIN, args, {cwd: options.cwd ?? this.home, env: this.env(options.env), timeoutMs: options.timeoutMs ?? 120_000})
  }

  async cleanup(): Promise<void> {
    await rm(this.home, {force: true, recursive: true})
  }
}
