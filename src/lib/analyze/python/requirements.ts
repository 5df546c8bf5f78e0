import {normalizePythonName} from './dist-info.js'

/**
 * A pip requirements file, line by line, keeping everything slug:diet needs to rewrite it without losing
 * what the user wrote: line numbers, specifiers, extras, markers, hashes, options and comments.
 * Syntax: https://pip.pypa.io/en/stable/reference/requirements-file-format/
 */
/**
 * requirement: `name[extras] specifier ; marker` (or `name @ url`); include: `-r other.txt` / `-c c.txt`;
 * option: any other option line (`--extra-index-url URL`, `-i URL`, `-e path`...); url: a bare URL or
 * path with no name (`./wheels/x.whl`, `git+https://...`); invalid: a line pip would reject.
 */
export type RequirementKind = 'blank' | 'comment' | 'include' | 'invalid' | 'option' | 'requirement' | 'url'

export interface RequirementLine {
  kind: RequirementKind
  /** 1-based number of the first physical line */
  line: number
  /** 1-based number of the last physical line (after `\` continuations) */
  endLine: number
  /** the physical lines as written, joined with '\n' */
  text: string
  /** the name as written */
  name?: string
  /** PEP 503 normalized name: lowercase, runs of `-_.` as `-` */
  normalizedName?: string
  extras?: string[]
  /** version specifier as written without spaces, e.g. `==2.16.1` or `>=1.0,<2` */
  specifier?: string
  /** the exact version when pinned with `==` or `===` (no wildcard) */
  pinned?: string
  /** environment marker after `;` */
  marker?: string
  /** `name @ URL` or a bare URL/path */
  url?: string
  /** `--hash=...` values on the line */
  hashes?: string[]
  /** for `option` and `include`: the option as written (`--extra-index-url`), and its value */
  option?: string
  value?: string
  /** trailing comment, without `#` */
  comment?: string
}

// The one PEP 503 normalisation lives in analyze/python/dist-info.ts; this module keeps exporting it under its own name.

const NAME = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[([^\]]*)\])?\s*(.*)$/s
const INCLUDE_OPTIONS = new Set(['--constraint', '--requirement', '-c', '-r'])

/** Splits `text # comment` the way pip does: `#` at the start or after whitespace starts a comment. */
function splitComment(logical: string): {body: string; comment?: string} {
  const m = /(^|\s)#(.*)$/s.exec(logical)
  if (!m) return {body: logical}
  return {body: logical.slice(0, m.index), comment: m[2].trim()}
}

function parseOption(body: string, line: Omit<RequirementLine, 'kind'>): RequirementLine {
  const m = /^(--?[A-Za-z-]+)(?:\s*=\s*|\s+)?(.*)$/s.exec(body)!
  const option = m[1]
  const value = m[2].trim() || undefined
  return {...line, kind: INCLUDE_OPTIONS.has(option) ? 'include' : 'option', option, value}
}

function parseRequirement(body: string, line: Omit<RequirementLine, 'kind'>): RequirementLine {
  const hashes: string[] = []
  let rest = body.replaceAll(/\s--hash[=\s]\s*(\S+)/g, (_, hash: string) => {
    hashes.push(hash)
    return ''
  })
  // Other per-requirement options (--config-settings, --global-option) stay in `text`; they do not name a package.
  rest = rest.replaceAll(/\s--?[A-Za-z][\w-]*(?:[=\s]\S+)?/g, '').trim()
  const withHashes = hashes.length > 0 ? {hashes} : {}

  if (/^(?:[a-z+]+:\/\/|git\+|hg\+|svn\+|bzr\+|\.{0,2}\/|[^\s@;]+\.(?:whl|tar\.gz|zip)$)/i.test(rest)) {
    const egg = /#egg=([A-Za-z0-9._-]+)/.exec(rest)
    const named = egg ? {name: egg[1], normalizedName: normalizePythonName(egg[1])} : {}
    return {...line, ...withHashes, ...named, kind: 'url', url: rest}
  }

  const m = NAME.exec(rest)
  if (!m) return {...line, kind: 'invalid'}
  const [, name, extrasText, tail] = m
  const result: RequirementLine = {...line, ...withHashes, kind: 'requirement', name, normalizedName: normalizePythonName(name)}
  if (extrasText !== undefined) result.extras = extrasText.split(',').map(e => e.trim()).filter(Boolean)
  let spec = tail
  const semicolon = spec.indexOf(';')
  if (semicolon !== -1) {
    result.marker = spec.slice(semicolon + 1).trim()
    spec = spec.slice(0, semicolon)
  }

  spec = spec.trim()
  if (spec.startsWith('@')) {
    result.url = spec.slice(1).trim()
    return result
  }

  if (spec !== '') {
    const specifier = spec.replaceAll(/\s+/g, '').replace(/^\((.*)\)$/, '$1')
    if (!/^(?:(?:===|==|!=|~=|>=|<=|>|<)[^,<>=!~]+)(?:,(?:===|==|!=|~=|>=|<=|>|<)[^,<>=!~]+)*$/.test(specifier)) return {...line, kind: 'invalid'}
    result.specifier = specifier
    const pin = /^===?([^,*]+)$/.exec(specifier)
    if (pin) result.pinned = pin[1]
  }

  return result
}

export function parseRequirements(text: string): RequirementLine[] {
  const physical = text.replace(/\n$/, '').split('\n').map(l => l.replace(/\r$/, ''))
  const out: RequirementLine[] = []
  for (let i = 0; i < physical.length; i++) {
    const start = i
    let logical = physical[i]
    // A backslash at the end joins the next line (pip does this before anything else).
    while (logical.endsWith('\\') && i + 1 < physical.length) {
      i++
      logical = `${logical.slice(0, -1)} ${physical[i]}`
    }

    const base = {endLine: i + 1, line: start + 1, text: physical.slice(start, i + 1).join('\n')}
    const {body: rawBody, comment} = splitComment(logical)
    const body = rawBody.trim()
    const withComment = comment === undefined ? base : {...base, comment}
    if (body === '') {
      out.push({...withComment, kind: comment === undefined ? 'blank' : 'comment'})
    } else if (body.startsWith('-')) {
      out.push(parseOption(body, withComment))
    } else {
      out.push(parseRequirement(` ${body}`, withComment))
    }
  }

  return out
}

