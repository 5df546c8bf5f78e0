/** A release as the history reads it: the fields of a Platform API release that say which slug it ran. */
export interface ReleaseRecord {
  version?: number
  status?: string
  current?: boolean
  slug?: null | {id?: string}
}

/** A release that ran a slug: its version and slug id, before the slug's size is known. */
export interface SlugRelease {
  version: number
  slugId: string
}

/** A release in a slug's history, with its slug's compressed size. */
export interface ReleaseSize extends SlugRelease {
  size: number
}

/** How an app's slug changed over its recent releases. */
export interface SlugGrowth {
  /** the releases measured, oldest first: each succeeded release with a slug, up to the current one */
  releases: ReleaseSize[]
  /** compressed bytes the slug grew from the first of them to the last (negative when it shrank) */
  growth: number
  /** that growth over the releases between the first and the last (0 with a single release) */
  perRelease: number
  /** the release whose slug grew the most over the one before it; absent when none grew */
  biggestJump?: {version: number; bytes: number}
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
