import {Config} from '@oclif/core'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
let config: Config | undefined

export interface CommandResult<T = unknown> {
  stdout: string
  stderr: string
  /** what run() returned */
  result?: T
  /** the error the command ended with, as oclif would print it */
  error?: Error & {oclif?: {exit?: number}}
  /** the exit code the user would see */
  exitCode: number
}

type Runnable = {run(argv: string[], config: Config): Promise<unknown>}

/**
 * Runs a command class from src/ in-process (so coverage counts it), capturing stdout and stderr.
 * Errors are caught and returned with the exit code oclif would use.
 */
export async function runCommand<T = unknown>(command: Runnable, argv: string[]): Promise<CommandResult<T>> {
  config ??= await Config.load(root)
  const out: string[] = []
  const err: string[] = []
  const stdoutWrite = process.stdout.write.bind(process.stdout)
  const stderrWrite = process.stderr.write.bind(process.stderr)
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out.push(String(chunk))
    return true
  }) as typeof process.stdout.write
  process.stderr.write = ((chunk: string | Uint8Array) => {
    err.push(String(chunk))
    return true
  }) as typeof process.stderr.write
  try {
    const result = (await command.run(argv, config)) as T
    return {exitCode: 0, result, stderr: err.join(''), stdout: out.join('')}
  } catch (error) {
    const e = error as CommandResult['error'] & {code?: string}
    const exitCode = e?.oclif?.exit ?? 1
    return {error: e, exitCode, stderr: err.join(''), stdout: out.join('')}
  } finally {
    process.stdout.write = stdoutWrite
    process.stderr.write = stderrWrite
  }
}
