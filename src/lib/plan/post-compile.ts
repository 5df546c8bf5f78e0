import {POST_COMPILE_RULES, type PostCompileRule} from '../knowledge/post-compile-rules.js'
import {UserError} from '../util/errors.js'
import {HOOK_BEGIN, HOOK_END, renderPostCompileBlock} from './post-compile-script.js'

// What the rules remove is measured in analysis, where slug:inspect's findings come from the same function.
export {planPostCompile, type PostCompileItem, type PostCompilePlan} from '../analysis/prunable.js'
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

  const lines = existing.split('\n')
  if (lines.at(-1) === '') lines.pop()
  const begin = lines.findIndex(l => l.trimEnd() === HOOK_BEGIN)
  const end = begin === -1 ? -1 : lines.findIndex((l, i) => i > begin && l.trimEnd() === HOOK_END)
  if (begin !== -1 && end !== -1) {
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
