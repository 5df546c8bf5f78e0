/**
 * Names from a slug, a build log or the API reach the terminal: a file named with an escape sequence could
 * recolour, hide or forge lines. Every terminal renderer passes its data (never its own styled lines) through
 * here. C0 and C1 controls (tab excepted), DEL, and the bidirectional overrides that reorder what is shown
 * become visible escapes; HTML has its own escaping and --json shows names as they are.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\n-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/g

const NAMED: Record<string, string> = {'\n': String.raw`\n`, '\r': String.raw`\r`, '\u001B': String.raw`\e`}

function escapeChar(c: string): string {
  const code = c.codePointAt(0)!
  return NAMED[c] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`)
}

/** One line of text, safe to print: control characters shown as `\e`, `\n`, `\x07`, `\u202e`. */
export function terminalSafe(text: string): string {
  return text.replaceAll(UNSAFE, escapeChar)
}

/** The same, line by line: the newlines of a multi-line text (a file's diff) are kept. */
export function terminalSafeLines(text: string): string {
  return text.split('\n').map(line => terminalSafe(line)).join('\n')
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/**
 * A copy of a renderer's data with every string made terminal-safe; strings under a key in `multiline` keep
 * their newlines. Only arrays and plain objects are walked: buffers and class instances are kept as they are.
 */
export function terminalSafeDeep<T>(value: T, multiline: readonly string[] = [], key = ''): T {
  if (typeof value === 'string') return (multiline.includes(key) ? terminalSafeLines(value) : terminalSafe(value)) as T
  if (Array.isArray(value)) return value.map(v => terminalSafeDeep(v, multiline, key)) as T
  if (value === null || typeof value !== 'object' || !isPlain(value)) return value
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) out[k] = terminalSafeDeep(v, multiline, k)
  return out as T
}
