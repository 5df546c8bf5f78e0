import {Flags} from '@oclif/core'
import {join} from 'node:path'

import {DEFAULT_CONNECTIONS} from '../source/slug-reader.js'
import {cacheLimitFromEnv, ScanCache} from '../scan/cache/store.js'

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

/** The scan cache under the CLI's cache folder (oclif's config.cacheDir), unless --no-cache. */
export function scanCacheFor(cacheDir: string, enabled: boolean): ScanCache | undefined {
  return enabled ? new ScanCache(join(cacheDir, 'scans'), cacheLimitFromEnv()) : undefined
}
