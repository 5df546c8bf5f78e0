import {buildOutputFolderOf} from '../knowledge/node-facts.js'
import type {Origin} from './rows.js'

/**
 * Where buildpacks write in /app. Everything else came from the pushed repo, and only that can be
 * removed with .slugignore (it is applied before the buildpack runs). Each prefix with its writer.
 */
export const BUILDPACK_PREFIXES: ReadonlyArray<{prefix: string; writer: string}> = [
  {prefix: '.heroku/', writer: 'language buildpacks (Python, Node.js, PHP runtimes and packages)'},
  {prefix: '.profile.d/', writer: 'buildpacks (dyno start-up scripts)'},
  {prefix: '.apt/', writer: 'heroku-buildpack-apt'},
  {prefix: '.jdk/', writer: 'the JVM buildpack'},
  {prefix: '.chrome-for-testing/', writer: 'heroku-buildpack-chrome-for-testing'},
  {prefix: 'vendor/', writer: 'buildpacks vendoring runtimes and gems (vendor/bundle, vendor/ruby-*)'},
]

/**
 * Who put a file in the slug. `node_modules` at any depth is installed (or re-installed) by the build, and so
 * are the folders the build's own scripts write (browser downloads, build caches: knowledge/node-facts.ts):
 * they are `buildpack` origin, build output that .slugignore cannot reach, even when the repo holds a copy.
 */
export function originOf(path: string): Origin {
  for (const {prefix} of BUILDPACK_PREFIXES) if (path.startsWith(prefix)) return 'buildpack'
  if (path.startsWith('node_modules/') || path.includes('/node_modules/')) return 'buildpack'
  if (buildOutputFolderOf(path)) return 'buildpack'
  return 'repo'
}
