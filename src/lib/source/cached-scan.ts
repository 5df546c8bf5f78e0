import {isStreamPath} from './slug-stream.js'
import type {ScanResult} from '../scan/entries.js'
import type {ScanFeatures} from '../scan/cache/format.js'
import {localFileKey, type ScanCache} from '../scan/cache/store.js'

/**
 * The scan for `key` from the cache, or `scan()` stored for next time. No cache or no key (a stream, a
 * download kept with --save, which needs the bytes) means a scan.
 */
export async function cachedScan(cache: ScanCache | undefined, key: string | undefined, features: ScanFeatures, scan: () => Promise<ScanResult>): Promise<ScanResult> {
  if (!cache || key === undefined) return scan()
  const hit = await cache.get(key, features)
  if (hit) return hit
  const result = await scan()
  await cache.put(key, result, features)
  return result
}

/** The cache key of a local slug, or undefined for a stream (stdin, a FIFO), which can be read once only. */
export async function localSlugKey(path: string): Promise<string | undefined> {
  if (await isStreamPath(path)) return undefined
  try {
    return await localFileKey(path)
  } catch {
    // An unreadable file is the scan's to report, in its own words: no key, so it is scanned.
  }
}
