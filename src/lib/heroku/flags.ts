import {Flags} from '@oclif/core'

/** Flags naming a local source: with one of them, no app is needed and git is not asked for one. */
const LOCAL_SOURCES = ['file', 'log', 'dir']

/** Whether the app must be looked up: none was given, and no local source makes it unneeded. */
function needsLookup(flags: Record<string, unknown>): boolean {
  return flags.app === undefined && !LOCAL_SOURCES.some(name => flags[name] !== undefined)
}

/** The two members of @heroku-cli/command's app flag used here (its type is overloaded for `multiple`). */
interface HerokuAppFlag {
  default?: unknown
  defaultHelp?: unknown
}
type HerokuDefault = (context: unknown) => Promise<string | undefined>

/**
 * `-a/--app`, resolved as every heroku command resolves it (HEROKU_APP, then the git remote named by
 * --remote or the single heroku remote), by @heroku-cli/command's own flag. That flag's module loads the
 * whole API client, so it is imported only when a default is needed, and not at all when the command
 * reads a local slug, log or repository.
 */
export const app = Flags.custom<string>({
  char: 'a',
  async default(context): Promise<string | undefined> {
    if (!needsLookup(context.flags)) return undefined
    const {default: resolve} = await herokuAppFlag()
    return typeof resolve === 'function' ? (resolve as HerokuDefault)(context) : undefined
  },
  // oclif asks every flag for its help default on every parse, not only for --help.
  async defaultHelp(context): Promise<string | undefined> {
    if (!needsLookup(context.flags)) return undefined
    const {defaultHelp: resolve} = await herokuAppFlag()
    return typeof resolve === 'function' ? (resolve as HerokuDefault)(context) : undefined
  },
  description: 'app to run command against',
  env: 'HEROKU_APP',
  multiple: false,
})

/** `-r/--remote`, as @heroku-cli/command defines it. */
export const remote = Flags.custom({
  char: 'r',
  description: 'git remote of app to use',
})

async function herokuAppFlag(): Promise<HerokuAppFlag> {
  const {flags} = await import('@heroku-cli/command')
  return flags.app()
}
