import {Flags} from '@oclif/core'
import {join} from 'node:path'

import {parseReleaseVersion} from '../heroku/slugs.js'
import type {EvidenceChoice} from '../pipeline/evidence.js'
import {cacheLimitFromEnv, ScanCache} from '../scan/cache/store.js'
import {DEFAULT_CONNECTIONS} from '../source/slug-reader.js'

/** `--[no-]cache` and `--connections`, for every command that reads a slug. */
export const slugReadingFlags = {
  cache: Flags.boolean({
    allowNo: true,
    default: true,
    description: 'reuse the scan of a slug read before, kept in the CLI\'s cache folder (--no-cache reads the slug again; HEROKU_SLUG_DIET_CACHE_SIZE bounds it, default 1GB, 0 turns it off)',
  }),
  connections: Flags.integer({
    default: DEFAULT_CONNECTIONS,
    description: 'connections a slug download uses, each fetching consecutive byte ranges (1: one stream)',
    max: 16,
    min: 1,
  }),
}

/**
 * The plugin's folder in the CLI's cache folder (oclif's config.cacheDir, shared by every plugin): named for the
 * plugin, so a user who looks there knows what it holds and what to delete once the plugin is uninstalled.
 */
export function pluginCacheDir(cacheDir: string): string {
  return join(cacheDir, 'heroku-slug-diet')
}

/** The scan cache in the plugin's cache folder, unless --no-cache. */
export function scanCacheFor(cacheDir: string, enabled: boolean): ScanCache | undefined {
  return enabled ? new ScanCache(join(pluginCacheDir(cacheDir), 'scans'), cacheLimitFromEnv()) : undefined
}

/**
 * What to read instead of the app's current slug, for every command that reads the evidence slug:inspect does
 * (slug:inspect, slug:diet). At most one; a file or a saved log needs no app.
 */
export const evidenceFlags = {
  release: Flags.string({description: 'read the slug of this release (42 or v42) instead of the current one'}),
  slug: Flags.string({description: 'read the slug with this id', exclusive: ['release']}),
  build: Flags.string({
    description: 'read the log of this build (an id, or "latest") instead of a slug, e.g. of a push rejected as too large: what pip installed, by wheel size',
    exclusive: ['release', 'slug', 'file', 'log'],
  }),
  file: Flags.string({
    description: 'read a local slug .tgz (as saved by heroku slugs:download, or - for stdin); no app or network needed',
    exclusive: ['app', 'remote', 'release', 'slug', 'log'],
  }),
  log: Flags.string({
    description: 'read a saved build log (the output of git push heroku main, or - for stdin); no app or network needed',
    exclusive: ['app', 'remote', 'release', 'slug', 'file', 'build'],
  }),
}

/** How a repo's prediction (--dir) builds: for slug:inspect and slug:diet. */
export const predictionFlags = {
  'node-dev-dependencies': Flags.boolean({
    description: 'with a Node.js repo: predict node_modules with its devDependencies, as a build keeps them when the app sets NPM_CONFIG_PRODUCTION=false or YARN_PRODUCTION=false',
  }),
}

/** The evidence the flags name (the app only when no local file or log is named). */
export function evidenceChoice(flags: {app?: string; build?: string; file?: string; log?: string; release?: string; slug?: string}): EvidenceChoice {
  return {
    app: flags.file || flags.log ? undefined : flags.app,
    build: flags.build,
    file: flags.file,
    log: flags.log,
    release: flags.release === undefined ? undefined : parseReleaseVersion(flags.release),
    slugId: flags.slug,
  }
}
