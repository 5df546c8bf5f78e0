/**
 * Flag parsing for the project's scripts (`npm run demo`, `readme:demo`, scripts/synthetic-slug.ts): node's
 * parseArgs, with every mistake turned into one line that names the script, and `--help`. parseArgs runs
 * unstrict and its tokens are checked here, because its own errors are multi-line texts that differ
 * between Node versions.
 */
import {parseArgs} from 'node:util'

type StringOptions = Record<string, {default?: string; type: 'string'} | {type: 'boolean'}>

/** A mistake on the command line: `fail` prints its one line and exits 2. */
export class UsageError extends Error {}

export type ParsedArgs<O extends StringOptions> = {
  [K in keyof O]: O[K] extends {type: 'boolean'} ? boolean : O[K] extends {default: string} ? string : string | undefined
}

/** Parses `argv` against `options` (all long flags); `help` is added. Throws UsageError. */
export function parseScriptArgs<O extends StringOptions>(argv: string[], options: O): ParsedArgs<O> & {help: boolean} {
  const all = {...options, help: {short: 'h', type: 'boolean' as const}}
  const {tokens, values} = parseArgs({allowPositionals: true, args: argv, options: all, strict: false, tokens: true})
  for (const token of tokens) {
    if (token.kind === 'positional') throw new UsageError(`unexpected argument '${token.value}'`)
    if (token.kind !== 'option') continue
    const option = all[token.name as keyof typeof all]
    if (!option) throw new UsageError(`unknown option '${token.rawName}'`)
    if (option.type === 'string' && token.value === undefined) throw new UsageError(`option '${token.rawName} <value>' needs a value`)
    if (option.type === 'boolean' && token.value !== undefined) throw new UsageError(`option '${token.rawName}' takes no value`)
  }

  return {...values, help: values.help === true} as ParsedArgs<O> & {help: boolean}
}

/** A positive number from a flag's text, or a UsageError naming the flag. */
export function positiveNumber(flag: string, text: string): number {
  const value = Number(text)
  if (!(value > 0) || !Number.isFinite(value)) throw new UsageError(`${flag} must be a positive number, not ${text}`)
  return value
}

/** A failure the script can name in one line (a path it cannot write, a command that failed): exit 1. */
export class ScriptError extends Error {}

/** Runs a script's main: a UsageError prints one line and exits 2, a ScriptError one line and exits 1. */
export async function runScript(name: string, main: () => Promise<void>): Promise<void> {
  try {
    await main()
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof ScriptError)) throw error
    console.error(`${name}: ${error.message}${error instanceof UsageError ? ' (see --help)' : ''}`)
    process.exit(error instanceof UsageError ? 2 : 1)
  }
}
