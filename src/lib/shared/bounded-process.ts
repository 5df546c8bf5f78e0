import {spawn} from 'node:child_process'

export interface BoundedProcessOptions {
  command: string
  args: string[]
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** written to the child's stdin, which is then closed; without it stdin is ignored */
  input?: string
  /** the run is killed (its whole process group) past this */
  timeoutMs: number
  /** each line the child prints (stdout and stderr), for progress */
  onLine?: (line: string) => void
}

/** How a child process ended. */
export interface BoundedProcessResult {
  /** null when it was killed by a signal or could not start */
  code: null | number
  stdout: string
  stderr: string
  /** stdout and stderr interleaved as they came */
  output: string
  /** the errno code (ENOENT, EACCES) when the command could not start */
  spawnError?: string
  timedOut: boolean
  /** the user interrupted the plugin (SIGINT, SIGTERM) while the child ran */
  interrupted?: NodeJS.Signals
}

/** How long a child gets between SIGTERM and SIGKILL. */
const GRACE_MS = 2000
const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM']

/**
 * Runs a command in its own process group with a time bound: past `timeoutMs`, when the plugin exits, or
 * when the user interrupts it (Ctrl-C, SIGTERM), the whole group is killed, so a wrapper's children (a pyenv
 * shim's python, pip's subprocesses) never outlive the plugin. Out of the terminal's process group, a child
 * would not get the terminal's Ctrl-C itself: it is sent on here, and the plugin then stops as it would have.
 */
export async function runBounded(options: BoundedProcessOptions): Promise<BoundedProcessResult> {
  return new Promise(resolve => {
    const group = process.platform !== 'win32'
    const child = spawn(options.command, options.args, {
      cwd: options.cwd,
      detached: group,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    })
    const kill = (signal: NodeJS.Signals): void => {
      try {
        if (group && child.pid !== undefined) process.kill(-child.pid, signal)
        else child.kill(signal)
      } catch {
        // already gone
      }
    }

    const stdout: string[] = []
    const stderr: string[] = []
    const output: string[] = []
    let pending = ''
    const collect = (into: string[]) => (data: Buffer): void => {
      const text = data.toString('utf8')
      into.push(text)
      output.push(text)
      if (!options.onLine) return
      pending += text
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) options.onLine(line)
    }

    let timedOut = false
    let interrupted: NodeJS.Signals | undefined
    const onExit = (): void => kill('SIGKILL')
    const onSignal = (signal: NodeJS.Signals): void => {
      interrupted = signal
      kill(signal)
      setTimeout(() => kill('SIGKILL'), GRACE_MS).unref()
    }

    const timer = setTimeout(() => {
      timedOut = true
      kill('SIGTERM')
      setTimeout(() => kill('SIGKILL'), GRACE_MS).unref()
    }, options.timeoutMs)
    process.once('exit', onExit)
    for (const s of FORWARDED) process.on(s, onSignal)
    const done = (result: Omit<BoundedProcessResult, 'interrupted' | 'output' | 'stderr' | 'stdout' | 'timedOut'>): void => {
      clearTimeout(timer)
      process.off('exit', onExit)
      for (const s of FORWARDED) process.off(s, onSignal)
      resolve({...result, interrupted, output: output.join(''), stderr: stderr.join(''), stdout: stdout.join(''), timedOut})
      // The plugin stops as the signal meant, once its child is gone (the listener above replaced the default).
      if (interrupted) process.kill(process.pid, interrupted)
    }

    child.stdout!.on('data', collect(stdout))
    child.stderr!.on('data', collect(stderr))
    child.on('error', (error: NodeJS.ErrnoException) => done({code: null, spawnError: error.code ?? error.message}))
    child.on('close', code => done({code}))
    if (options.input !== undefined) {
      // A child that exits without reading its input closes the pipe: that is its answer, not an error here.
      child.stdin!.on('error', () => {})
      child.stdin!.end(options.input)
    }
  })
}

/** The last line a process printed that is not blank (a traceback's last line says what went wrong). */
export function lastLine(text: string): string | undefined {
  return text.split('\n').map(l => l.trim()).findLast(l => l !== '')
}
