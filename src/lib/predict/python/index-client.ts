import {stat} from 'node:fs/promises'
import {fileURLToPath} from 'node:url'

import {Agent, request} from 'undici'

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

export class IndexClient {
  private readonly agent: Agent
  private readonly pages = new Map<string, Promise<Map<string, number | undefined> | undefined>>()

  constructor(private readonly timeouts: IndexTimeouts = TIMEOUTS) {
    this.agent = new Agent({bodyTimeout: timeouts.bodyMs, connect: {timeout: timeouts.connectMs}, headersTimeout: timeouts.headersMs})
  }

  async close(): Promise<void> {
    await this.agent.close()
  }

  /** Why the index cannot be read (one line, no credentials), or undefined when it answers. */
  async unreachable(index: PackageIndex): Promise<string | undefined> {
    if (index.url.startsWith('file:')) {
      const info = await stat(fileURLToPath(index.url)).catch(() => {})
      return info?.isDirectory() ? undefined : `${redactUrl(index.url)} is not a folder`
    }

    try {
      const res = await request(index.url, {dispatcher: this.agent, headers: {accept: `${SIMPLE_JSON}, text/html;q=0.1`}, method: 'GET'})
      await res.body.dump()
      return res.statusCode < 500 ? undefined : `${redactUrl(index.url)} answered HTTP ${res.statusCode}`
    } catch (error) {
      return `${redactUrl(index.url)} did not answer (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`
    }
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

  /** A project's files with their PEP 700 sizes, from the JSON simple API; undefined when the index serves no JSON. */
  private async readProjectPage(url: string): Promise<Map<string, number | undefined> | undefined> {
    if (!/^https?:/.test(url)) return undefined
    try {
      const res = await request(url, {dispatcher: this.agent, headers: {accept: SIMPLE_JSON}, method: 'GET'})
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
      const res = await request(url, {dispatcher: this.agent, method: 'HEAD'})
      await res.body.dump()
      const length = Number(res.headers['content-length'])
      return res.statusCode === 200 && length > 0 ? wheelSize(length) : undefined
    } catch {
      return undefined
    }
  }
}
