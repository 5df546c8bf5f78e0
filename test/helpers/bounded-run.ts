import {spawn} from 'node:child_process'

export interface RunResult {
  status: number
  stdout: string
  stderr: string
}

export interface BoundedRunOptions {
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** the run is killed (its whole process group) past this; the promise then rejects */
  timeoutMs: number
}

/** Kills a process group, ignoring one that has already gone. */
function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    // the group has exited
  }
}

/**
 * Runs a command to its end, asynchronously (a server in this process keeps answering it), with a time bound.
 * The command gets its own process group: npm and the heroku CLI start children of their own, and a timeout,
 * or this process exiting, kills all of them, not just the first.
 */
export async function runBounded(command: string, args: string[], options: BoundedRunOptions): Promise<RunResult> {
  const child = spawn(command, args, {cwd: options.cwd, detached: true, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe']})
  const out: Buffer[] = []
  const err: Buffer[] = []
  child.stdout.on('data', (c: Buffer) => out.push(c))
  child.stderr.on('data', (c: Buffer) => err.push(c))
  const onExit = () => child.pid !== undefined && killGroup(child.pid, 'SIGKILL')
  process.once('exit', onExit)
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    if (child.pid === undefined) return
    killGroup(child.pid, 'SIGTERM')
    setTimeout(() => killGroup(child.pid!, 'SIGKILL'), 2000).unref()
  }, options.timeoutMs)
  try {
    const status = await new Promise<number>((resolve, reject) => {
      child.on('error', reject)
      child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)))
    })
    const result = {status, stderr: Buffer.concat(err).toString('utf8'), stdout: Buffer.concat(out).toString('utf8')}
    if (timedOut) {
      throw new Error(`${command} ${args.join(' ')} did not finish within ${options.timeoutMs / 1000} s; its stderr ended: ${result.stderr.slice(-2000)}`)
    }

    return result
  } finally {
    clearTimeout(timer)
    process.removeListener('exit', onExit)
  }
}

/** runBounded, failing with the command's stderr unless it exits 0. */
export async function runChecked(command: string, args: string[], options: BoundedRunOptions): Promise<RunResult> {
  const result = await runBounded(command, args, options)
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr.slice(-4000)}`)
  return result
}
