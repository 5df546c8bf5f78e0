/**
 * The two files of a Python `*.dist-info` folder the package index reads: RECORD (which files a
 * distribution installed) and METADATA (its name, version and `Requires-Dist`). One parser for both, used
 * for a slug's captured files and for a local site-packages alike.
 * Formats: https://packaging.python.org/en/latest/specifications/recording-installed-packages/ and
 * https://packaging.python.org/en/latest/specifications/core-metadata/
 */

/** PEP 503 normalized project name: `Foo_Bar.baz` -> `foo-bar-baz`. */
export function normalizePythonName(name: string): string {
  return name.trim().toLowerCase().replaceAll(/[-_.]+/g, '-')
}

/** Name and version from a `*.dist-info` / `*.egg-info` folder name (`foo_bar-1.2.3`, `foo-1.0-py3.12`). */
export function parseDistFolder(stem: string): {name: string; version?: string} {
  const dash = stem.indexOf('-')
  if (dash === -1) return {name: normalizePythonName(stem)}
  const version = stem.slice(dash + 1).replace(/-py\d[\d.]*$/, '')
  return {name: normalizePythonName(stem.slice(0, dash)), version: version || undefined}
}

/** A project name at the start of a requirement (`foo[extra]>=1; python_version<"3.13"`). */
export const PROJECT_NAME = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/

/** First CSV field of each RECORD line (paths with commas are quoted, quotes doubled). */
export function recordPaths(text: string): string[] {
  const paths: string[] = []
  for (const line of text.split('\n')) {
    if (line.length === 0) continue
    if (line[0] === '"') {
      let path = ''
      let i = 1
      while (i < line.length) {
        const c = line[i]
        if (c === '"' && line[i + 1] === '"') {
          path += '"'
          i += 2
        } else if (c === '"') {
          break
        } else {
          path += c
          i++
        }
      }

      paths.push(path)
    } else {
      const comma = line.indexOf(',')
      const path = (comma === -1 ? line : line.slice(0, comma)).trimEnd()
      // a CRLF file's blank last line
      if (path !== '') paths.push(path)
    }
  }

  return paths
}

/** One `Requires-Dist` entry: `tensorflow<2.19,>=2.18`, `keras[backend]>=3; extra == "all"`. */
export interface DistRequirement {
  /** PEP 503 normalized */
  name: string
  /** extras of the dependency it asks for, normalized */
  extras: string[]
  /** the PEP 508 environment marker after `;`, as written */
  marker?: string
  /** set when the marker makes it part of one of our extras (`extra == "test"`), normalized */
  forExtra?: string
}

/** A `Requires-Dist` value, or undefined when it names no project. */
export function parseRequiresDist(value: string): DistRequirement | undefined {
  const name = PROJECT_NAME.exec(value)?.[1]
  if (!name) return undefined
  const semicolon = value.indexOf(';')
  const head = semicolon === -1 ? value : value.slice(0, semicolon)
  const open = head.indexOf('[')
  const close = open === -1 ? -1 : head.indexOf(']', open)
  const requirement: DistRequirement = {
    extras: close === -1 ? [] : head.slice(open + 1, close).split(',').map(e => normalizePythonName(e)).filter(Boolean),
    name: normalizePythonName(name),
  }
  const marker = semicolon === -1 ? '' : value.slice(semicolon + 1).trim()
  if (marker) {
    requirement.marker = marker
    const extra = /\bextra\s*==\s*["']([^"']+)["']/.exec(marker)
    if (extra) requirement.forExtra = normalizePythonName(extra[1])
  }

  return requirement
}

export interface Metadata {
  /** PEP 503 normalized */
  name?: string
  version?: string
  /** every `Requires-Dist`, extras and markers kept */
  dependencies: DistRequirement[]
  /** the names of the dependencies that are not behind an extra (normalized) */
  requires: string[]
}

/**
 * `Name:`, `Version:` and `Requires-Dist:` from the header block of a METADATA / PKG-INFO file (an email
 * header: one `Field: value` per line, up to the first blank line). Field names compare as written by
 * the packaging tools (`Requires-Dist`), the first `Name`/`Version` wins.
 */
export function parseMetadata(text: string | undefined): Metadata {
  const metadata: Metadata = {dependencies: [], requires: []}
  if (!text) return metadata
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    if (line === '') break
    const colon = line.indexOf(':')
    if (colon <= 0 || line[0] === ' ' || line[0] === '\t') continue
    const field = line.slice(0, colon)
    const value = line.slice(colon + 1).trim()
    if (value === '') continue
    switch (field) {
    case 'Name': {
      metadata.name ??= normalizePythonName(value)
      break
    }

    case 'Requires-Dist': {
      const requirement = parseRequiresDist(value)
      if (!requirement) continue
      metadata.dependencies.push(requirement)
      if (!/\bextra\s*==/.test(value)) metadata.requires.push(requirement.name)
      break
    }

    case 'Version': {
      metadata.version ??= value
      break
    }
    }
  }

  return metadata
}
