import {Command, Errors} from '@oclif/core'
import {stripVTControlCharacters} from 'node:util'

import {type HerokuApi, LazyHerokuApi} from '../heroku/client.js'
import {isUserError} from '../shared/errors.js'
import {redactUrlCredentials} from '../shared/redact.js'
import {terminalSafe} from '../shared/terminal-safe.js'

/**
 * Base of every slug command. It extends oclif's Command rather than @heroku-cli/command's, whose
 * module loads the API client, credential manager and Sentry (~50 MB) for every run: here the API
 * client is imported on the first request, so `--file`, `--log` and `--dir` runs never load it.
 * A UserError becomes oclif's one-line error with its exit code, so bad input never shows a stack
 * trace (credentials in URLs masked); anything else is a bug and keeps oclif's full report.
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
      // A message may quote a name from a slug, a log or the API (shown, never sent raw to the terminal), or a URL with credentials.
      return super.catch(new Errors.CLIError(terminalSafe(redactUrlCredentials(error.message)), {exit: error.exitCode}))
    }

    if (isParseError(error)) return super.catch(new Errors.CLIError(oneLine(error.message), {exit: error.oclif?.exit ?? 2}))
    return super.catch(error)
  }
}

/** oclif's flag errors (contradicting flags, a missing value): a CLIParseError carries the parse it failed. */
function isParseError(error: Error): error is Errors.CLIError & {parse: unknown} {
  return error instanceof Errors.CLIError && 'parse' in error
}

/**
 * oclif words a flag error over several lines ("The following error occurred:", one line per reason, "See more
 * help with --help"): the reasons, on one line.
 */
function oneLine(message: string): string {
  const lines = stripVTControlCharacters(message).split('\n').map(l => l.trim()).filter(l => l !== '')
  const reasons = lines.filter(l => !/^The following errors? occurred:$/.test(l) && l !== 'See more help with --help')
  return `${reasons.join('; ')}. See more help with --help.`
}
