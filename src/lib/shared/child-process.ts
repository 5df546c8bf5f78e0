import {type ChildProcess, spawn} from 'node:child_process'
import {StringDecoder} from 'node:string_decoder'

/** What to run, and the bounds on it. */
export interface RunBoundedOptions {
  command: string
  args: readonly string[]
  /** written to the child's stdin, then stdin is closed (stdin is /dev/null without it) */
  input?: Buffer | string
  /** past this the child's process group gets SIGTERM, then SIGKILL 2 s later; the result says `timedOut` */
  timeoutMs: number
  env?: NodeJS.ProcessEnv
  cwd?: string
  /** stdout and stderr together, bytes; past it the group is killed and the result says `overflowed` (default 64 MiB) */
  maxOutputBytes?: number
  /** each line the child prints (stdout and stderr), as it comes, for progress */
  onLine?: (line: string) => void
}

export interface RunBoundedResult {
  stdout: string
  stderr: string
  /** the exit code, null when a signal ended it */
  code: number | null
  signal: NodeJS.Signals | null
  /** ended by the runner past `timeoutMs` */
  timedOut: boolean
  /** ended by the runner past `maxOutputBytes` (what came before is kept) */
  overflowed: boolean
}

/** The command could not start (`code` is the errno code: ENOENT when it is not installed or not on PATH). */
export class ChildStartError extends Error {
  constructor(readonly command: string, readonly code: string) {
    super(`${command} could not run (${code})`)
  }
}

const DEFAULT_MAX_OUTPUT = 64 * 1024 * 1024
const KILL_GRACE_MS = 2000
const GROUPS = process.platform !== 'win32'

/** Children running now, so that a signal or the process's exit takes them (and theirs) along. */
const running = new Set<ChildProcess>()

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (GROUPS && child.pid !== undefined) process.kill(-child.pid, signal)
    else child.kill(signal)
  } catch {
    // the group is gone already
  }
}

function killAll(): void {
  for (const child of running) killGroup(child, 'SIGKILL')
}

/**
 * Ctrl-C reaches the terminal's foreground group only, and the children run in groups of their own:
 * the plugin kills them, then dies of the signal as it would have (unless someone else listens to it).
 */
function onSignal(signal: NodeJS.Signals): void {
  killAll()
  unlisten()
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
}

let listening = false
function listen(): void {
  if (listening) return
  listening = true
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  process.on('exit', killAll)
}

function unlisten(): void {
  if (!listening) return
  listening = false
  process.off('SIGINT', onSignal)
  process.off('SIGTERM', onSignal)
  process.off('exit', killAll)
}

/**
 * Runs a command with every wait bounded: in a process group of its own (a wrapper such as a pyenv shim, and
 * whatever it starts, dies with it), killed past `timeoutMs` or `maxOutputBytes`, and killed with its group
 * when it ends (nothing it started outlives it), on Ctrl-C or SIGTERM of the plugin, and when the plugin exits.
 * Resolves however the command ends (see `code`, `signal`, `timedOut`); rejects with ChildStartError
 * only when it could not start.
 */
export function runBounded(options: RunBoundedOptions): Promise<RunBoundedResult> {
  return new Promise<RunBoundedResult>((resolve, reject) => {
    const child = spawn(options.command, options.args, {
      cwd: options.cwd,
      detached: GROUPS,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    })
    let timedOut = false
    let settled = false
    let grace: NodeJS.Timeout | undefined
    const stop = (): void => {
      killGroup(child, 'SIGTERM')
      grace ??= setTimeout(() => killGroup(child, 'SIGKILL'), KILL_GRACE_MS)
      grace.unref()
    }

    const output = new BoundedOutput(options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT, stop, options.onLine)
    const timer = setTimeout(() => {
      timedOut = true
      stop()
    }, options.timeoutMs)
    const finish = (): void => {
      clearTimeout(timer)
      if (grace) clearTimeout(grace)
      running.delete(child)
      if (running.size === 0) unlisten()
    }

    running.add(child)
    listen()
    child.stdout?.on('data', (data: Buffer) => output.add('stdout', data))
    child.stderr?.on('data', (data: Buffer) => output.add('stderr', data))
    if (options.input !== undefined && child.stdin) {
      child.stdin.on('error', () => {
        // the child stopped reading: its exit says why
      })
      child.stdin.end(options.input)
    }

    // The command has ended: whatever it started in its group goes too (and stops holding its pipes).
    child.on('exit', () => killGroup(child, 'SIGKILL'))
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (settled) return
      settled = true
      finish()
      reject(new ChildStartError(options.command, error.code ?? error.message))
    })
    child.on('close', (code, signal) => {
      if (settled) return
      settled = true
      finish()
      output.end()
      resolve({code, overflowed: output.overflowed, signal, stderr: output.text('stderr'), stdout: output.text('stdout'), timedOut})
    })
  })
}

/** stdout and stderr kept up to `max` bytes together (past it, `onOverflow`), and handed on line by line. */
class BoundedOutput {
  overflowed = false
  private readonly chunks = {stderr: [] as Buffer[], stdout: [] as Buffer[]}
  private readonly decoder = new StringDecoder('utf8')
  private pending = ''
  private size = 0

  constructor(private readonly max: number, private readonly onOverflow: () => void, private readonly onLine?: (line: string) => void) {}

  add(stream: 'stderr' | 'stdout', data: Buffer): void {
    if (this.overflowed) return
    if (this.size + data.length > this.max) {
      this.overflowed = true
      this.chunks[stream].push(data.subarray(0, this.max - this.size))
      this.size = this.max
      this.onOverflow()
      return
    }

    this.size += data.length
    this.chunks[stream].push(data)
    if (!this.onLine) return
    this.pending += this.decoder.write(data)
    const lines = this.pending.split('\n')
    this.pending = lines.pop() ?? ''
    for (const line of lines) this.onLine(line)
  }

  /** The last line, when the output did not end with a newline. */
  end(): void {
    if (this.pending && this.onLine) this.onLine(this.pending)
  }

  text(stream: 'stderr' | 'stdout'): string {
    return Buffer.concat(this.chunks[stream]).toString('utf8')
  }
}
