import {Flags, type Interfaces} from '@oclif/core'

/** The member of @heroku-cli/command's app flag used here (its type is overloaded for `multiple`). */
interface HerokuAppFlag {
  default?: unknown
}
type HerokuDefault = (context: unknown) => Promise<string | undefined>

export interface AppFlagOptions {
  /**
   * The command's flags that name a local source (a slug file, a log, a repository to predict): with
   * one of them no app is needed, so git is not asked for one and @heroku-cli/command is not loaded.
   */
  localSources?: readonly string[]
  required?: boolean
}

/**
 * `-a/--app`, resolved as every heroku command resolves it (HEROKU_APP, then the git remote named by
 * --remote or the single heroku remote), by @heroku-cli/command's own flag. That flag's module loads the
 * whole API client, so it is imported only when a default is needed, and not at all when the command
 * reads one of its local sources.
 */
export function app(options: AppFlagOptions & {required: true}): Interfaces.OptionFlag<string>
export function app(options?: AppFlagOptions): Interfaces.OptionFlag<string | undefined>
export function app(options: AppFlagOptions = {}): Interfaces.OptionFlag<string | undefined> {
  const local = options.localSources ?? []
  const needsLookup = (flags: Record<string, unknown>) => flags.app === undefined && !local.some(name => flags[name] !== undefined)
  const flag = Flags.custom<string>({
    char: 'a',
    async default(context): Promise<string | undefined> {
      if (!needsLookup(context.flags)) return undefined
      const {default: resolve} = await herokuAppFlag()
      return typeof resolve === 'function' ? (resolve as HerokuDefault)(context) : undefined
    },
    // oclif asks every flag for its help default on every parse and for --help. Heroku's own flag would name
    // the git remote's app there, but importing it loads the API client and Sentry (~0.6 s, ~40 MB): help
    // shows no default app, and the command still finds it from the remote when it runs (default above).
    async defaultHelp(): Promise<string | undefined> {
      return undefined
    },
    description: 'app to run command against (default: $HEROKU_APP, else the app of the heroku git remote)',
    // No `env: 'HEROKU_APP'`: oclif counts a flag read from the environment as given, so `--file X` with
    // HEROKU_APP set would be refused as contradicting -a. @heroku-cli/command's default reads HEROKU_APP.
    multiple: false,
  })
  return options.required ? flag({required: true}) : flag()
}

/** `-r/--remote`, as @heroku-cli/command defines it. */
export const remote = Flags.custom({
  char: 'r',
  description: 'git remote of app to use',
})

async function herokuAppFlag(): Promise<HerokuAppFlag> {
  const {flags} = await import('@heroku-cli/command')
  return flags.app()
}

/**
 * `-t/--team`, as @heroku-cli/command defines it: HEROKU_TEAM (or the older HEROKU_ORGANIZATION) names a default
 * team, which `--personal` (when the command has it) sets aside, as `heroku apps --personal` does.
 */
export const team = Flags.custom<string>({
  char: 't',
  async default({flags}): Promise<string | undefined> {
    if (flags.personal) return undefined
    return process.env.HEROKU_TEAM || process.env.HEROKU_ORGANIZATION || undefined
  },
  description: 'team to use (default: $HEROKU_TEAM)',
})
