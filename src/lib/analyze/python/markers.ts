import {compare, satisfies, valid} from '@renovatebot/pep440'

/**
 * PEP 508 environment markers (`python_version < "3.11" and extra == "gpu"`), evaluated for a Heroku dyno.
 * There is no maintained JavaScript implementation, so this is a small recursive-descent reader over a
 * linear tokenizer. Three-valued: undefined when the marker names something not known here or does not
 * parse, and callers treat undefined as "it may apply" (a dependency is kept when in doubt).
 * Grammar: https://packaging.python.org/en/latest/specifications/dependency-specifiers/#grammar
 */

export interface MarkerEnvironment {
  /** the extras of the distribution whose Requires-Dist this is, that the build installs (normalized) */
  extras: ReadonlySet<string>
  /** `3.12` or `3.12.4`, when the slug says which Python it runs */
  pythonVersion?: string
}

/** What a classic Heroku dyno reports (Linux x86_64, CPython). */
const DYNO: Readonly<Record<string, string>> = {
  implementation_name: 'cpython',
  os_name: 'posix',
  platform_machine: 'x86_64',
  platform_python_implementation: 'CPython',
  platform_system: 'Linux',
  sys_platform: 'linux',
}

const VERSION_VARIABLES = new Set(['implementation_version', 'python_full_version', 'python_version'])
const OPERATORS = ['===', '==', '!=', '<=', '>=', '~=', '<', '>']

type Token = {kind: 'name' | 'op' | 'paren' | 'string'; text: string}

function tokenize(marker: string): Token[] | undefined {
  const tokens: Token[] = []
  let i = 0
  while (i < marker.length) {
    const c = marker[i]
    if (c === ' ' || c === '\t') {
      i++
      continue
    }

    if (c === '(' || c === ')') {
      tokens.push({kind: 'paren', text: c})
      i++
    } else if (c === '"' || c === "'") {
      const end = marker.indexOf(c, i + 1)
      if (end === -1) return undefined
      tokens.push({kind: 'string', text: marker.slice(i + 1, end)})
      i = end + 1
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1
      while (j < marker.length && /[\w.]/.test(marker[j])) j++
      tokens.push({kind: 'name', text: marker.slice(i, j)})
      i = j
    } else {
      const op = OPERATORS.find(o => marker.startsWith(o, i))
      if (!op) return undefined
      tokens.push({kind: 'op', text: op})
      i += op.length
    }
  }

  return tokens
}

type Value = boolean | undefined

const and = (a: Value, b: Value): Value => (a === false || b === false ? false : (a === undefined || b === undefined ? undefined : true))
const or = (a: Value, b: Value): Value => (a === true || b === true ? true : (a === undefined || b === undefined ? undefined : false))

function normalizeExtra(name: string): string {
  return name.trim().toLowerCase().replaceAll(/[-_.]+/g, '-')
}

class MarkerReader {
  private at = 0

  constructor(private readonly tokens: Token[], private readonly env: MarkerEnvironment) {}

  /** The whole marker, or a thrown SyntaxError-like failure the caller turns into undefined. */
  read(): Value {
    const value = this.orExpression()
    if (this.at !== this.tokens.length) throw new Error('trailing tokens')
    return value
  }

  private compare(left: Token, op: string, right: Token): Value {
    // one side is a variable, the other a literal; PEP 508 allows either order
    const variable = left.kind === 'name' ? left.text : right.text
    const literal = left.kind === 'name' ? right.text : left.text
    const variableOnLeft = left.kind === 'name'
    if (variable === 'extra') {
      if (op !== '==' && op !== '!=') return undefined
      const has = this.env.extras.has(normalizeExtra(literal))
      return op === '==' ? has : !has
    }

    const value = VERSION_VARIABLES.has(variable) ? this.version(variable) : DYNO[variable]
    if (value === undefined) return undefined
    const [a, b] = variableOnLeft ? [value, literal] : [literal, value]
    if (op === 'in') return b.includes(a)
    if (op === 'not in') return !b.includes(a)
    if (VERSION_VARIABLES.has(variable)) return versionCompare(a, op, b)
    if (op === '==' || op === '===') return a === b
    if (op === '!=') return a !== b
    return undefined
  }

  private expression(): Value {
    const token = this.next()
    if (token.kind === 'paren' && token.text === '(') {
      const value = this.orExpression()
      const close = this.next()
      if (close.text !== ')') throw new Error('unbalanced parentheses')
      return value
    }

    let op = this.next()
    let opText = op.text
    if (op.kind === 'name' && op.text === 'not') {
      op = this.next()
      opText = 'not in'
    } else if (op.kind === 'name' && op.text === 'in') {
      opText = 'in'
    } else if (op.kind !== 'op') {
      throw new Error('operator expected')
    }

    const right = this.next()
    const kinds = new Set([right.kind, token.kind])
    if (!kinds.has('name') || !kinds.has('string')) throw new Error('variable and string expected')
    return this.compare(token, opText, right)
  }

  private andExpression(): Value {
    let value = this.expression()
    while (this.peek('and')) {
      this.at++
      value = and(value, this.expression())
    }

    return value
  }

  private orExpression(): Value {
    let value = this.andExpression()
    while (this.peek('or')) {
      this.at++
      value = or(value, this.andExpression())
    }

    return value
  }

  private next(): Token {
    const token = this.tokens[this.at++]
    if (!token) throw new Error('unexpected end')
    return token
  }

  private peek(word: string): boolean {
    const token = this.tokens[this.at]
    return token?.kind === 'name' && token.text === word
  }

  private version(variable: string): string | undefined {
    const full = this.env.pythonVersion
    if (!full) return undefined
    if (variable === 'python_version') return full.split('.').slice(0, 2).join('.')
    // a two-part version is not the full one: 3.12 says nothing about 3.12.4
    return full.split('.').length >= 3 ? full : undefined
  }
}

const ORDERS: Readonly<Record<string, (order: number) => boolean>> = {
  '!=': o => o !== 0,
  '<': o => o < 0,
  '<=': o => o <= 0,
  '==': o => o === 0,
  '>': o => o > 0,
  '>=': o => o >= 0,
}

function versionCompare(a: string, op: string, b: string): Value {
  if (!valid(a) || !valid(b)) return undefined
  if (op === '~=' || op === '===') return satisfies(a, `${op}${b}`)
  return ORDERS[op]?.(compare(a, b))
}

/**
 * Whether a PEP 508 marker holds on a dyno for a distribution installed with `env.extras`: true, false,
 * or undefined when it cannot tell (an unknown variable, a Python version not known, a marker it cannot read).
 */
export function evaluateMarker(marker: string, env: MarkerEnvironment): boolean | undefined {
  const tokens = tokenize(marker)
  if (!tokens || tokens.length === 0) return undefined
  try {
    return new MarkerReader(tokens, env).read()
  } catch {
    return undefined
  }
}
