import {execFile} from 'node:child_process'
import {readFile} from 'node:fs/promises'
import {promisify} from 'node:util'
import {Transform, Writable} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import {createGunzip} from 'node:zlib'

import type {Dispatcher} from 'undici'
import * as v from 'valibot'

import {Platforms} from '../../analyze/node/lock.js'
import {TarReader} from '../../scan/tar-reader.js'
import {writeFileAtomic} from '../../shared/atomic-write.js'
import {describeNetworkError, redirectTarget, undiciDispatcher} from '../../shared/cli-network.js'
import {mapLimit} from '../../shared/map-limit.js'
import {redactUrlCredentials} from '../../shared/redact.js'

const run = promisify(execFile)

export const NPM_REGISTRY = 'https://registry.npmjs.org/'

/** The registries the user's npm reads from: its default one and per-scope ones (`@acme:registry`). */
export interface NpmRegistries {
  url: string
  scopes: Record<string, string>
  /** how it was found, for the report ("npm config", "npm's default") */
  origin: string
}

const withSlash = (url: string): string => (url.endsWith('/') ? url : `${url}/`)

/**
 * What `npm config list --json` says in `root` (the repo's .npmrc, the user's, npm_config_* variables, in npm's
 * own order of precedence): the registry and the scoped registries. npm's default when npm cannot say.
 */
export async function configuredRegistries(root: string, env: NodeJS.ProcessEnv = process.env): Promise<NpmRegistries> {
  try {
    const {stdout} = await run('npm', ['config', 'list', '--json'], {cwd: root, env, maxBuffer: 4 * 1024 * 1024, timeout: 20_000})
    const config = JSON.parse(stdout) as Record<string, unknown>
    const scopes: Record<string, string> = {}
    for (const [key, value] of Object.entries(config)) {
      const scoped = /^(@[^:]+):registry$/.exec(key)
      if (scoped && typeof value === 'string') scopes[scoped[1]] = withSlash(value)
    }

    const url = typeof config.registry === 'string' ? withSlash(config.registry) : NPM_REGISTRY
    return {origin: 'npm config get registry', scopes, url}
  } catch {
    return {origin: "npm's default (npm config could not be read)", scopes: {}, url: NPM_REGISTRY}
  }
}

/** What the registry says of one published version, and what its tarball holds. */
export interface PackageFacts {
  /** bytes of the files the tarball unpacks to */
  unpacked?: number
  files?: number
  /** the tarball's bytes (gzip-compressed) */
  tarball?: number
  os?: string[]
  cpu?: string[]
  libc?: string[]
  /** where `unpacked` comes from: the manifest's dist.unpackedSize, or the tarball read here */
  source?: 'manifest' | 'tarball'
}

export interface FactsResult {
  facts?: PackageFacts
  /** why nothing is known (one line, no credentials) */
  error?: string
}

/** A version's manifest: the fields read (dist.unpackedSize is absent from packages published before npm 5). */
const Manifest = v.object({
  cpu: v.optional(Platforms),
  dist: v.optional(v.object({
    fileCount: v.optional(v.number()),
    tarball: v.optional(v.string()),
    unpackedSize: v.optional(v.number()),
  })),
  libc: v.optional(Platforms),
  os: v.optional(Platforms),
})

const CacheFile = v.object({
  packages: v.record(v.string(), v.object({
    cpu: v.optional(v.array(v.string())),
    files: v.optional(v.number()),
    libc: v.optional(v.array(v.string())),
    os: v.optional(v.array(v.string())),
    source: v.optional(v.picklist(['manifest', 'tarball'])),
    tarball: v.optional(v.number()),
    unpacked: v.optional(v.number()),
  })),
  version: v.literal(1),
})

/** Connect, first byte and idle waits: a registry that stops answering costs seconds, not minutes. */
export interface RegistryTimeouts {
  connectMs: number
  headersMs: number
  bodyMs: number
}

const TIMEOUTS: RegistryTimeouts = {bodyMs: 20_000, connectMs: 5000, headersMs: 15_000}
export const REGISTRY_CONCURRENCY = 8
const MAX_MANIFEST_BYTES = 8 * 1024 * 1024
/** cached entries kept at most (about 150 bytes each) */
const MAX_CACHED = 100_000

const list = (value: string | string[] | undefined): string[] | undefined => (value === undefined ? undefined : (Array.isArray(value) ? value : [value]))

/**
 * Sizes of published npm packages, from the registry the user's npm reads: a version's manifest (its
 * `dist.unpackedSize` and platform fields) and its tarball's size (a HEAD request). When the manifest has no
 * unpackedSize (old packages, some mirrors), the tarball is read as it downloads and its entries are counted,
 * never written to disk. A published version never changes, so what was learnt is kept in `cacheFile`.
 */
export class NpmRegistryClient {
  private readonly dispatchers = new Map<string, Promise<Dispatcher>>()
  private cache = new Map<string, PackageFacts>()
  private loaded = false
  private changed = false

  constructor(
    private readonly registries: NpmRegistries,
    private readonly options: {cacheFile?: string; env?: NodeJS.ProcessEnv; timeouts?: RegistryTimeouts} = {},
  ) {}

  /** The registry a package comes from: its scope's, else the default. */
  registryFor(name: string): string {
    const scope = name.startsWith('@') ? name.slice(0, name.indexOf('/')) : undefined
    return (scope && this.registries.scopes[scope]) || this.registries.url
  }

  /**
   * Facts of each `name@version`, at most REGISTRY_CONCURRENCY requests at a time. Past `deadline` (ms since the
   * epoch) no request starts: what was not asked yet is an error saying so, so a slow registry costs a bounded time.
   */
  async factsOf(packages: Array<{name: string; version: string}>, options: {deadline?: number; onEach?: (done: number) => void} = {}): Promise<FactsResult[]> {
    await this.load()
    let done = 0
    return mapLimit(packages, REGISTRY_CONCURRENCY, async ({name, version}) => {
      const late = options.deadline !== undefined && Date.now() > options.deadline
      const result = late ? this.cached(name, version) ?? {error: `${name}@${version} was not asked for: the prediction's time ran out`} : await this.facts(name, version)
      options.onEach?.(++done)
      return result
    })
  }

  async close(): Promise<void> {
    await Promise.all([...this.dispatchers.values()].map(async d => (await d).close()))
    if (!this.changed || !this.options.cacheFile) return
    const entries = [...this.cache.entries()].slice(-MAX_CACHED)
    // The cache is a convenience: a folder that cannot be written costs the next run its requests, nothing else.
    await writeFileAtomic(this.options.cacheFile, JSON.stringify({packages: Object.fromEntries(entries), version: 1})).catch(() => {})
  }

  private async load(): Promise<void> {
    if (this.loaded || !this.options.cacheFile) return
    this.loaded = true
    try {
      const parsed = v.safeParse(CacheFile, JSON.parse(await readFile(this.options.cacheFile, 'utf8')))
      if (parsed.success) this.cache = new Map(Object.entries(parsed.output.packages))
    } catch {
      // no cache yet, or an unreadable one: it is rebuilt
    }
  }

  private cached(name: string, version: string): FactsResult | undefined {
    const facts = this.cache.get(`${this.registryFor(name)} ${name}@${version}`)
    return facts ? {facts} : undefined
  }

  private async facts(name: string, version: string): Promise<FactsResult> {
    const registry = this.registryFor(name)
    const key = `${registry} ${name}@${version}`
    const cached = this.cached(name, version)
    if (cached) return cached
    const where = `${redactUrlCredentials(registry)}`
    try {
      const manifestUrl = `${registry}${name.replace('/', '%2f')}/${encodeURIComponent(version)}`
      const {body, status} = await this.get(manifestUrl, 'application/json')
      if (status === 404) return {error: `${name}@${version} is not in ${where}`}
      if (status !== 200) return {error: `${where} answered HTTP ${status} for ${name}@${version}`}
      const parsed = v.safeParse(Manifest, body)
      if (!parsed.success) return {error: `${where} sent a manifest for ${name}@${version} that is not one`}
      const manifest = parsed.output
      const facts: PackageFacts = {}
      const [os, cpu, libc] = [list(manifest.os), list(manifest.cpu), list(manifest.libc)]
      if (os) facts.os = os
      if (cpu) facts.cpu = cpu
      if (libc) facts.libc = libc
      const tarball = manifest.dist?.tarball
      if (manifest.dist?.unpackedSize !== undefined) {
        facts.unpacked = manifest.dist.unpackedSize
        facts.files = manifest.dist.fileCount
        facts.source = 'manifest'
        if (tarball) facts.tarball = await this.contentLength(tarball)
      } else if (tarball) {
        Object.assign(facts, await this.readTarball(tarball), {source: 'tarball'})
      }

      this.cache.set(key, facts)
      this.changed = true
      return {facts}
    } catch (error) {
      return {error: `${name}@${version}: ${describeNetworkError(error, where) ?? (error as Error).message}`}
    }
  }

  private dispatcher(url: string): Promise<Dispatcher> {
    const target = new URL(url)
    const key = `${target.protocol}//${target.host}`
    let dispatcher = this.dispatchers.get(key)
    if (!dispatcher) {
      dispatcher = undiciDispatcher(target, {connectTimeoutMs: this.timeouts.connectMs, env: this.options.env})
      this.dispatchers.set(key, dispatcher)
    }

    return dispatcher
  }

  private get timeouts(): RegistryTimeouts {
    return this.options.timeouts ?? TIMEOUTS
  }

  /** A request with the waits bounded; up to 3 redirects followed (to https, or to this machine). */
  private async request(url: string, method: 'GET' | 'HEAD', accept?: string) {
    const {request} = await import('undici')
    let current = url
    for (let hop = 0; ; hop++) {
      const res = await request(current, {
        bodyTimeout: this.timeouts.bodyMs,
        dispatcher: await this.dispatcher(current),
        headers: accept ? {accept} : {},
        headersTimeout: this.timeouts.headersMs,
        method,
      })
      const {location} = res.headers
      if (res.statusCode < 300 || res.statusCode >= 400 || typeof location !== 'string' || hop === 3) return res
      await res.body.dump()
      current = redirectTarget(current, location, redactUrlCredentials(new URL(current).origin)).href
    }
  }

  private async get(url: string, accept: string): Promise<{body?: unknown; status: number}> {
    const res = await this.request(url, 'GET', accept)
    const length = Number(res.headers['content-length'] ?? 0)
    if (res.statusCode !== 200 || length > MAX_MANIFEST_BYTES) {
      await res.body.dump()
      return {status: res.statusCode === 200 ? 413 : res.statusCode}
    }

    return {body: await res.body.json(), status: 200}
  }

  private async contentLength(url: string): Promise<number | undefined> {
    const res = await this.request(url, 'HEAD')
    await res.body.dump()
    const length = Number(res.headers['content-length'])
    return res.statusCode === 200 && Number.isFinite(length) && length > 0 ? length : undefined
  }

  /** The tarball's size and what it unpacks to, read as it streams (gunzip, then tar headers only). */
  private async readTarball(url: string): Promise<Pick<PackageFacts, 'files' | 'tarball' | 'unpacked'>> {
    const res = await this.request(url, 'GET')
    if (res.statusCode !== 200) {
      await res.body.dump()
      return {}
    }

    let tarball = 0
    let unpacked = 0
    let files = 0
    const reader = new TarReader({
      data() {},
      entry(header) {
        if (header.type !== 'file') return
        unpacked += header.size
        files++
      },
    })
    // One pipeline: a body that is no gzip, or a damaged tar, rejects here (never an unhandled error), and
    // backpressure runs from the tar reader back to the socket.
    await pipeline(
      res.body,
      new Transform({
        transform(chunk: Buffer, _encoding, done) {
          tarball += chunk.length
          done(null, chunk)
        },
      }),
      createGunzip(),
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          try {
            reader.write(chunk)
            done()
          } catch (error) {
            done(error as Error)
          }
        },
      }),
    )
    return {files, tarball, unpacked}
  }
}
