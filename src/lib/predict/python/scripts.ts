import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import * as v from 'valibot'

import {ChildStartError, runBounded} from '../../shared/child-process.js'
import {UserError} from '../../shared/errors.js'

/** The plugin's python/ folder: four levels above this file, in src/ as in dist/. */
export const PYTHON_SCRIPTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'python')

/**
 * The Python that runs the plugin's scripts: --python, else HEROKU_SLUG_DIET_PYTHON, else python3 on PATH
 * (HEROKU_SLUG_DIET_PYTHON=none turns the pre-push resolution off, not the converter).
 */
export function choosePython(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  const named = env.HEROKU_SLUG_DIET_PYTHON
  return flag ?? (named && named !== 'none' ? named : 'python3')
}

/** The last line a process printed that is not blank (a traceback's last line says what went wrong). */
export function lastLine(text: string): string | undefined {
  return text.split('\n').map(l => l.trim()).findLast(l => l !== '')
}

/** What a script exits with when the chosen Python lacks a module it needs (python/convert_models.py). */
export const EXIT_MISSING_MODULES = 3

export interface ScriptRun<T> {
  python: string
  /** a file of python/ (`convert_models.py`) */
  script: string
  args?: string[]
  /** sent as one JSON object on stdin */
  input?: unknown
  schema: v.GenericSchema<unknown, T>
  timeoutMs: number
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** what to suggest when modules are missing, after the pip command */
  missingHint?: string
  onLine?: (line: string) => void
}

const seconds = (ms: number): string => (ms < 10_000 ? (ms / 1000).toFixed(1) : String(Math.round(ms / 1000)))

/** The stdout of a script parsed as one JSON object of `schema`: a one-line error naming the field otherwise. */
export function parseScriptOutput<T>(script: string, stdout: string, schema: v.GenericSchema<unknown, T>): T {
  let json: unknown
  try {
    json = JSON.parse(stdout)
  } catch {
    const first = stdout.trim().split('\n')[0]?.slice(0, 120) ?? ''
    throw new UserError(`${script} did not print one JSON object${first === '' ? ' (its output was empty)' : ` (it printed "${first}")`}. Nothing was written.`)
  }

  const result = v.safeParse(schema, json)
  if (result.success) return result.output
  const issue = result.issues[0]
  throw new UserError(`${script} printed JSON that does not fit: "${v.getDotPath(issue) ?? '(root)'}" ${issue.message.replace(/^Invalid \w+: /, '')}. Nothing was written.`)
}

const Missing = v.object({missing: v.array(v.string())})

/** The modules a run reported missing, when its stdout says (exit code 3). */
function missingModules(stdout: string): string[] {
  try {
    const parsed = v.safeParse(Missing, JSON.parse(stdout))
    return parsed.success ? parsed.output.missing : []
  } catch {
    return []
  }
}

/**
 * Runs one of the plugin's Python scripts with the user's Python, bounded in time, and reads the one JSON
 * object it prints. Every way it can fail is one line: Python not found, a timeout (its process group
 * killed), modules missing (with the pip command), a crash (the last line of its stderr), bad JSON.
 */
export async function runPythonScript<T>(run: ScriptRun<T>): Promise<T> {
  const nothing = 'Nothing was written.'
  const result = await runBounded({
    args: [join(PYTHON_SCRIPTS_DIR, run.script), ...(run.args ?? [])],
    command: run.python,
    cwd: run.cwd,
    env: run.env,
    input: run.input === undefined ? undefined : JSON.stringify(run.input),
    onLine: run.onLine,
    timeoutMs: run.timeoutMs,
  }).catch((error: unknown) => {
    if (!(error instanceof ChildStartError)) throw error
    const why = error.code === 'ENOENT' ? 'is not installed (or not on PATH)' : `could not run (${error.code})`
    throw new UserError(`${run.python} ${why}: name a Python with --python or HEROKU_SLUG_DIET_PYTHON. ${nothing}`)
  })
  if (result.timedOut) throw new UserError(`${run.script} did not finish within ${seconds(run.timeoutMs)} s and was stopped. ${nothing}`)
  if (result.overflowed) throw new UserError(`${run.script} printed more than the plugin reads and was stopped. ${nothing}`)
  if (result.code === EXIT_MISSING_MODULES) {
    const missing = missingModules(result.stdout)
    const names = missing.length > 0 ? missing.join(', ') : 'modules it needs'
    const pip = missing.length > 0 ? `: ${run.python} -m pip install ${missing.join(' ')}` : ''
    const hint = run.missingHint ? `, ${run.missingHint}` : ''
    throw new UserError(`${run.python} is missing ${missing.length === 1 ? 'the module' : 'the modules'} ${names}${pip}${hint}. ${nothing}`, EXIT_MISSING_MODULES)
  }

  if (result.code !== 0) {
    const last = lastLine(result.stderr)
    throw new UserError(`${run.script} failed (exit ${result.code ?? 'by a signal'})${last ? `: ${last.slice(0, 300)}` : ''}. ${nothing}`)
  }

  return parseScriptOutput(run.script, result.stdout, run.schema)
}
