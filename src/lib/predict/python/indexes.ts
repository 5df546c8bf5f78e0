import type {RequirementLine} from '../../analyze/python/requirements.js'

export const PYPI_SIMPLE = 'https://pypi.org/simple/'

/** A package index pip will look in, and who configured it. */
export interface PackageIndex {
  url: string
  /** e.g. "pip config global.index-url", "PIP_EXTRA_INDEX_URL", "requirements.txt line 1", "pip's default" */
  origin: string
  primary: boolean
}

/** A URL as it may be shown: user and password (an index token) replaced, never printed. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.username === '' && parsed.password === '') return url
    parsed.username = '***'
    parsed.password = ''
    return parsed.toString()
  } catch {
    return '(an index URL that is not a URL)'
  }
}

/** A simple-index base always ends with '/': project pages are `${base}${name}/`. */
const withSlash = (url: string): string => (url.endsWith('/') ? url : `${url}/`)
const words = (value: string): string[] => value.split(/\s+/).filter(Boolean)

/**
 * `pip config list` prints `scope.key='value'`, the value as a Python literal: index-url and
 * extra-index-url from every file pip reads and from PIP_* variables (scope `:env:`).
 */
export function parsePipConfigList(text: string): Array<{key: string; origin: string; value: string}> {
  const out: Array<{key: string; origin: string; value: string}> = []
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=')
    if (eq === -1) continue
    const name = line.slice(0, eq)
    const key = name.slice(name.lastIndexOf('.') + 1)
    if (key !== 'index-url' && key !== 'extra-index-url') continue
    let value = line.slice(eq + 1).trim()
    if ((value.startsWith("'") && value.endsWith("'")) || (value.startsWith('"') && value.endsWith('"'))) value = value.slice(1, -1)
    out.push({key, origin: name.startsWith(':env:') ? `PIP_${key.toUpperCase().replaceAll('-', '_')}` : `pip config ${name}`, value: value.replaceAll(String.raw`\n`, ' ')})
  }

  return out
}

/**
 * The indexes a build's pip would read, as far as this machine can tell: requirements files'
 * `--index-url`/`--extra-index-url` lines, then pip's configuration and PIP_* variables, then PyPI.
 * The first index-url found is the primary one (pip replaces PyPI with it); extra ones add to it.
 */
export function configuredIndexes(pipConfig: ReturnType<typeof parsePipConfigList>, requirements: Array<{file: string; lines: RequirementLine[]}>): PackageIndex[] {
  const indexes: PackageIndex[] = []
  const add = (url: string, origin: string, primary: boolean): void => {
    const base = withSlash(url)
    if (!indexes.some(i => i.url === base)) indexes.push({origin, primary, url: base})
  }

  const primaries: Array<{origin: string; url: string}> = []
  const extras: Array<{origin: string; url: string}> = []
  for (const {file, lines} of requirements) {
    for (const line of lines) {
      if (line.kind !== 'option' || !line.value) continue
      const origin = `${file} line ${line.line}`
      if (line.option === '--index-url' || line.option === '-i') primaries.push({origin, url: line.value})
      else if (line.option === '--extra-index-url') extras.push({origin, url: line.value})
    }
  }

  for (const entry of pipConfig) {
    for (const url of words(entry.value)) (entry.key === 'index-url' ? primaries : extras).push({origin: entry.origin, url})
  }

  const primary = primaries[0] ?? {origin: "pip's default", url: PYPI_SIMPLE}
  add(primary.url, primary.origin, true)
  for (const e of extras) add(e.url, e.origin, false)
  return indexes
}
