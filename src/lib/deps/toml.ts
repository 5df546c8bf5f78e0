/**
 * Just enough TOML to read dependency declarations (pyproject.toml, uv.lock, poetry.lock): tables,
 * arrays of tables, `key = value` with strings, arrays, inline tables and plain scalars (kept as text).
 * Not a validating parser: what it cannot read it skips.
 */
export type TomlValue = string | TomlValue[] | {[key: string]: TomlValue}

export interface TomlTable {
  /** dotted header name: `project`, `tool.poetry.dependencies`, `package` (for `[[package]]`) */
  name: string
  /** true for an `[[array.of.tables]]` element */
  array: boolean
  values: Record<string, TomlValue>
}

class Reader {
  pos = 0

  constructor(readonly text: string) {}

  skipSpace(newlines: boolean): void {
    for (;;) {
      const c = this.text[this.pos]
      if (c === ' ' || c === '\t' || c === '\r' || (newlines && c === '\n')) this.pos++
      else if (newlines && c === '#') this.skipLine()
      else return
    }
  }

  skipLine(): void {
    const end = this.text.indexOf('\n', this.pos)
    this.pos = end === -1 ? this.text.length : end + 1
  }

  value(): TomlValue {
    const c = this.text[this.pos]
    if (c === '"' || c === "'") return this.string()
    if (c === '[') return this.array()
    if (c === '{') return this.inlineTable()
    const m = /^[^,\]}\n#]*/.exec(this.text.slice(this.pos))!
    this.pos += m[0].length
    return m[0].trim()
  }

  key(): string {
    const parts: string[] = []
    for (;;) {
      this.skipSpace(false)
      const c = this.text[this.pos]
      if (c === '"' || c === "'") {
        parts.push(this.string())
      } else {
        const m = /^[\w-]+/.exec(this.text.slice(this.pos))
        if (!m) break
        parts.push(m[0])
        this.pos += m[0].length
      }

      this.skipSpace(false)
      if (this.text[this.pos] !== '.') break
      this.pos++
    }

    return parts.join('.')
  }

  private string(): string {
    const quote = this.text[this.pos]
    const triple = this.text.startsWith(quote.repeat(3), this.pos)
    const delimiter = triple ? quote.repeat(3) : quote
    this.pos += delimiter.length
    let out = ''
    while (this.pos < this.text.length && !this.text.startsWith(delimiter, this.pos)) {
      const c = this.text[this.pos]
      if (c === '\\' && quote === '"') {
        const next = this.text[this.pos + 1]
        out += ({'"': '"', '\\': '\\', n: '\n', t: '\t'} as Record<string, string>)[next] ?? next
        this.pos += 2
      } else {
        out += c
        this.pos++
      }
    }

    this.pos += delimiter.length
    return triple ? out.replace(/^\n/, '') : out
  }

  private array(): TomlValue[] {
    this.pos++
    const out: TomlValue[] = []
    for (;;) {
      this.skipSpace(true)
      if (this.pos >= this.text.length) return out
      if (this.text[this.pos] === ']') {
        this.pos++
        return out
      }

      out.push(this.value())
      this.skipSpace(true)
      if (this.text[this.pos] === ',') this.pos++
    }
  }

  private inlineTable(): Record<string, TomlValue> {
    this.pos++
    const out: Record<string, TomlValue> = {}
    for (;;) {
      this.skipSpace(true)
      if (this.pos >= this.text.length) return out
      if (this.text[this.pos] === '}') {
        this.pos++
        return out
      }

      const key = this.key()
      this.skipSpace(false)
      if (this.text[this.pos] !== '=') return out
      this.pos++
      this.skipSpace(false)
      out[key] = this.value()
      this.skipSpace(true)
      if (this.text[this.pos] === ',') this.pos++
    }
  }
}

/** The tables of a TOML document, in order; keys before any header belong to a table named ''. */
export function readTomlTables(text: string): TomlTable[] {
  const reader = new Reader(text)
  let current: TomlTable = {array: false, name: '', values: {}}
  const tables: TomlTable[] = [current]
  while (reader.pos < text.length) {
    reader.skipSpace(true)
    if (reader.pos >= text.length) break
    const header = /^\[(\[)?\s*([^\]\n]+?)\s*\]\]?/.exec(text.slice(reader.pos, text.includes('\n', reader.pos) ? text.indexOf('\n', reader.pos) : undefined))
    if (header) {
      current = {array: header[1] !== undefined, name: header[2].replaceAll(/\s*\.\s*/g, '.').replaceAll(/["']/g, ''), values: {}}
      tables.push(current)
      reader.skipLine()
      continue
    }

    const key = reader.key()
    reader.skipSpace(false)
    if (key === '' || text[reader.pos] !== '=') {
      reader.skipLine()
      continue
    }

    reader.pos++
    reader.skipSpace(false)
    current.values[key] = reader.value()
    reader.skipSpace(false)
    if (text[reader.pos] === '#' || text[reader.pos] === '\n') reader.skipLine()
  }

  return tables
}
