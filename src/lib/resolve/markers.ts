import {satisfies, valid} from '@renovatebot/pep440'

/** PEP 508 environment marker values, e.g. of a Heroku dyno. */
export type MarkerEnvironment = Record<string, string>

/** A dyno: Linux x86_64, CPython `full` (e.g. "3.12.7", or "3.12" when only the minor version is known). */
export function herokuEnvironment(minor: string, full = minor): MarkerEnvironment {
  return {
    extra: '',
    implementation_name: 'cpython',
    implementation_version: full,
    os_name: 'posix',
    platform_machine: 'x86_64',
    platform_python_implementation: 'CPython',
    platform_release: '',
    platform_system: 'Linux',
    platform_version: '',
    python_full_version: full,
    python_version: minor,
    sys_platform: 'linux',
  }
}

const VERSION_VARIABLES = new Set(['implementation_version', 'python_full_version', 'python_version'])
const OPERATORS = ['===', '==', '!=', '<=', '>=', '~=', '<', '>']

type Token = {kind: 'op' | 'paren' | 'string' | 'word'; text: string}

/** Splits a marker into tokens in one pass (no regex over the whole text). */
function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < text.length) {
    const c = text[i]
    switch (c) {
    case ' ':
    case '\t': {
      i++

      break;
    }

    case '"':
    case "'": {
      const end = text.indexOf(c, i + 1)
      if (end === -1) throw new Error('unterminated string')
      tokens.push({kind: 'string', text: text.slice(i + 1, end)})
      i = end + 1

      break;
    }

    case '(':
    case ')': {
      tokens.push({kind: 'paren', text: c})
      i++

      break;
    }

    default: {
      const op = OPERATORS.find(o => text.startsWith(o, i))
      if (op) {
        tokens.push({kind: 'op', text: op})
        i += op.length
        continue
      }

      let end = i
      while (end < text.length && /[\w.]/.test(text[end])) end++
      if (end === i) throw new Error(`unexpected "${c}"`)
      tokens.push({kind: 'word', text: text.slice(i, end)})
      i = end
    }
    }
  }

  return tokens
}

class Parser {
  private pos = 0

  constructor(private readonly tokens: Token[], private readonly env: MarkerEnvironment) {}

  parse(): boolean {
    const value = this.or()
    if (this.pos !== this.tokens.length) throw new Error('trailing tokens')
    return value
  }

  private or(): boolean {
    let value = this.and()
    while (this.peekWord('or')) {
      this.pos++
      const right = this.and()
      value = value || right
    }

    return value
  }

  private and(): boolean {
    let value = this.expression()
    while (this.peekWord('and')) {
      this.pos++
      const right = this.expression()
      value = value && right
    }

    return value
  }

  private expression(): boolean {
    if (this.tokens[this.pos]?.text === '(' && this.tokens[this.pos].kind === 'paren') {
      this.pos++
      const value = this.or()
      if (this.tokens[this.pos]?.text !== ')') throw new Error('missing )')
      this.pos++
      return value
    }

    const left = this.operand()
    const op = this.operator()
    const right = this.operand()
    return compare(left, op, right)
  }

  private operand(): {name?: string; value: string} {
    const token = this.tokens[this.pos++]
    if (token?.kind === 'string') return {value: token.text}
    if (token?.kind === 'word' && token.text in this.env) return {name: token.text, value: this.env[token.text]}
    throw new Error(`unknown marker variable ${token?.text ?? '(end)'}`)
  }

  private operator(): string {
    const token = this.tokens[this.pos++]
    if (token?.kind === 'op') return token.text
    if (token?.kind === 'word' && token.text === 'in') return 'in'
    if (token?.kind === 'word' && token.text === 'not' && this.tokens[this.pos]?.text === 'in') {
      this.pos++
      return 'not in'
    }

    throw new Error(`expected an operator, got ${token?.text ?? '(end)'}`)
  }

  private peekWord(word: string): boolean {
    const token = this.tokens[this.pos]
    return token?.kind === 'word' && token.text === word
  }
}

function compare(left: {name?: string; value: string}, op: string, right: {name?: string; value: string}): boolean {
  if (op === 'in') return right.value.includes(left.value)
  if (op === 'not in') return !right.value.includes(left.value)
  const versions = (left.name && VERSION_VARIABLES.has(left.name)) || (right.name && VERSION_VARIABLES.has(right.name))
  if (versions && op !== '===' && valid(left.value) && valid(right.value)) return satisfies(left.value, `${op}${right.value}`)
  if (op === '==' || op === '===') return left.value === right.value
  if (op === '!=') return left.value !== right.value
  // Ordering on strings that are not versions is undefined in PEP 508: such a marker never matches.
  return false
}

/**
 * Whether a PEP 508 marker (the part after `;`) holds in `env`. A marker this reader cannot parse is
 * taken to hold: counting a package too many is safer than leaving one out of a size prediction.
 */
export function markerHolds(marker: string, env: MarkerEnvironment): boolean {
  try {
    return new Parser(tokenize(marker), env).parse()
  } catch {
    return true
  }
}
