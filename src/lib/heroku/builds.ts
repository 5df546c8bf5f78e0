import type {HerokuApi} from './client.js'
import type * as Heroku from '@heroku-cli/schema'
import {getBlob} from '../slug/blob-client.js'
import {formatBytes} from '../util/bytes.js'
import {UserError} from '../util/errors.js'
import {api} from './errors.js'

/** How many builds are listed to find the newest (the API caps a page at 1000; a few are plenty). */
const BUILD_WINDOW = 20
/** A build log is text; anything this large is not one worth holding in memory. */
export const MAX_BUILD_LOG_BYTES = 50 * 1000 * 1000
const MAX_REDIRECTS = 5

const UUID = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i

/** Newest builds first, at most `max` of them. */
export async function listBuilds(heroku: HerokuApi, app: string, max = BUILD_WINDOW): Promise<Heroku.Build[]> {
  return api(
    heroku.get<Heroku.Build[]>(`/apps/${encodeURIComponent(app)}/builds`, {
      headers: {Range: `created_at ..; order=desc, max=${max}`},
      partial: true,
    }),
    `the builds of ${app}`,
  )
}

export async function getBuild(heroku: HerokuApi, app: string, id: string): Promise<Heroku.Build> {
  return api(heroku.get<Heroku.Build>(`/apps/${encodeURIComponent(app)}/builds/${encodeURIComponent(id)}`), `build ${id} of ${app}`)
}

export function buildTime(build: Heroku.Build): number {
  return Date.parse(build.created_at)
}

/** The newest build by creation time (the API's order is not relied on). */
export function latestBuild(builds: Heroku.Build[]): Heroku.Build | undefined {
  let newest: Heroku.Build | undefined
  for (const build of builds) {
    if (!newest || buildTime(build) > buildTime(newest)) newest = build
  }

  return newest
}

/** `--build latest` or `--build <id>`: the build whose log to read. Refuses a build that is still running. */
export async function resolveBuild(heroku: HerokuApi, app: string, choice: string): Promise<Heroku.Build> {
  let build: Heroku.Build | undefined
  if (choice === 'latest') {
    build = latestBuild(await listBuilds(heroku, app))
    if (!build) throw new UserError(`${app} has no builds yet: push to it first, or inspect the repo with slug:inspect --dir.`)
  } else if (UUID.test(choice)) {
    build = await getBuild(heroku, app, choice)
  } else {
    throw new UserError(`--build takes a build id (a UUID, as listed by heroku builds --app ${app}) or "latest", not "${choice}".`)
  }

  if (build.status === 'pending') {
    throw new UserError(`Build ${build.id} of ${app} is still running: run the command again when it has finished.`)
  }

  if (!build.output_stream_url) throw new UserError(`Build ${build.id} of ${app} has no output log.`)
  return build
}

function expiredLog(status: number): UserError {
  const advice = 'Push again, or save the output of git push and pass it with --log FILE.'
  return new UserError(`The build log has expired or is gone (HTTP ${status}): Heroku keeps build output for a limited time. ${advice}`)
}

/**
 * The whole text of a build's output. `output_stream_url` is a signed URL that carries its own
 * authorization: it is fetched like a slug's blob (src/lib/slug/blob-client.ts, HTTPS_PROXY included)
 * and no Heroku token is ever sent to it.
 */
export async function fetchBuildOutput(url: string, options: {maxBytes?: number} = {}): Promise<string> {
  const maxBytes = options.maxBytes ?? MAX_BUILD_LOG_BYTES
  let target = url
  for (let redirects = 0; ; redirects++) {
    const result = await getText(target, maxBytes)
    if ('text' in result) return result.text
    if (redirects >= MAX_REDIRECTS) throw new UserError('The build log URL redirected too many times.')
    target = new URL(result.location, target).toString()
  }
}

async function getText(url: string, maxBytes: number): Promise<{location: string} | {text: string}> {
  const chunks: Buffer[] = []
  let length = 0
  let location: string | undefined
  try {
    await getBlob(
      url,
      {
        onBody(chunk) {
          if (location !== undefined) return
          length += chunk.length
          if (length > maxBytes) throw new UserError(`The build log is larger than ${formatBytes(maxBytes)}: that is not a log slug:inspect can read.`)
          chunks.push(Buffer.from(chunk))
        },
        onHead(status, headers) {
          if ([301, 302, 303, 307, 308].includes(status) && headers.get('location')) {
            location = headers.get('location')
            return
          }

          if (status !== 200) throw [403, 404, 410].includes(status) ? expiredLog(status) : new UserError(`Fetching the build log failed with HTTP ${status}.`)
        },
      },
      // The client drops a connection silent for 60 s: the output stream of a stuck build.
      {headers: {Accept: 'text/plain'}},
    )
  } catch (error) {
    if (error instanceof UserError) throw error
    const {code, message} = error as NodeJS.ErrnoException
    throw new UserError(`Cannot fetch the build log (${code ?? message}).`)
  }

  return location === undefined ? {text: Buffer.concat(chunks).toString('utf8')} : {location}
}
