import {SingleBar} from 'cli-progress'

import {formatBytes} from '../../shared/bytes.js'
import type {ScanProgress} from '../../source/slug-reader.js'

/**
 * A download progress bar on stderr, only when stderr is a terminal and output is not JSON:
 * piped output and --json stay clean.
 */
export function downloadProgress(label: string, enabled: boolean): ScanProgress | undefined {
  if (!enabled || !process.stderr.isTTY) return undefined
  const bar = new SingleBar({
    barsize: 30,
    format: `${label} [{bar}] {percentage}% {done} of {size}`,
    hideCursor: true,
    stream: process.stderr,
  })
  let total = 0
  return {
    start(size) {
      total = size ?? 0
      bar.start(total || 1, 0, {done: formatBytes(0), size: total ? formatBytes(total) : '?'})
    },
    stop() {
      bar.stop()
    },
    update(bytes) {
      bar.update(total ? Math.min(bytes, total) : 0, {done: formatBytes(bytes)})
    },
  }
}
