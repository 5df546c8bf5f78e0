import {createHash, randomUUID} from 'node:crypto'
import http, {type IncomingHttpHeaders, type IncomingMessage, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

import {sendBytes} from '../helpers/blob-server.js'

/** One request the fake saw: enough to assert what the real CLI and the plugin sent. */
export interface RecordedRequest {
  method: string
  /** path without the query string */
  path: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
  body: string
}

export interface FakeRelease {
  version: number
  status: 'failed' | 'pending' | 'succeeded'
  current: boolean
  slugId?: string
  description?: string
}

export interface FakeSlug {
  id: string
  /** the gzip tar Heroku would store */
  blob: Buffer
  /** the size the API reports, when the test does not serve the blob (default: the blob's length) */
  size?: number
  commit?: string
  stack?: string
  processTypes?: Record<string, string>
}

export interface FakeBuild {
  id: string
  status: 'failed' | 'pending' | 'succeeded'
  createdAt: string
  /** what the build's output_stream_url serves */
  output: string
  slugId?: string
}

export interface FakeApp {
  name: string
  stack?: string
  /** Heroku's `build_stack`; `container` for Docker apps */
  buildStack?: string
  /** `fir` for Cloud Native Buildpacks apps (returned with the 3.sdk variant) */
  generation?: 'cedar' | 'fir'
  releases?: FakeRelease[]
  slugs?: FakeSlug[]
  builds?: FakeBuild[]
  configVars?: Record<string, string>
  addons?: {name: string; service: string; configVars: string[]}[]
  /** the team that owns it (listed by GET /teams/{team}/apps); none: a personal app (GET /users/~/apps) */
  team?: string
  /** the user may list the app but not read it: its releases and slugs answer 403 */
  forbidden?: boolean
}

type Handler = (req: RecordedRequest, res: ServerResponse, params: string[]) => void

interface Route {
  method: string
  pattern: RegExp
  handler: Handler
}

/** `version ..; order=desc, max=50` -> {field, order, max}; undefined when there is no Range header. */
export function parseRange(header: string | undefined): undefined | {field: string; order: 'asc' | 'desc'; max: number} {
  if (!header) return undefined
  const m = /^\s*(\w+)\s+([^;]*)(?:;\s*(.*))?$/.exec(header)
  if (!m) return undefined
  const options = new Map((m[3] ?? '').split(',').map(p => p.trim().split('=') as [string, string]))
  return {field: m[1], max: Number(options.get('max') ?? 200), order: options.get('order') === 'desc' ? 'desc' : 'asc'}
}

/**
 * A stand-in for the Heroku Platform API on 127.0.0.1, serving exactly what the plugin's commands call,
 * plus the pre-signed slug blobs and build output streams (which, like S3 URLs, must get no token).
 * Every request is recorded. Other suites add routes with `route()`.
 */
export class FakeHeroku {
  readonly requests: RecordedRequest[] = []
  readonly apps = new Map<string, FakeApp>()
  /** PATCH bodies of config vars, per app, in order */
  readonly configPatches: {app: string; body: Record<string, null | string>}[] = []
  private readonly routes: Route[] = []
  /** the most items one page holds, whatever the Range asks (Heroku's is 1,000): a smaller one makes many pages */
  private readonly pageSize: number
  private readonly server = http.createServer(this.handle.bind(this))
  private base = ''

  constructor(options: {pageSize?: number} = {}) {
    this.pageSize = options.pageSize ?? 1000
    this.route('GET', /^\/apps$/, (req, res) => this.appList(req, res, () => true))
    this.route('GET', /^\/teams\/([^/]+)\/apps$/, (req, res, [team]) => this.appList(req, res, app => app.team === team))
    this.route('GET', /^\/users\/~\/apps$/, (req, res) => this.appList(req, res, app => app.team === undefined))
    this.route('GET', /^\/apps\/([^/]+)$/, (_req, res, [name]) => {
      const app = this.app(name, res)
      if (app) json(res, 200, this.appJson(app))
    })
    this.route('GET', /^\/apps\/([^/]+)\/releases$/, (req, res, [name]) => {
      const app = this.readable(name, res)
      if (!app) return
      const releases = (app.releases ?? []).map(r => this.releaseJson(app, r))
      paged(req, res, releases, r => r.version as number)
    })
    this.route('GET', /^\/apps\/([^/]+)\/releases\/(\d+)$/, (_req, res, [name, version]) => {
      const app = this.app(name, res)
      const release = app?.releases?.find(r => r.version === Number(version))
      if (app && release) json(res, 200, this.releaseJson(app, release))
      else if (app) notFound(res, 'Couldn\'t find that release.')
    })
    this.route('GET', /^\/apps\/([^/]+)\/slugs\/([^/]+)$/, (_req, res, [name, id]) => {
      const app = this.readable(name, res)
      const slug = app?.slugs?.find(s => s.id === id)
      if (app && slug) json(res, 200, this.slugJson(slug))
      else if (app) notFound(res, 'Couldn\'t find that slug.')
    })
    this.route('GET', /^\/blobs\/([^/]+)$/, (req, res, [id]) => this.blob(req, res, id))
    this.route('GET', /^\/apps\/([^/]+)\/builds$/, (req, res, [name]) => {
      const app = this.app(name, res)
      if (app) paged(req, res, (app.builds ?? []).map(b => this.buildJson(app, b)), b => Date.parse(b.created_at as string))
    })
    this.route('GET', /^\/apps\/([^/]+)\/builds\/([^/]+)$/, (_req, res, [name, id]) => {
      const app = this.app(name, res)
      const build = app?.builds?.find(b => b.id === id)
      if (app && build) json(res, 200, this.buildJson(app, build))
      else if (app) notFound(res, 'Couldn\'t find that build.')
    })
    this.route('GET', /^\/streams\/([^/]+)$/, (_req, res, [id]) => {
      const build = [...this.apps.values()].flatMap(a => a.builds ?? []).find(b => b.id === id)
      if (!build) return notFound(res, 'no such stream')
      res.writeHead(200, {'content-type': 'text/plain'})
      res.end(build.output)
    })
    this.route('GET', /^\/apps\/([^/]+)\/config-vars$/, (_req, res, [name]) => {
      const app = this.app(name, res)
      if (app) json(res, 200, app.configVars ?? {})
    })
    this.route('PATCH', /^\/apps\/([^/]+)\/config-vars$/, (req, res, [name]) => {
      const app = this.app(name, res)
      if (!app) return
      const body = JSON.parse(req.body || '{}') as Record<string, null | string>
      this.configPatches.push({app: name, body})
      const vars = {...app.configVars}
      for (const [key, value] of Object.entries(body)) {
        if (value === null) delete vars[key]
        else vars[key] = value
      }

      app.configVars = vars
      json(res, 200, vars)
    })
    this.route('GET', /^\/apps\/([^/]+)\/addons$/, (_req, res, [name]) => {
      const app = this.app(name, res)
      if (!app) return
      json(res, 200, (app.addons ?? []).map(a => ({
        addon_service: {id: randomUUID(), name: a.service},
        app: {id: appId(app.name), name: app.name},
        config_vars: a.configVars,
        id: randomUUID(),
        name: a.name,
        state: 'provisioned',
      })))
    })
  }

  get url(): string {
    return this.base
  }

  /** Extension point: serve another endpoint (checked before the built-in routes). */
  route(method: string, pattern: RegExp, handler: Handler): void {
    this.routes.unshift({handler, method, pattern})
  }

  addApp(app: FakeApp): FakeApp {
    this.apps.set(app.name, app)
    return app
  }

  async start(): Promise<string> {
    await new Promise<void>(resolve => {
      this.server.listen(0, '127.0.0.1', () => resolve())
    })
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
    return this.base
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>(resolve => {
      this.server.close(() => resolve())
    })
  }

  /** Requests whose path matches, e.g. requestsTo('GET', /\/releases$/). */
  requestsTo(method: string, path: RegExp): RecordedRequest[] {
    return this.requests.filter(r => r.method === method && path.test(r.path))
  }

  clear(): void {
    this.requests.length = 0
    this.configPatches.length = 0
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', this.base)
      const recorded: RecordedRequest = {
        body: Buffer.concat(chunks).toString('utf8'),
        headers: req.headers,
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
      }
      this.requests.push(recorded)
      for (const route of this.routes) {
        const m = route.method === recorded.method ? route.pattern.exec(recorded.path) : null
        if (m) {
          route.handler(recorded, res, m.slice(1).map(p => decodeURIComponent(p)))
          return
        }
      }

      notFound(res, `The fake API does not serve ${recorded.method} ${recorded.path}.`)
    })
  }

  private app(name: string, res: ServerResponse): FakeApp | undefined {
    const app = this.apps.get(name)
    if (!app) notFound(res, 'Couldn\'t find that app.')
    return app
  }

  /** An app whose insides (releases, slugs) the user may read: a forbidden one answers 403, as Heroku does. */
  private readable(name: string, res: ServerResponse): FakeApp | undefined {
    const app = this.app(name, res)
    if (app?.forbidden) {
      json(res, 403, {id: 'forbidden', message: `You do not have access to the app ${name}.`})
      return undefined
    }

    return app
  }

  /** An app list, paged by name as Heroku pages it: `Range: name ..; max=N`, then `name ]LAST..; max=N` from Next-Range. */
  private appList(req: RecordedRequest, res: ServerResponse, include: (app: FakeApp) => boolean): void {
    const apps = [...this.apps.values()].filter(a => include(a)).sort((a, b) => (a.name < b.name ? -1 : Number(a.name > b.name)))
    const range = parseRange(req.headers.range as string | undefined)
    const after = /^\s*name\s+\](\S+)\.\./.exec((req.headers.range as string | undefined) ?? '')?.[1]
    const rest = after === undefined ? apps : apps.filter(a => a.name > after)
    const max = Math.min(range?.max ?? 200, this.pageSize)
    const page = rest.slice(0, max)
    const headers: Record<string, string> = {}
    if (page.length > 0) headers['content-range'] = `name ${page[0].name}..${page.at(-1)!.name}`
    if (rest.length > page.length) headers['next-range'] = `name ]${page.at(-1)!.name}..; max=${range?.max ?? 200}`
    json(res, rest.length > page.length ? 206 : 200, page.map(a => this.appJson(a)), headers)
  }

  private appJson(app: FakeApp): Record<string, unknown> {
    const stack = {id: randomUUID(), name: app.stack ?? 'heroku-24'}
    return {
      build_stack: app.buildStack ? {id: randomUUID(), name: app.buildStack} : stack,
      generation: {id: randomUUID(), name: app.generation ?? 'cedar'},
      id: appId(app.name),
      name: app.name,
      slug_size: this.currentSlug(app) ?? null,
      stack: app.buildStack === 'container' ? {id: randomUUID(), name: 'container'} : stack,
      team: app.team ? {id: randomUUID(), name: app.team} : null,
    }
  }

  /** The size of the slug the app runs: its current release's, else its first slug's (an app made without releases). */
  private currentSlug(app: FakeApp): number | undefined {
    const current = app.releases?.find(r => r.current && r.status === 'succeeded')?.slugId
    const slug = app.slugs?.find(s => s.id === current) ?? (current === undefined ? app.slugs?.[0] : undefined)
    return slug && slugSize(slug)
  }

  private releaseJson(app: FakeApp, r: FakeRelease): Record<string, unknown> {
    return {
      app: {id: appId(app.name), name: app.name},
      created_at: new Date(Date.UTC(2026, 0, 1) + (r.version * 3_600_000)).toISOString(),
      current: r.current,
      description: r.description ?? `Deploy v${r.version}`,
      id: randomUUID(),
      slug: r.slugId ? {id: r.slugId} : null,
      status: r.status,
      version: r.version,
    }
  }

  private slugJson(slug: FakeSlug): Record<string, unknown> {
    return {
      blob: {method: 'get', url: `${this.base}/blobs/${slug.id}?X-Amz-Expires=600&X-Amz-Signature=fake-signature`},
      buildpack_provided_description: 'Python',
      checksum: `SHA256:${createHash('sha256').update(slug.blob).digest('hex')}`,
      commit: slug.commit ?? null,
      id: slug.id,
      process_types: slug.processTypes ?? {web: 'gunicorn app:app'},
      size: slugSize(slug),
      stack: {id: randomUUID(), name: slug.stack ?? 'heroku-24'},
    }
  }

  private buildJson(app: FakeApp, b: FakeBuild): Record<string, unknown> {
    return {
      app: {id: appId(app.name)},
      created_at: b.createdAt,
      id: b.id,
      output_stream_url: `${this.base}/streams/${b.id}`,
      slug: b.slugId ? {id: b.slugId} : null,
      status: b.status,
    }
  }

  /** A pre-signed S3 GET: honours `Range: bytes=N-` (the scanner resumes with it). */
  private blob(req: RecordedRequest, res: ServerResponse, id: string): void {
    const slug = [...this.apps.values()].flatMap(a => a.slugs ?? []).find(s => s.id === id)
    if (!slug) {
      res.writeHead(404, {'content-type': 'application/xml'})
      res.end('<Error><Code>NoSuchKey</Code></Error>')
      return
    }

    sendBytes(slug.blob)(req, res)
  }
}

function slugSize(slug: FakeSlug): number {
  return slug.size ?? slug.blob.length
}

function appId(name: string): string {
  const h = createHash('sha256').update(name).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, {'content-type': 'application/json', ...headers})
  res.end(JSON.stringify(body))
}

function notFound(res: ServerResponse, message: string): void {
  json(res, 404, {id: 'not_found', message})
}

/**
 * A list endpoint with Heroku's Range paging: `Range: version ..; order=desc, max=N` gives the first N
 * in that order, `206 Partial Content`, `Content-Range` and, when more remain, `Next-Range`.
 */
function paged(req: RecordedRequest, res: ServerResponse, items: Record<string, unknown>[], key: (item: Record<string, unknown>) => number): void {
  const range = parseRange(req.headers.range as string | undefined)
  const sorted = [...items].sort((a, b) => key(a) - key(b))
  if (range?.order === 'desc') sorted.reverse()
  const max = Math.min(range?.max ?? 200, 1000)
  const page = sorted.slice(0, max)
  const field = range?.field ?? 'id'
  const headers: Record<string, string> = {}
  if (page.length > 0) {
    const first = page[0][field] ?? key(page[0])
    const last = page.at(-1)![field] ?? key(page.at(-1)!)
    headers['content-range'] = `${field} ${first}..${last}`
    if (sorted.length > page.length) headers['next-range'] = `${field} ]${last}..; order=${range?.order ?? 'asc'}, max=${max}`
  }

  json(res, sorted.length > page.length ? 206 : 200, page, headers)
}
