import {KNOWN_PATCHES, MAX_PLAUSIBLE_PATCH, PYTHON_VERSION_RULES} from '../../knowledge/python-stack.js'

/** The Python the buildpack will install, and why. */
export interface PythonChoice {
  /** major.minor, e.g. "3.12" */
  minor: string
  /** as requested, "3.12" or "3.12.3" */
  requested: string
  /** runtime.txt, .python-version, Pipfile.lock, or the buildpack's default */
  source: string
  /** what the reader should know about the pin (a patch release newer than the plugin knows of) */
  note?: string
}

/** A version file the build would reject: the build fails before installing anything. */
export interface PythonVersionProblem {
  problem: string
}

/** The files the buildpack reads for the version, as text (undefined when absent). */
export interface VersionFiles {
  runtimeTxt?: string
  pythonVersion?: string
  pipfileLock?: string
}

/** N.N or N.N.N, integers without leading zeros, as the buildpack's PYTHON_VERSION_REGEX. */
const VERSION = /^(0|[1-9]\d*)\.(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?$/

/** Lines that are not blank or `#` comments, trimmed, as the buildpack's read_trimmed_version_lines. */
function versionLines(text: string): string[] {
  return text.split('\n').map(l => l.trim()).filter(l => l !== '' && !l.startsWith('#'))
}

function checked(requested: string, source: string): PythonChoice | PythonVersionProblem {
  const m = VERSION.exec(requested)
  if (!m) return {problem: `${source} asks for "${requested}", which the Python buildpack rejects (it wants 3.X or 3.X.Y)`}
  const major = Number(m[1])
  const minor = Number(m[2])
  if (major !== 3 || minor < PYTHON_VERSION_RULES.oldestMinor || minor > PYTHON_VERSION_RULES.newestMinor) {
    const supported = `3.${PYTHON_VERSION_RULES.oldestMinor} to 3.${PYTHON_VERSION_RULES.newestMinor}`
    return {problem: `${source} asks for Python ${major}.${minor}, which the Python buildpack does not support (${supported})`}
  }

  const choice: PythonChoice = {minor: `${major}.${minor}`, requested, source}
  if (m[3] === undefined) return choice
  const patch = Number(m[3])
  const newest = KNOWN_PATCHES.newest.get(choice.minor)
  if (patch > MAX_PLAUSIBLE_PATCH) {
    const known = `the newest ${choice.minor} known here is ${choice.minor}.${newest}`
    return {problem: `${source} asks for Python ${requested}, which is no CPython release (${known}), so the buildpack cannot download it`}
  }

  if (newest !== undefined && patch > newest) {
    const known = `${choice.minor}.${newest}, ${KNOWN_PATCHES.source}`
    choice.note = `${source} pins Python ${requested}, newer than the newest ${choice.minor} release known here (${known}): the build fails if CPython has not released it.`
  }

  return choice
}

/**
 * The Python version a build of the repo would use, by the buildpack's precedence: runtime.txt
 * (`python-3.X[.Y]`), then .python-version (one version line), then Pipfile.lock's
 * `_meta.requires.python_full_version` / `python_version`, else the buildpack's default. (A rebuilt app
 * with none of them keeps the minor version of its first build; a prediction before the first push cannot
 * know that.)
 */
export function choosePython(files: VersionFiles): PythonChoice | PythonVersionProblem {
  if (files.runtimeTxt !== undefined) {
    const lines = versionLines(files.runtimeTxt)
    const m = lines.length === 1 ? /^python-(.+)$/.exec(lines[0]) : null
    if (!m) return {problem: 'runtime.txt is not of the form python-3.X, which the Python buildpack rejects'}
    return checked(m[1], 'runtime.txt')
  }

  if (files.pythonVersion !== undefined) {
    const lines = versionLines(files.pythonVersion)
    if (lines.length !== 1) return {problem: `.python-version holds ${lines.length} versions, and the Python buildpack wants exactly one`}
    return checked(lines[0], '.python-version')
  }

  if (files.pipfileLock !== undefined) {
    let requires: {python_full_version?: unknown; python_version?: unknown} | undefined
    try {
      requires = (JSON.parse(files.pipfileLock) as {_meta?: {requires?: typeof requires}})?._meta?.requires
    } catch {
      return {problem: 'Pipfile.lock is not valid JSON, which the Python buildpack rejects'}
    }

    const version = requires?.python_full_version ?? requires?.python_version
    if (typeof version === 'string') return checked(version, 'Pipfile.lock')
  }

  return {minor: PYTHON_VERSION_RULES.defaultVersion, requested: PYTHON_VERSION_RULES.defaultFullVersion, source: "the Python buildpack's default"}
}

export function isProblem(choice: PythonChoice | PythonVersionProblem): choice is PythonVersionProblem {
  return 'problem' in choice
}
