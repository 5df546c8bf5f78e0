import {MultiBar, Presets, type SingleBar} from 'cli-progress'

import {formatBytes} from '../../shared/bytes.js'
import type {UploadReporter} from '../../apply/upload.js'

/**
 * One bar per file on stderr, only when stderr is a terminal and output is not JSON, so piped
 * output and --json stay clean.
 */
export function uploadProgress(enabled: boolean): undefined | {reporter: UploadReporter, stop(): void} {
  if (!enabled || !process.stderr.isTTY) return undefined
  const bars = new MultiBar({
    barsize: 30,
    clearOnComplete: false,
    format: '{path} [{bar}] {percentage}% {done} of {size} {state}',
    hideCursor: true,
    stream: process.stderr,
  }, Presets.shades_classic)
  const open = new Map<string, SingleBar>()
  return {
    reporter: {
      finish(outcome) {
        const bar = open.get(outcome.path)
        bar?.update(outcome.size || 1, {done: formatBytes(outcome.size), state: outcome.status === 'skipped' ? '(already in S3)' : '(verified)'})
        bar?.stop()
      },
      progress(entry, sent) {
        open.get(entry.path)?.update(Math.min(sent, entry.size), {done: formatBytes(sent)})
      },
      start(entry) {
        open.set(entry.path, bars.create(entry.size || 1, 0, {done: formatBytes(0), path: entry.path, size: formatBytes(entry.size), state: ''}))
      },
    },
    stop() {
      bars.stop()
    },
  }
}
