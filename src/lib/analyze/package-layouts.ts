import {posix} from 'node:path'

/*
 * Where each ecosystem puts an installed package in a slug, and how its folder names read: the layouts
 * the package index (packages.ts) walks. Python's own files (RECORD, METADATA) are parsed in analyze/python/dist-info.ts.
 */

/** Language runtimes a buildpack installs, each reported as one package. */
export const RUNTIMES: ReadonlyArray<{prefix: string; name: string}> = [
  {prefix: '.heroku/python/', name: 'python'},
  {prefix: '.heroku/node/', name: 'node'},
  {prefix: '.heroku/php/', name: 'php'},
  {prefix: '.jdk/', name: 'jdk'},
]
export const RUBY_RUNTIME = /^vendor\/ruby-(\d[^/]*)\//
/** vendor/bundle/ruby/3.2.0/{gems,specifications,cache,extensions/<platform>/<abi>,bundler/gems}/NAME-VERSION */
export const GEM_PATH = /^(vendor\/bundle\/ruby\/[^/]+)\/(gems|specifications|cache|extensions\/[^/]+\/[^/]+|bundler\/gems)\/([^/]+)/
const GEM_NAME = /^(.+?)-(\d[^-]*)(?:-[^]*)?$/
export const DIST_INFO_FILE = /^(.*)\/([^/]+)\.(dist-info|egg-info)\/(RECORD|METADATA|PKG-INFO|top_level\.txt)$/

/** A RECORD path relative to /app: RECORD paths are relative to site-packages (`../../../bin/x` for scripts) or absolute. */
export function recordedPath(site: string, rel: string): string | undefined {
  if (rel === '') return undefined
  if (rel.startsWith('/')) return rel.replace(/^\/app\//, '')
  if (rel.startsWith('.') || rel.includes('/.')) return posix.join(site, rel)
  return `${site}/${rel}`
}

export function gemNameVersion(folder: string): {name: string; version?: string} {
  const stem = folder.replace(/\.(?:gemspec|gem)$/, '')
  const m = GEM_NAME.exec(stem)
  return m ? {name: m[1], version: m[2]} : {name: stem}
}

export function nodeNameVersion(text: string | undefined): {name?: string; version?: string} {
  if (!text) return {}
  try {
    const json = JSON.parse(text) as {name?: unknown; version?: unknown}
    return {
      name: typeof json.name === 'string' ? json.name : undefined,
      version: typeof json.version === 'string' ? json.version : undefined,
    }
  } catch {
    return {}
  }
}

/** Python top-level module name of a loose site-packages entry: `six.py`, `_foo.cpython-312-x86_64-linux-gnu.so`, `numpy.libs`. */
export function moduleStem(segment: string): string {
  const dot = segment.indexOf('.')
  return dot === -1 ? segment : segment.slice(0, dot)
}
