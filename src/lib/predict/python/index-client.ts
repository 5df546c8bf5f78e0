import {stat} from 'node:fs/promises'
import {fileURLToPath} from 'node:url'

import {Agent, type Dispatcher, Pool, ProxyAgent, request} from 'undici'

import {wheelSize} from '../../analyze/python/lock-files.js'
import {mapLimit} from '../../shared/map-limit.js'
import {type PackageIndex, redactUrl} from './indexes.js'

/** Connect, first byte and idle waits: an index that stops answering costs seconds, not minutes. */
export interface IndexTimeouts {
  connectMs: number
  headersMs: number
  bodyMs: number
}

const TIMEOUTS: IndexTimeouts = {bodyMs: 15_000, connectMs: 5000, headersMs: 10_000}
/** index pages are a few kB to a few MB (a project with thousands of files) */
const MAX_PAGE_BYTES = 64 * 1024 * 1024
const CONCURRENCY = 8
const SIMPLE_JSON = 'application/vnd.pypi.simple.v1+json'

/**
 * The proxy pip takes to `url`, as requests (under pip) reads the environment: `<scheme>_proxy`, else
 * `all_proxy`, the lowercase name before the uppercase one; none for a host `no_proxy` names (`*`, or an
 * entry the host, or host:port, ends with). undefined: a direct connection.
 */
export function pipProxy(url: URL, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const read = (name: string): string | undefined => env[name] || env[name.toUpperCase()] || undefined
  const noProxy = (read('no_proxy') ?? '').replaceAll(' ', '').split(',').filter(Boolean)
  const host = url.hostname.replace(/^\[(.*)]$/, '$1')
  const port = url.port || (url.protocol === 'https:' ? '443' : '80')
  if (noProxy.some(entry => entry === '*' || host.endsWith(entry.replace(/^\./, '')) || `${host}:${port}`.endsWith(entry))) return undefined
  const proxy = read(`${url.protocol.slice(0, -1)}_proxy`) ?? read('all_proxy')
  // requests reads a proxy without a scheme as http://
  return proxy === undefined || proxy.includes('://') ? proxy : `http://${proxy}`
}

export interface IndexClientOptions {
  timeouts?: IndexTimeouts
  /** where the proxy settings are read (default: process.env) */
  env?: NodeJS.ProcessEnv
  /** CA certificates to trust instead of node's bundled ones (tests: a TLS-inspecting proxy's CA) */
  ca?: Buffer | string
}

export class IndexClient {
  private readonly dispatchers = new Map<string, Dispatcher>()
  private readonly pages = new Map<string, Promise<Map<string, number | undefined> | undefined>>()
  private readonly timeouts: IndexTimeouts

  constructor(private readonly options: IndexClientOptions = {}) {
    this.timeouts = options.timeouts ?? TIMEOUTS
  }

  async close(): Promise<void> {
    await Promise.all([...this.dispatchers.values()].map(d => d.close()))
  }

  /** Why the index cannot be read (one line, no credentials), or undefined when it answers. */
  async unreachable(index: PackageIndex): Promise<string | undefined> {
    if (index.url.startsWith('file:')) {
      const info = await stat(fileURLToPath(index.url)).catch(() => {})
      return info?.isDirectory() ? undefined : `${redactUrl(index.url)} is not a folder`
    }

    try {
      const res = await request(index.url, {dispatcher: this.dispatcher(index.url), headers: {accept: `${SIMPLE_JSON}, text/html;q=0.1`}, method: 'GET'})
      await res.body.dump()
      return res.statusCode < 500 ? undefined : `${redactUrl(index.url)} answered HTTP ${res.statusCode}`
    } catch (error) {
      return `${redactUrl(index.url)} ${this.failure(index.url, error)}`
    }
  }

  /**
   * Why a project's page on an http(s) index could not be read (it timed out, the connection failed), or
   * undefined when every index answered it. pip without retries treats such a page as a project with no
   * files: without this check that reads as "no wheel".
   */
  async pageUnreachable(indexes: PackageIndex[], project: string): Promise<string | undefined> {
    for (const index of indexes.filter(i => /^https?:/.test(i.url))) {
      const url = `${index.url}${project}/`
      try {
        const res = await request(url, {dispatcher: this.dispatcher(url), headers: {accept: `${SIMPLE_JSON}, text/html;q=0.1`}, method: 'GET'})
        await res.body.dump()
      } catch (error) {
        return `the page of ${project} on ${redactUrl(index.url)} ${this.failure(url, error)}`
      }
    }

    return undefined
  }

  /**
   * The size of each wheel (by URL), without downloading it: the PEP 700 `size` of its file in the JSON
   * simple API of an index that lists it, else a HEAD request's Content-Length, else (a file:// URL) a stat.
   * undefined when none of them tells.
   */
  async wheelSizes(wheels: Array<{project: string; url: string}>, indexes: PackageIndex[]): Promise<Array<number | undefined>> {
    return mapLimit(wheels, CONCURRENCY, async ({project, url}) => {
      const filename = decodeURIComponent(url.slice(url.lastIndexOf('/') + 1).split('#')[0])
      for (const index of indexes) {
        const page = await this.projectFiles(index, project)
        const size = page?.get(filename)
        if (size !== undefined) return size
      }

      return this.contentLength(url)
    })
  }

  private projectFiles(index: PackageIndex, project: string): Promise<Map<string, number | undefined> | undefined> {
    const key = `${index.url}${project}/`
    let page = this.pages.get(key)
    if (!page) {
      page = this.readProjectPage(key)
      this.pages.set(key, page)
    }

    return page
  }

  /** The connection pip would make to `url`: direct, or through the proxy it reads from the environment. */
  private dispatcher(url: string): Dispatcher {
    const proxy = pipProxy(new URL(url), this.options.env)
    const key = proxy ?? ''
    let dispatcher = this.dispatchers.get(key)
    if (!dispatcher) {
      const {bodyMs, connectMs, headersMs} = this.timeouts
      const tls = {timeout: connectMs, ...(this.options.ca ? {ca: this.options.ca} : {})}
      const bounds = {bodyTimeout: bodyMs, headersTimeout: headersMs}
      dispatcher = proxy
        // The proxy's own answer to CONNECT is bounded too: undici's default pool waits 300 s for it.
        ? new ProxyAgent({...bounds, clientFactory: (origin, options) => new Pool(origin, {...options, ...bounds}), proxyTls: tls, requestTls: tls, uri: proxy})
        : new Agent({...bounds, connect: tls})
      this.dispatchers.set(key, dispatcher)
    }

    return dispatcher
  }

  /** What went wrong reaching `url`, in a few words naming the proxy taken (without its credentials). */
  private failure(url: string, error: unknown): string {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message
    const proxy = pipProxy(new URL(url), this.options.env)
    const through = proxy ? ` through the proxy ${redactUrl(proxy)}` : ''
    return `${code.includes('TIMEOUT') ? 'timed out' : 'did not answer'}${through} (${code})`
  }

  /** A project's files with their PEP 700 sizes, from the JSON simple API; undefined when the index serves no JSON. */
  private async readProjectPage(url: string): Promise<Map<string, number | undefined> | undefined> {
    if (!/^https?:/.test(url)) return undefined
    try {
      const res = await request(url, {dispatcher: this.dispatcher(url), headers: {accept: SIMPLE_JSON}, method: 'GET'})
      const type = String(res.headers['content-type'] ?? '')
      if (res.statusCode !== 200 || !type.startsWith(SIMPLE_JSON)) {
        await res.body.dump()
        return undefined
      }

      const length = Number(res.headers['content-length'] ?? 0)
      if (length > MAX_PAGE_BYTES) {
        await res.body.dump()
        return undefined
      }

      const page = (await res.body.json()) as {files?: Array<{filename?: unknown; size?: unknown}>}
      const files = new Map<string, number | undefined>()
      for (const f of page.files ?? []) {
        if (typeof f.filename === 'string') files.set(f.filename, wheelSize(f.size))
      }

      return files
    } catch {
      return undefined
    }
  }

  private async contentLength(url: string): Promise<number | undefined> {
    if (url.startsWith('file:')) return (await stat(fileURLToPath(url)).catch(() => {}))?.size
    try {
      const res = await request(url, {dispatcher: this.dispatcher(url), method: 'HEAD'})
      await res.body.dump()
      const length = Number(res.headers['content-length'])
      return res.statusCode === 200 && length > 0 ? wheelSize(length) : undefined
    } catch {
      return undefined
    }
  }
}
