import type {HerokuApi} from '../heroku/client.js'
import type * as Heroku from '@heroku-cli/schema'

import {type AppInfo, resolveSlug, slugSha256} from '../heroku/slugs.js'
import type {ReportSource} from '../analyze/report.js'
import {cachedScan} from './cached-scan.js'
import {appSlugKey, type ScanCache} from '../scan/cache/store.js'
import {type DownloadOptions, scanSlugUrl} from './slug-reader.js'
import type {ScanResult} from '../scan/entries.js'
import {UserError} from '../shared/errors.js'

export interface AppSlugChoice {
  app: string
  /** the app's record when the caller already fetched it */
  appInfo?: AppInfo
  release?: number
  slugId?: string
}

export interface ScannedSlug {
  scan: ScanResult
  source: ReportSource
  /** the app's newest releases, newest first, when they were listed to find the current one */
  releases?: Heroku.Release[]
}

/**
 * Finds the app's slug (current release, a given release, or a slug id) and streams it through the
 * scanner, checking the download against the checksum Heroku recorded.
 */
export interface AppSlugOptions extends DownloadOptions {
  /** scans of slugs read before: an app's slug is known by its id and checksum */
  cache?: ScanCache
}

export async function scanAppSlug(heroku: HerokuApi, choice: AppSlugChoice, options: AppSlugOptions = {}): Promise<ScannedSlug> {
  const {release, releases, slug} = await resolveSlug(heroku, choice.app, choice)
  const url = slug.blob?.url
  if (!url || !slug.id) throw new UserError(`Slug ${slug.id ?? choice.slugId} of ${choice.app} has no download URL.`)
  const slugId = slug.id
  const sha256 = slugSha256(slug)
  // --save needs the bytes, so it always downloads; without a checksum the slug cannot be told apart.
  const key = sha256 && options.savePath === undefined ? appSlugKey(slugId, sha256) : undefined
  const scan = await cachedScan(options.cache, key, {contentHashes: Boolean(options.scan?.contentHashes)}, () => scanSlugUrl(
    {
      // Pre-signed URLs expire; a fresh slug lookup signs a new one.
      async refreshUrl() {
        const fresh = await resolveSlug(heroku, choice.app, {slugId})
        if (!fresh.slug.blob?.url) throw new UserError(`Slug ${slugId} has no download URL.`)
        return fresh.slug.blob.url
      },
      sha256,
      size: slug.size ?? undefined,
      url,
    },
    options,
  ))
  return {
    releases,
    scan,
    source: {
      app: choice.app,
      commit: slug.commit ?? undefined,
      release: release?.version,
      slugId: slug.id,
      stack: slug.stack?.name,
    },
  }
}
