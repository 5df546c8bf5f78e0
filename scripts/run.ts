import {spawn} from 'node:child_process'

/** What a script's child printed, and how it ended. */
export interface Run {
  code: number
  stdout: string
  stderr: string
}

/** Runs a command to its end, its output kept whole (the demo scripts print it into the README). */
export function run(command: string, args: string[], options: {cwd?: string; env?: Record<string, string>; input?: string} = {}): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {cwd: options.cwd, env: {...process.env, ...options.env}, stdio: ['pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    child.on('error', reject)
    child.on('close', code => resolvePromise({code: code ?? 1, stderr, stdout}))
    child.stdin.on('error', () => {}) // a child that exits without reading its input
    child.stdin.end(options.input ?? '')
  })
}
