import {expect} from 'chai'
import {spawn} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {ChildStartError, runBounded} from '../../../../src/lib/shared/child-process.js'
import {rejection} from '../../../helpers/rejection.js'

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/child-process/runner-under-signal.ts')

/** Whether a process still runs (a zombie waiting for its parent to reap it does not). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }

  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return true
  }
}

async function gone(pids: number[], withinMs = 5000): Promise<boolean> {
  const end = Date.now() + withinMs
  while (Date.now() < end) {
    if (!pids.some(p => alive(p))) return true

    await new Promise(r => {
      setTimeout(r, 50)
    })
  }

  return false
}

/** A shell that starts a grandchild, prints both pids, and waits: the pids the runner must take along. */
const WITH_GRANDCHILD = ['-c', 'sleep 300 >/dev/null 2>&1 & echo "$$ $!"; wait']
const pidsOf = (line: string): number[] => line.trim().split(' ').map(Number)

describe('runBounded', () => {
  it('returns what the command printed, its exit code and its stdin', async () => {
    const result = await runBounded({args: ['-c', 'cat; echo oops >&2; exit 3'], command: 'sh', input: 'hello\n', timeoutMs: 10_000})
    expect(result).to.deep.include({code: 3, overflowed: false, signal: null, stderr: 'oops\n', stdout: 'hello\n', timedOut: false})
  })

  it('passes each line to onLine, the last one without its newline too', async () => {
    const lines: string[] = []
    await runBounded({args: ['-c', String.raw`printf "a\nb\nc"`], command: 'sh', onLine: l => lines.push(l), timeoutMs: 10_000})
    expect(lines).to.deep.equal(['a', 'b', 'c'])
  })

  it('rejects with ChildStartError ENOENT when the command is not installed', async () => {
    const error = await rejection(runBounded({args: [], command: 'no-such-command-slug-diet', timeoutMs: 10_000}))
    expect(error).to.be.instanceOf(ChildStartError)
    expect((error as ChildStartError).code).to.equal('ENOENT')
  })

  it('kills the command and what it started past the timeout', async () => {
    let pids: number[] = []
    const started = Date.now()
    const result = await runBounded({args: WITH_GRANDCHILD, command: 'sh', onLine(l) {
      pids = pidsOf(l)
    }, timeoutMs: 300})
    expect(result.timedOut).to.equal(true)
    expect(Date.now() - started).to.be.below(4000)
    expect(pids).to.have.length(2)
    expect(await gone(pids)).to.equal(true)
  })

  it('kills what the command started when the command itself ends', async () => {
    const result = await runBounded({args: ['-c', 'sleep 300 >/dev/null 2>&1 & echo $!'], command: 'sh', timeoutMs: 10_000})
    expect(result.code).to.equal(0)
    expect(await gone([Number(result.stdout.trim())])).to.equal(true)
  })

  it('stops a command that prints more than maxOutputBytes, keeping what came first', async () => {
    const result = await runBounded({args: ['-c', 'yes'], command: 'sh', maxOutputBytes: 10_000, timeoutMs: 10_000})
    expect(result.overflowed).to.equal(true)
    expect(result.stdout).to.have.length(10_000)
  })

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`takes the command and what it started along when the plugin gets ${signal}`, async () => {
      const runner = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {stdio: ['ignore', 'pipe', 'pipe']})
      const pids = await new Promise<number[]>((resolve, reject) => {
        let text = ''
        runner.stdout.on('data', (d: Buffer) => {
          text += d.toString()
          const match = /pids (\d+ \d+)\n/.exec(text)
          if (match) resolve(pidsOf(match[1]))
        })
        runner.on('exit', () => reject(new Error(`the runner ended early: ${text}`)))
      })
      expect(pids.every(p => alive(p))).to.equal(true)
      const ended = new Promise<NodeJS.Signals | null>(resolve => {
        runner.on('exit', (_code, s) => resolve(s))
      })
      runner.kill(signal)
      expect(await ended).to.equal(signal)
      expect(await gone(pids)).to.equal(true)
    })
  }
})
