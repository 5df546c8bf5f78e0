import {ux} from '@oclif/core'

import type {StackResolveOptions} from '../../predict/python/predict.js'

/**
 * A spinner on stderr while pip resolves, or while node_modules is predicted (`title`), with a line at the start
 * and one at the end when stderr is not a terminal, started by the first progress message, so a repo without
 * Python (or without Node) shows nothing.
 */
export function resolveProgress(enabled: boolean, title = 'Resolving Python dependencies for the Heroku stack'): Pick<StackResolveOptions, 'onDone' | 'onProgress'> {
  if (!enabled) return {}
  let started = false
  return {
    onDone() {
      if (started) ux.action.stop()
      started = false
    },
    onProgress(message) {
      if (!started) ux.action.start(title)
      started = true
      // Without a terminal the spinner cannot redraw: the start and end lines are enough there.
      if (process.stderr.isTTY) ux.action.status = message
    },
  }
}
