/**
 * Credentials in URLs (`--extra-index-url https://user:SECRET@host/simple`, `git+https://TOKEN@github.com/...`)
 * must never be printed: not in diffs, not in --json, not in errors. Every text the plugin shows that may hold
 * a user's URL goes through here; files are written unmasked.
 */
export const MASK = '***'

/** Ends the authority part of a URL (host and userinfo), or the URL itself in a line of text. */
const AUTHORITY_END = new Set(['\t', '\n', '\r', ' ', '"', '#', '\'', '/', '<', '>', '?', '`'])

/**
 * The text with the password of every `scheme://user:password@host` replaced by ***, and a lone token
 * (`scheme://token@host`) too. The userinfo ends at the LAST `@` of the authority, as pip and Python's
 * urllib read it, so an unescaped `@` in a password (`user:p@ss@host`) is masked whole. A plain scan, not
 * a regex, so a long line cannot make it backtrack (each scan stops at the `/` of the next `://`).
 */
export function redactUrlCredentials(text: string): string {
  let out = ''
  let from = 0
  for (let i = text.indexOf('://'); i !== -1; i = text.indexOf('://', i + 3)) {
    const start = i + 3
    let end = start
    let at = -1
    while (end < text.length && !AUTHORITY_END.has(text[end])) {
      if (text[end] === '@') at = end
      end++
    }

    if (at === -1) continue
    const userinfo = text.slice(start, at)
    const colon = userinfo.indexOf(':')
    out += text.slice(from, start) + (colon === -1 ? MASK : `${userinfo.slice(0, colon)}:${MASK}`)
    from = at
  }

  return from === 0 ? text : out + text.slice(from)
}

/** A copy of a JSON-like value with every string masked by redactUrlCredentials. */
export function redactUrlCredentialsDeep<T>(value: T): T {
  if (typeof value === 'string') return redactUrlCredentials(value) as T
  if (Array.isArray(value)) return value.map(v => redactUrlCredentialsDeep(v)) as T
  if (value !== null && typeof value === 'object' && !(value instanceof Map) && !(value instanceof Set)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactUrlCredentialsDeep(v)])) as T
  }

  return value
}
