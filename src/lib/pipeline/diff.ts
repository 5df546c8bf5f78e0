import type {HerokuApi} from '../heroku/client.js'

import {type AppSlugOptions, scanAppSlug, type ScannedSlug} from '../source/app-slug.js'
import {cachedScan, localSlugKey} from '../source/cached-scan.js'
import type {ScanCache} from '../scan/cache/store.js'
import {scanSlugPath, slugPathName} from '../source/slug-stream.js'
import {UserError} from '../shared/errors.js'
import type {ReleasePair} from '../source/release-pair.js'

/** A diff tells rewritten files of the same size by their contents' CRC-32. */
const DIFF_SCAN = {contentHashes: true}

async function scanFile(file: string, cache?: ScanCache): Promise<ScannedSlug> {
  const scan = await cachedScan(cache, await localSlugKey(file), DIFF_SCAN, () => scanSlugPath(file, {scan: DIFF_SCAN}))
  return {scan, source: {file: slugPathName(file)}}
}

/** Scans two local slug files (or FIFOs, or one of them `-` for stdin) at the same time. */
export async function scanFilePair(from: string, to: string, cache?: ScanCache): Promise<[ScannedSlug, ScannedSlug]> {
  if (from === '-' && to === '-') throw new UserError('Only one of the two slugs can come from stdin (--file -): give the other as a file.')
  return Promise.all([scanFile(from, cache), scanFile(to, cache)])
}

/**
 * Streams the slugs of two releases at the same time, each in one pass, each checked against its
 * checksum. Two releases that share a slug download it once.
 */
export async function scanReleasePair(heroku: HerokuApi, app: string, pair: ReleasePair, options: AppSlugOptions = {}): Promise<[ScannedSlug, ScannedSlug]> {
  const scanRelease = async (slugId: string) => scanAppSlug(heroku, {app, slugId}, {...options, scan: {...options.scan, ...DIFF_SCAN}})
  const fromId = pair.from.slug!.id!
  const toId = pair.to.slug!.id!
  const [from, to] = fromId === toId
    ? await scanRelease(toId).then(s => [s, s])
    : await Promise.all([scanRelease(fromId), scanRelease(toId)])
  return [
    {scan: from.scan, source: {...from.source, release: pair.from.version}},
    {scan: to.scan, source: {...to.source, release: pair.to.version}},
  ]
}
