import {Command, Errors} from '@oclif/core'

import {type HerokuApi, LazyHerokuApi} from './heroku/client.js'
import {isUserError} from './util/errors.js'
import {terminalSafe} from './util/terminal-safe.js'

/**
 * Base of every slug command. It extends oclif's Command rather than @heroku-cli/command's, whose
 * module loads the API client, credential manager and Sentry (~50 MB) for every run: here the API
 * client is imported on the first request, so `--file`, `--log` and `--dir` runs never load it.
 * A UserError becomes oclif's one-line error with its exit code, so bad input never shows a stack
 * trace; anything else is a bug and keeps oclif's full report.
 */
export abstract class SlugCommand extends Command {
  private api?: HerokuApi

  /** The Platform API, authenticated the way every heroku command is (netrc, HEROKU_API_KEY, login). */
  get heroku(): HerokuApi {
    this.api ??= new LazyHerokuApi(this.config)
    return this.api
  }

  protected async catch(error: Error & {exitCode?: number}): Promise<unknown> {
    if (isUserError(error)) {
      // A message may quote a name from a slug, a log or the API: shown, never sent raw to the terminal.
      return super.catch(new Errors.CLIError(terminalSafe(error.message), {exit: error.exitCode}))
    }

    return super.catch(error)
  }
}
