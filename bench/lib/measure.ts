import {spawn} from 'node:child_process'
import {closeSync, existsSync, openSync} from 'node:fs'
import {readFile, rm} from 'node:fs/promises'
import {join} from 'node:path'

export const WORK = 'bench/.work'
const GNU_TIME = '/usr/bin/time'

export interface Sample {
  /** wall-clock seconds */
  wall: number
  /** user + system CPU seconds, children included (tar's gzip) */
  cpu: number
  /** peak resident set size, MB (10^6 bytes) */
  rss: number
}

export function checkGnuTime(): void {
  if (!existsSync(GNU_TIME)) throw new Error(`${GNU_TIME} is missing: install the Debian package "time" (apt-get install time) to measure peak RSS.`)
}

/**
 * Runs a command with stdout to /dev/null under GNU time; wall time from here, CPU and peak RSS from GNU time.
 * The command runs in its own process group, killed whole past `timeoutMs` (default 10 min).
 */
export async function measure(command: string[], timeoutMs = 600_000): Promise<Sample> {
  const timeFile = join(WORK, `time-${process.pid}.txt`)
  const devNull = openSync('/dev/null', 'w')
  const started = performance.now()
  let timedOut = false
  try {
    const child = spawn(GNU_TIME, ['-f', '%U %S %M', '-o', timeFile, ...command], {detached: true, stdio: ['ignore', devNull, 'pipe']})
    const killGroup = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL')
      } catch {
        // it has just exited
      }
    }

    // in its own group it outlives this process unless killed: a bench that throws or exits takes it along
    process.once('exit', killGroup)
    const timer = setTimeout(() => {
      timedOut = true
      killGroup()
    }, timeoutMs)
    let stderr = ''
    child.stderr!.on('data', (d: Buffer) => {
      if (stderr.length < 4000) stderr += d.toString()
    })
    const code = await new Promise<number>((resolve, reject) => {
      child.on('error', reject)
      child.on('close', c => resolve(c ?? 1))
    }).finally(() => {
      clearTimeout(timer)
      process.removeListener('exit', killGroup)
    })
    const wall = (performance.now() - started) / 1000
    if (timedOut) throw new Error(`${command.join(' ')} did not finish within ${timeoutMs / 1000} s`)
    if (code !== 0) throw new Error(`${command.join(' ')} exited ${code}: ${stderr.trim()}`)
    const [user, system, maxKiB] = (await readFile(timeFile, 'utf8')).trim().split('\n').at(-1)!.split(' ').map(Number)
    return {cpu: user + system, rss: (maxKiB * 1024) / 1e6, wall}
  } finally {
    closeSync(devNull)
    await rm(timeFile, {force: true})
  }
}

/** Two commands one after the other (download, then list): times add up, memory is the larger. */
export function sequence(a: Sample, b: Sample): Sample {
  return {cpu: a.cpu + b.cpu, rss: Math.max(a.rss, b.rss), wall: a.wall + b.wall}
}

export function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
