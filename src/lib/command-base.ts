import {Command} from '@heroku-cli/command'
import {Errors} from '@oclif/core'

import {isUserError} from './util/errors.js'

/**
 * Base of every slug command: a UserError becomes oclif's one-line error with its exit code, so bad
 * input never shows a stack trace. Anything else is a bug and keeps oclif's full report.
 */
export abstract class SlugCommand extends Command {
  static baseFlags = Command.baseFlagsWithoutPrompt()

  protected async catch(error: Error & {exitCode?: number}): Promise<unknown> {
    if (isUserError(error)) {
      return super.catch(new Errors.CLIError(error.message, {exit: error.exitCode}))
    }

    return super.catch(error)
  }
}
