import type {HerokuApi} from './client.js'
import type * as Heroku from '@heroku-cli/schema'

import {UserError} from '../shared/errors.js'
import {aList, anObject, api} from './errors.js'

/** The app fields slug:inspect reads; `generation` only comes with the 3.sdk variant. */
export interface AppInfo extends Heroku.App {
  generation?: string | {name?: string}
}

/** The API variant that adds `generation` to an app. */
export const SDK_ACCEPT = 'application/vnd.heroku+json; version=3.sdk'
/** How many releases are looked at to find the current one (it is nearly always among the newest). */
const RELEASE_WINDOW = 50

export async function getApp(heroku: HerokuApi, app: string): Promise<AppInfo> {
  const path = `/apps/${encodeURIComponent(app)}`
  return api(heroku.get<AppInfo>(path, {headers: {Accept: SDK_ACCEPT}}), `app ${app}`, anObject(path, 'an app'))
}

export function appGeneration(app: AppInfo): string | undefined {
  return typeof app.generation === 'string' ? app.generation : app.generation?.name
}

/** The kinds of app that run an image, never a slug: container (Docker) apps and Fir (Cloud Native Buildpacks) apps. */
export type ImageKind = 'container' | 'fir'

/** Which kind of image an app runs instead of a slug, or undefined when it runs slugs. */
export function imageKind(app: AppInfo): ImageKind | undefined {
  if ((app.build_stack?.name ?? app.stack?.name) === 'container') return 'container'
  if (appGeneration(app) === 'fir') return 'fir'
  return undefined
}

/** Why an app has no slug to inspect, or undefined when it should have one. */
export function noSlugReason(app: AppInfo): string | undefined {
  const name = app.name ?? 'The app'
  switch (imageKind(app)) {
  case 'container': {
    return `${name} uses the container stack: it runs a Docker image, which has no slug and no slug limit. Inspect the image with docker instead.`
  }

  case 'fir': {
    return `${name} is a Fir-generation app: it is built with Cloud Native Buildpacks into an OCI image, which has no slug. Use slug:inspect --dir on the repo to see what it ships.`
  }

  default: {
    return undefined
  }
  }
}

/** Newest releases first, at most `max` of them. */
export async function listReleases(heroku: HerokuApi, app: string, max = RELEASE_WINDOW): Promise<Heroku.Release[]> {
  const path = `/apps/${encodeURIComponent(app)}/releases`
  return api(
    heroku.get<Heroku.Release[]>(path, {headers: {Range: `version ..; order=desc, max=${max}`}, partial: true}),
    `the releases of ${app}`,
    aList(path, 'a release list'),
  )
}

/**
 * The release the app is running: `current: true` and succeeded. The newest release is not it when
 * a newer one is pending or failed.
 */
export function currentRelease(releases: Heroku.Release[]): Heroku.Release | undefined {
  return releases.find(r => r.current && r.status === 'succeeded') ?? undefined
}

export async function getRelease(heroku: HerokuApi, app: string, version: number): Promise<Heroku.Release> {
  const path = `/apps/${encodeURIComponent(app)}/releases/${version}`
  return api(heroku.get<Heroku.Release>(path), `release v${version} of ${app}`, anObject(path, 'a release'))
}

export async function getSlug(heroku: HerokuApi, app: string, slugId: string): Promise<Heroku.Slug> {
  const path = `/apps/${encodeURIComponent(app)}/slugs/${encodeURIComponent(slugId)}`
  return api(heroku.get<Heroku.Slug>(path), `slug ${slugId}`, anObject(path, 'a slug'))
}

/** "v42" or "42" -> 42; `what` names the flag or argument in the error. */
export function parseReleaseVersion(text: string, what = '--release'): number {
  const m = /^v?(\d+)$/i.exec(text.trim())
  if (!m) throw new UserError(`${what} takes a release number such as 42 or v42, not "${text}".`)
  return Number(m[1])
}

/** "SHA256:abc..." -> "abc..." (lower case); undefined when Heroku did not record one. */
export function slugSha256(slug: Heroku.Slug): string | undefined {
  const m = /^sha256:([0-9a-f]{64})$/i.exec(slug.checksum ?? '')
  return m ? m[1].toLowerCase() : undefined
}

export interface ResolvedSlug {
  slug: Heroku.Slug
  release?: Heroku.Release
  /** the newest releases, newest first, when they were listed to find the current one */
  releases?: Heroku.Release[]
}

/**
 * Finds the slug to inspect: an explicit slug id, a release number, or the current release.
 * Every "there is nothing to inspect" case is a UserError that says why and what to do.
 */
export async function resolveSlug(
  heroku: HerokuApi,
  appName: string,
  choice: {appInfo?: AppInfo; release?: number; slugId?: string},
): Promise<ResolvedSlug> {
  if (choice.slugId) return {slug: await getSlug(heroku, appName, choice.slugId)}

  const app = choice.appInfo ?? await getApp(heroku, appName)
  const reason = noSlugReason(app)
  if (reason) throw new UserError(reason)

  let release: Heroku.Release | undefined
  let releases: Heroku.Release[] | undefined
  if (choice.release === undefined) {
    releases = await listReleases(heroku, appName)
    release = currentRelease(releases)
    if (!release) {
      throw new UserError(releases.length === 0
        ? `${appName} has no releases yet: deploy it first, or inspect the repo with slug:inspect --dir.`
        : `${appName} has no current successful release. Inspect a build log with slug:inspect --build, or the repo with --dir.`)
    }
  } else {
    release = await getRelease(heroku, appName, choice.release)
  }

  const slugId = release.slug?.id
  if (!slugId) {
    throw new UserError(`Release v${release.version} of ${appName} has no slug (config or add-on change only on an app that was never built, or a Docker release).`)
  }

  return {release, releases, slug: await getSlug(heroku, appName, slugId)}
}
