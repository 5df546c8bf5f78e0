import type {ReleaseSize, SlugGrowth, SlugRelease} from './report.js'

/** A release as the history reads it: the fields of a Platform API release that say which slug it ran. */
export interface ReleaseRecord {
  version?: number
  status?: string
  current?: boolean
  slug?: null | {id?: string}
}

/**
 * The releases whose slugs make an app's history, oldest first: succeeded releases with a slug (a failed or pending
 * release ran nothing; a config change reuses the slug before it), none newer than the current release.
 */
export function slugReleases(releases: readonly ReleaseRecord[]): SlugRelease[] {
  const current = releases.find(r => r.current && r.status === 'succeeded')?.version
  const ran: SlugRelease[] = []
  for (const r of releases) {
    const slugId = r.slug?.id
    if (r.status !== 'succeeded' || !slugId || typeof r.version !== 'number') continue
    if (current !== undefined && r.version > current) continue
    ran.push({slugId, version: r.version})
  }

  return ran.sort((a, b) => a.version - b.version)
}

/** Growth over a history (oldest first), or undefined when no release's size is known. */
export function slugGrowth(releases: readonly ReleaseSize[]): SlugGrowth | undefined {
  if (releases.length === 0) return undefined
  let biggestJump: SlugGrowth['biggestJump']
  for (let i = 1; i < releases.length; i++) {
    const bytes = releases[i].size - releases[i - 1].size
    if (bytes > 0 && bytes > (biggestJump?.bytes ?? 0)) biggestJump = {bytes, version: releases[i].version}
  }

  const growth = releases.at(-1)!.size - releases[0].size
  const steps = releases.length - 1
  return {
    ...(biggestJump ? {biggestJump} : {}),
    growth,
    perRelease: steps === 0 ? 0 : Math.round(growth / steps),
    releases: [...releases],
  }
}
