/**
 * A problem the user can act on: commands print its message on one line and exit non-zero,
 * never with a stack trace. Everything the plugin expects to go wrong is one of these.
 */
export class UserError extends Error {
  readonly exitCode: number

  constructor(message: string, exitCode = 1) {
    super(message)
    this.name = 'UserError'
    this.exitCode = exitCode
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError
}
