/**
 * The rules the plugin writes into `.slugignore` must mean the same under both readings Heroku has published:
 * its docs ("roughly .gitignore") and its slug compiler's `prune_slugignore` (the whole file split on
 * whitespace, `#` anywhere in a token starts a comment, Ruby `Dir` globs). A literal path anchored at the
 * repo root with a leading `/`, one token long and free of glob characters, is read the same by both.
 */

/** Why `rule` cannot be written as such a rule, or undefined when it can. */
export function ruleProblem(rule: string): string | undefined {
  if (/\s/.test(rule)) return 'it has a space or another blank, which Heroku\'s slug compiler splits into separate patterns'
  if (rule.includes('#')) return 'it has a "#", which Heroku\'s slug compiler reads as the start of a comment'
  if (/[*?[\]{}\\]/.test(rule)) return String.raw`it has a glob character (* ? [ ] { } \), which the two readings of .slugignore expand differently`
  if (!rule.startsWith('/')) return 'it is not anchored at the repo root with a leading "/"'
  const segments = rule.slice(1).replace(/\/$/, '').split('/')
  if (segments.some(s => s === '' || s === '.' || s === '..')) return 'it has an empty, "." or ".." path segment'
  return undefined
}

/**
 * A rule with an inner `/` (`models/x.h5`, `nets/encoder/`) is anchored at the root under both readings
 * already: the leading `/` only says so. Any other rule is returned as it is (a rule without an inner `/`
 * matches at every depth, and a leading `/` would change that).
 */
export function anchoredRule(rule: string): string {
  return rule.startsWith('/') || !rule.replace(/\/$/, '').includes('/') ? rule : `/${rule}`
}
