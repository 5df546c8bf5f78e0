/** Small path helpers for slug paths (POSIX, relative to /app, no trailing slash). */

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}

export function dirName(path: string): string {
  const i = path.lastIndexOf('/')
  return i === -1 ? '' : path.slice(0, i)
}

/** Lowercase extension with its dot ('.h5'), '' when the name has none. */
export function extensionOf(path: string): string {
  const name = baseName(path)
  const i = name.lastIndexOf('.')
  return i <= 0 ? '' : name.slice(i).toLowerCase()
}

/** A `site-packages/` (or Debian's `dist-packages/`) folder anywhere in a path: where pip installs. */
export const SITE_PACKAGES = /(?:^|\/)(?:site|dist)-packages\//

/*
 * Where Heroku's Python buildpack installs, in a slug (/app/.heroku/python/lib/pythonX.Y/site-packages):
 * the one place that spells it, as a path to build and as the patterns that read it back.
 */

/** The Python buildpack's site-packages in a slug, for its `python3.12`-style folder name (no trailing slash). */
export function buildpackSitePackages(pythonFolder: string): string {
  return `.heroku/python/lib/${pythonFolder}/site-packages`
}

const PYTHON_LIB = '.heroku/python/lib/python'
const SITE_FOLDER = 'site-packages/'

/**
 * Where the path below the Python buildpack's site-packages starts (`.heroku/python/lib/pythonX.Y/site-packages/`),
 * or -1 outside it. An index, not a match: it runs on every file of a slug, and an index allocates nothing.
 */
export function buildpackSitePackagesEnd(path: string): number {
  if (!path.startsWith(PYTHON_LIB)) return -1
  const slash = path.indexOf('/', PYTHON_LIB.length)
  if (slash <= PYTHON_LIB.length || !path.startsWith(SITE_FOLDER, slash + 1)) return -1
  const below = slash + 1 + SITE_FOLDER.length
  return below < path.length ? below : -1
}

/** The Python buildpack's lib/pythonX.Y folder at the start of a slug path; group 1 is X.Y. */
export const BUILDPACK_PYTHON_LIB = /^\.heroku\/python\/lib\/python(\d+\.\d+)\//
