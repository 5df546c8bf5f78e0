import {dirname, join, relative} from 'node:path'
import {parse as parseToml, TomlError, type TomlTable, type TomlValue} from 'smol-toml'

import {parsePackageJson} from '../analyze/node/package-json.js'
import type {PackageRow} from '../analyze/rows.js'
import {UserError} from '../shared/errors.js'
import {FileReadError, readRegularText} from '../shared/read-file.js'
import {redactUrlCredentials} from '../shared/redact.js'
import {normalizePythonName} from '../analyze/python/dist-info.js'
import {parsePipfileLock, parseUvLock} from '../analyze/python/lock-files.js'
import {parseRequirements, type RequirementLine} from '../analyze/python/requirements.js'

/** What one file in the repo declares. */
export interface DeclaredDependencies {
  /** relative to the repo root */
  file: string
  /** pip, poetry, pipenv, uv, npm */
  manager: string
  packages: PackageRow[]
  /** extras requested per (normalized) package name, e.g. uvicorn[standard] -> {uvicorn: ['standard']} */
  extras: Record<string, string[]>
  /** what the reader should know (devDependencies pruned, options that change where packages come from) */
  notes: string[]
}

function declared(ecosystem: PackageRow['ecosystem'], name: string, version?: string): PackageRow {
  const row: PackageRow = {compressed: 0, ecosystem, evidence: 'requirement', files: 0, name, size: 0}
  if (version) row.version = version
  return row
}

/** The file's text, undefined when it does not exist; anything else unreadable is the user's to fix. */
async function readOptional(root: string, file: string): Promise<string | undefined> {
  try {
    const text = await readRegularText(join(root, file))
    if (text.includes('\0')) throw new UserError(`${file} is not a text file: it cannot be read as a dependency list.`)
    return text
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    if (error instanceof UserError && !(error instanceof FileReadError)) throw error
    throw new UserError(`Cannot read ${file}: ${(error as Error).message}`)
  }
}

/** A requirements file with its `-r` includes resolved (relative to the including file, each read once). */
export async function readRequirementsFile(root: string, file: string, seen = new Set<string>()): Promise<{lines: RequirementLine[]; file: string}[]> {
  seen.add(file)
  const text = await readOptional(root, file)
  if (text === undefined) throw new UserError(`Cannot read ${file}: it does not exist.`)
  const lines = parseRequirements(text)
  const invalid = lines.find(l => l.kind === 'invalid')
  if (invalid) throw new UserError(`${file} line ${invalid.line}: pip cannot read "${invalid.text.trim()}" as a requirement.`)
  const out = [{file, lines}]
  for (const line of lines) {
    if (line.kind !== 'include' || !line.value || !['--requirement', '-r'].includes(line.option!)) continue
    const included = relative(root, join(root, dirname(file), line.value)).split('\\').join('/')
    if (seen.has(included)) continue
    out.push(...(await readRequirementsFile(root, included, seen).catch((error: Error) => {
      throw new UserError(`${file} line ${line.line} includes ${line.value}: ${error.message}`)
    })))
  }

  return out
}

async function fromRequirements(root: string): Promise<DeclaredDependencies[]> {
  if ((await readOptional(root, 'requirements.txt')) === undefined) return []
  const out: DeclaredDependencies[] = []
  for (const {file, lines} of await readRequirementsFile(root, 'requirements.txt')) {
    const notes: string[] = []
    const packages: PackageRow[] = []
    const extras: Record<string, string[]> = {}
    for (const line of lines) {
      if ((line.kind === 'requirement' || line.kind === 'url') && line.normalizedName) {
        packages.push(declared('python', line.normalizedName, line.pinned))
        if (line.extras?.length) extras[line.normalizedName] = line.extras.map(e => normalizePythonName(e))
      } else if (line.kind === 'url') {
        // notes are printed (slug:inspect, its report): never with a password of the user's URL
        notes.push(`line ${line.line}: ${redactUrlCredentials(line.url ?? '')} is installed from a URL or path; its name is not known before it is built`)
      } else if (line.kind === 'option' && /^(?:--extra-index-url|--index-url|-i)$/.test(line.option!)) {
        notes.push(`line ${line.line}: packages may come from ${redactUrlCredentials(line.value ?? '')} (${line.option})`)
      }
    }

    out.push({extras, file, manager: 'pip', notes, packages})
  }

  return out
}

const asString = (v: TomlValue | undefined): string | undefined => (typeof v === 'string' ? v : undefined)

/** A TOML table (not an array, a date or a scalar), or undefined. */
function asTable(v: TomlValue | undefined): TomlTable | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) ? v as TomlTable : undefined
}

/** The table at a dotted path: `tool.poetry.dependencies`. */
function tableAt(doc: TomlTable, path: string[]): TomlTable | undefined {
  let table: TomlTable | undefined = doc
  for (const key of path) table = asTable(table?.[key])
  return table
}

/** A TOML 1.0 document; a malformed one is a one-line error naming where it breaks. */
function readToml(file: string, text: string): TomlTable {
  try {
    // the file is the user's: keys such as __proto__ are dropped, not set on the result
    return parseToml(text, {maxDepth: 64, unsafeKeyBehaviour: 'drop'})
  } catch (error) {
    if (!(error instanceof TomlError)) throw error
    // smol-toml's message is "Invalid TOML document: <why>" followed by a code excerpt on the next lines
    const why = error.message.split('\n')[0].replace(/^Invalid TOML document:\s*/, '').replace(/\.$/, '')
    throw new UserError(`${file} line ${error.line}, column ${error.column} is not valid TOML: ${why}.`)
  }
}

/** `numpy>=1.26` or `uvicorn[standard]; sys_platform == "linux"` from PEP 508 strings. */
function fromPep508(specs: string[]): {packages: PackageRow[]; extras: Record<string, string[]>} {
  const packages: PackageRow[] = []
  const extras: Record<string, string[]> = {}
  for (const spec of specs) {
    const [line] = parseRequirements(spec)
    if (line?.kind !== 'requirement') continue
    packages.push(declared('python', line.normalizedName!, line.pinned))
    if (line.extras?.length) extras[line.normalizedName!] = line.extras.map(e => normalizePythonName(e))
  }

  return {extras, packages}
}

async function fromPyproject(root: string): Promise<DeclaredDependencies[]> {
  const text = await readOptional(root, 'pyproject.toml')
  if (text === undefined) return []
  const doc = readToml('pyproject.toml', text)
  const out: DeclaredDependencies[] = []
  const list = tableAt(doc, ['project'])?.dependencies
  if (Array.isArray(list)) {
    const {extras, packages} = fromPep508(list.map(v => asString(v)).filter(v => v !== undefined))
    out.push({extras, file: 'pyproject.toml', manager: 'pep621', notes: [], packages})
  }

  const poetry = tableAt(doc, ['tool', 'poetry', 'dependencies'])
  if (poetry) {
    const packages: PackageRow[] = []
    const extras: Record<string, string[]> = {}
    for (const [name, value] of Object.entries(poetry)) {
      if (name === 'python') continue
      const table = asTable(value) ?? {}
      const spec = typeof value === 'string' ? value : asString(table.version)
      const pin = spec && /^(?:==)?\s*(\d[\w.+-]*)$/.exec(spec.trim())
      packages.push(declared('python', normalizePythonName(name), pin ? pin[1] : undefined))
      if (Array.isArray(table.extras)) extras[normalizePythonName(name)] = table.extras.filter(e => typeof e === 'string').map(e => normalizePythonName(e))
    }

    out.push({extras, file: 'pyproject.toml', manager: 'poetry', notes: [], packages})
  }

  return out
}

async function fromPipfileLock(root: string): Promise<DeclaredDependencies[]> {
  const text = await readOptional(root, 'Pipfile.lock')
  if (text === undefined) return []
  const lock = parsePipfileLock(text)
  const packages = Object.entries(lock.default ?? {}).map(([name, info]) =>
    declared('python', normalizePythonName(name), info.version?.replace(/^===?/, '')))
  const develop = Object.keys(lock.develop ?? {}).length
  const notes = develop > 0 ? [`${develop} "develop" packages are not installed on Heroku and are not listed`] : []
  // A lock lists every package installed, dependencies included: no extras to follow.
  return [{extras: {}, file: 'Pipfile.lock', manager: 'pipenv', notes, packages}]
}

async function fromUvLock(root: string): Promise<DeclaredDependencies[]> {
  const text = await readOptional(root, 'uv.lock')
  if (text === undefined) return []
  const packages: PackageRow[] = []
  const lock = parseUvLock(readToml('uv.lock', text))
  for (const {name, source, version} of lock.package ?? []) {
    // The project itself is in the lock as an editable or virtual source: it is the app, not a dependency.
    if (source && ('editable' in source || 'virtual' in source)) continue
    packages.push(declared('python', normalizePythonName(name), version))
  }

  return [{extras: {}, file: 'uv.lock', manager: 'uv', notes: [], packages}]
}

async function fromPackageJson(root: string): Promise<DeclaredDependencies[]> {
  const text = await readOptional(root, 'package.json')
  if (text === undefined) return []
  const pkg = parsePackageJson(text)
  const packages = Object.entries(pkg.dependencies ?? {}).map(([name, range]) => {
    const exact = /^=?v?(\d+\.\d+\.\d+[\w.+-]*)$/.exec(range.trim())
    return declared('node', name, exact ? exact[1] : undefined)
  })
  const dev = Object.keys(pkg.devDependencies ?? {}).length
  const notes = dev > 0 ? [`${dev} devDependencies are pruned by the Node.js buildpack after the build and are not listed`] : []
  return [{extras: {}, file: 'package.json', manager: 'npm', notes, packages}]
}

/**
 * The dependencies the repo at `root` declares, file by file (requirements.txt with its includes,
 * pyproject.toml, Pipfile.lock, uv.lock, package.json). Sizes are 0: a declaration says what will be
 * installed, not how big it is.
 */
export async function readDeclaredDependencies(root: string): Promise<DeclaredDependencies[]> {
  const groups = await Promise.all([fromRequirements(root), fromPyproject(root), fromPipfileLock(root), fromUvLock(root), fromPackageJson(root)])
  return groups.flat()
}
