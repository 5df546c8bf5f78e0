import {POST_COMPILE_RULES, type PostCompileRule} from '../../knowledge/post-compile-rules.js'
import {UserError} from '../../shared/errors.js'
import {HOOK_BEGIN, HOOK_END, renderPostCompileBlock} from './post-compile-script.js'

// What the rules remove is measured in analysis, where slug:inspect's findings come from the same function.
export {planPostCompile, type PostCompileItem, type PostCompilePlan} from '../../analyze/prunable.js'
export {HOOK_BEGIN, HOOK_END, SITE_PACKAGES_ENV} from './post-compile-script.js'

export const HOOK_PATH = 'bin/post_compile'

/**
 * Why the block cannot go into this hook, or undefined: it is shell code, and a hook in another language
 * (`#!/usr/bin/env python3`) would break on it.
 */
export function notShellReason(existing: string | undefined): string | undefined {
  const shebang = existing?.startsWith('#!') ? existing.slice(0, existing.includes('\n') ? existing.indexOf('\n') : undefined) : undefined
  if (shebang === undefined || /[/\s](?:ba|da|k|z)?sh(?:\s|$)/.test(shebang)) return undefined
  return `${HOOK_PATH} is not a shell script (${shebang.trim()}): slug:diet only adds its pruning block to a shell hook. Call a bash script holding the block from it instead.`
}

/** `bin/post_compile:N` for a 0-based line index. */
const at = (i: number) => `${HOOK_PATH}:${i + 1}`

/**
 * Where the managed block is. A begin marker without its end marker (a hand edit, a merge), a second block
 * or a stray end marker is refused with the line: guessing where the block ends would delete the user's
 * own steps after it (a `python manage.py collectstatic`).
 */
function blockLines(lines: string[]): {begin?: number; end?: number} {
  const begins = lines.flatMap((l, i) => (l.trimEnd() === HOOK_BEGIN ? [i] : []))
  const ends = lines.flatMap((l, i) => (l.trimEnd() === HOOK_END ? [i] : []))
  if (begins.length > 1) throw new UserError(`${at(begins[1])}: a second heroku-slug-diet block begins here; keep one block, then run again. Nothing was written.`)
  const end = begins.length === 1 ? ends.find(e => e > begins[0]) : undefined
  if (begins.length === 1 && end === undefined) {
    throw new UserError(`${at(begins[0])}: the heroku-slug-diet block begins here but has no end marker; add the line "${HOOK_END}" where the block ends (or delete the block), then run again. Nothing was written.`)
  }

  const stray = ends.find(e => e !== end)
  if (stray !== undefined) {
    throw new UserError(`${at(stray)}: a heroku-slug-diet end marker without its begin marker; delete this line, then run again. Nothing was written.`)
  }

  return {begin: begins[0], end}
}

/**
 * The hook with the managed block: a new hook is a bash script with `set -euo pipefail`; an existing one
 * keeps every line of its own, with the block replaced in place or added at the end (before a final
 * `exit`, which would otherwise skip it).
 */
export function mergePostCompileHook(existing?: string, rules: PostCompileRule[] = POST_COMPILE_RULES): string {
  const block = renderPostCompileBlock(rules)
  const reason = notShellReason(existing)
  if (reason) throw new UserError(reason)
  if (existing === undefined || existing.trim() === '') {
    return `${['#!/usr/bin/env bash', 'set -euo pipefail', '', ...block].join('\n')}\n`
  }

  if (existing.includes('\r\n')) {
    throw new UserError(`${HOOK_PATH} has Windows (CRLF) line endings, which bash cannot run: convert it to LF (e.g. dos2unix ${HOOK_PATH}), then run again. Nothing was written.`)
  }

  const lines = existing.split('\n')
  if (lines.at(-1) === '') lines.pop()
  const {begin, end} = blockLines(lines)
  if (begin !== undefined && end !== undefined) {
    lines.splice(begin, end - begin + 1, ...block)
  } else {
    let at = lines.length
    while (at > 0 && lines[at - 1].trim() === '') at--
    if (at > 0 && /^exit\b/.test(lines[at - 1].trim())) at--
    const spacer = at > 0 && lines[at - 1].trim() !== '' ? [''] : []
    lines.splice(at, 0, ...spacer, ...block)
  }

  return `${lines.join('\n')}\n`
}
