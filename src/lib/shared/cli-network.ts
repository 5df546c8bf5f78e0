import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'

import {UserError} from './errors.js'

/**
 * How the plugin reaches a URL it fetches itself (slug blobs, build logs): decided exactly as the
 * Heroku CLI's API client decides for its own requests (http-call's lib/proxy.js, under the CLI's
 * command package), so that a network where `heroku releases` works lets the plugin download too.
 */
export interface Route {
  /** the proxy to tunnel through with CONNECT; its port is always set (http-call's default: 8080) */
  proxy?: URL
  /** the environment variable the proxy was read from (HTTPS_PROXY, http_proxy...), for messages */
  proxyVariable?: string
  /**
   * CA certificates to trust instead of node's own: the file SSL_CERT_FILE names and the files in
   * SSL_CERT_DIR. http-call hands them to its proxy tunnel only; a direct connection trusts node's
   * bundled CAs plus NODE_EXTRA_CA_CERTS (which node itself reads at start, for every connection).
   */
  ca?: Buffer[]
}

/**
 * A connection that delivers nothing for this long (connecting, before the head, or in the body) has
 * stalled: one figure for every download the plugin makes itself (slug blobs, build logs).
 */
export const IDLE_TIMEOUT_MS = 20_000

/** http-call's port for a proxy URL that names none (`new URL` drops a default port too: so does http-call). */
const PROXY_DEFAULT_PORT = '8080'

/**
 * http-call's NO_PROXY test, quirks included, so one setting means the same for the API and the
 * downloads: `*` alone skips the proxy for every host; otherwise each comma-separated entry is a suffix
 * of the host name (`.example.com` also matches example.com itself; ports are not compared).
 */
function skipsProxy(host: string, noProxy: string | undefined): boolean {
  if (!noProxy) return false
  if (noProxy === '*') return true
  return noProxy.split(',').map(entry => entry.trim()).some(entry => (entry.startsWith('.') && host.endsWith(entry.slice(1))) || host.endsWith(entry))
}

/** The proxy and CA settings for `target`, from `env` (process.env by default). */
export function routeFor(target: URL, env: NodeJS.ProcessEnv = process.env): Route {
  const host = target.hostname.replace(/^\[(.*)]$/, '$1')
  if (skipsProxy(host, env.NO_PROXY || env.no_proxy)) return {}
  const names = target.protocol === 'https:' ? ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'] : ['HTTP_PROXY', 'http_proxy']
  const variable = names.find(name => env[name])
  if (!variable) return {}
  return {ca: certificates(env), proxy: proxyUrl(env[variable]!, variable), proxyVariable: variable}
}

/** The proxy as a message shows it: scheme, host and port, the variable it came from, never its credentials. */
export function shownProxy(route: Route): string {
  if (!route.proxy) return ''
  const where = `${route.proxy.protocol}//${route.proxy.host}`
  return route.proxyVariable ? `${where} (${route.proxyVariable})` : where
}

function proxyUrl(value: string, variable: string): URL {
  let proxy: URL
  try {
    proxy = new URL(value.includes('://') ? value : `http://${value}`)
  } catch {
    // Not the value itself: a proxy URL may hold a password.
    throw new UserError(`The proxy setting ${variable} is not a URL.`)
  }

  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') throw new UserError(`The proxy setting ${variable} must be an http:// or https:// URL, not ${proxy.protocol}//.`)
  proxy.port ||= PROXY_DEFAULT_PORT
  return proxy
}

/** SSL_CERT_FILE and the files of SSL_CERT_DIR, read as http-call reads them; undefined when neither is set. */
function certificates(env: NodeJS.ProcessEnv): Buffer[] | undefined {
  const files: string[] = []
  if (env.SSL_CERT_FILE) files.push(env.SSL_CERT_FILE)
  if (env.SSL_CERT_DIR) {
    const dir = env.SSL_CERT_DIR
    try {
      for (const name of readdirSync(dir).sort()) {
        if (statSync(join(dir, name)).isFile()) files.push(join(dir, name))
      }
    } catch (error) {
      throw new UserError(`SSL_CERT_DIR is set to ${dir}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`)
    }
  }

  if (files.length === 0) return undefined
  return files.map(file => {
    try {
      return readFileSync(file)
    } catch (error) {
      throw new UserError(`Cannot read the CA certificates in ${file} (from SSL_CERT_FILE or SSL_CERT_DIR): ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`)
    }
  })
}

/** Whether a host is this machine: the only hosts the plugin fetches over plain http (local test servers). */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)]$/, '$1').toLowerCase()
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}

/** The TLS error codes of an untrusted certificate (node's, from OpenSSL): worth advice about private CAs. */
const UNTRUSTED_CERT = new Set([
  'CERT_UNTRUSTED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
])

/** Whether a failure is about the server's certificate: through a proxy, the certificate is still the server's. */
export function isCertificateError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  return typeof code === 'string' && (UNTRUSTED_CERT.has(code) || code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'CERT_HAS_EXPIRED')
}

/**
 * A network failure said in the plugin's words, from the error's code (never node's message, whose
 * wording changes between node versions). Undefined for an error that is not a network failure.
 */
export function describeNetworkError(error: unknown, where: string): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  if (typeof code !== 'string') return undefined
  if (UNTRUSTED_CERT.has(code)) {
    return `the certificate of ${where} is not signed by a CA this machine trusts (${code}); behind a TLS-inspecting proxy, point SSL_CERT_FILE or NODE_EXTRA_CA_CERTS at its CA certificate`
  }

  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `the certificate of ${where} is for another host name (${code})`
  if (code === 'CERT_HAS_EXPIRED') return `the certificate of ${where} has expired (${code})`
  if (code === 'ECONNREFUSED') return `${where} refused the connection (ECONNREFUSED)`
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `${where} was not found in DNS (${code})`
  if (code === 'ECONNRESET' || code === 'EPIPE') return `${where} closed the connection (${code})`
  if (code === 'ETIMEDOUT' || code === 'ENETUNREACH' || code === 'EHOSTUNREACH') return `${where} could not be reached (${code})`
  return /^[A-Z][A-Z_]*$/.test(code) ? `the connection to ${where} failed (${code})` : undefined
}

/**
 * Where a redirect (3xx with Location) from `current` leads, when the plugin may follow it: to https,
 * or to plain http only on this machine (local test servers). Anything else would carry a signed URL
 * and the bytes unencrypted: refused in one line naming only the host (the URL holds a signature).
 */
export function redirectTarget(current: string, location: string, what: string): URL {
  let target: URL
  try {
    target = new URL(location, current)
  } catch {
    throw new UserError(`${what} redirected to an address that is not a URL.`)
  }

  if (target.protocol === 'https:' || (target.protocol === 'http:' && isLoopback(target.hostname))) return target
  throw new UserError(`${what} redirected to ${target.protocol}//${target.host}: refused, only https is followed.`)
}

/**
 * How long a Retry-After header asks to wait, in ms: delay-seconds or an HTTP date (RFC 9110 10.2.3);
 * undefined when absent or unreadable.
 */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined
  const text = value.trim()
  if (/^\d{1,9}$/.test(text)) return Number(text) * 1000
  const date = Date.parse(text)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** "in 2 min (at 14:05 UTC)": when to try again, for a message. */
export function retryWhen(ms: number, now = Date.now()): string {
  const at = new Date(now + ms).toISOString().slice(11, 16)
  const wait = ms < 90_000 ? `${Math.ceil(ms / 1000)} s` : `${Math.ceil(ms / 60_000)} min`
  return `in ${wait} (at ${at} UTC)`
}

/**
 * An undici dispatcher that reaches `target` by the same route as the plugin's own blob client: the
 * CLI's proxy (a CONNECT tunnel, as http-call's tunnel-agent opens) and CAs. `ca` stands in when the
 * route names none (tests). undici is imported here, on first use: only build logs need it.
 */
export async function undiciDispatcher(target: URL, options: {ca?: Buffer | Buffer[] | string; connectTimeoutMs: number; env?: NodeJS.ProcessEnv}) {
  const {Agent, Pool, ProxyAgent} = await import('undici')
  const route = routeFor(target, options.env)
  const ca = route.ca ?? options.ca
  const connect = {timeout: options.connectTimeoutMs, ...(ca ? {ca} : {})}
  if (!route.proxy) return new Agent({connect})
  // The proxy's answer to CONNECT is bounded too: undici's own pool to the proxy waits 300 s for it.
  const bounds = {bodyTimeout: options.connectTimeoutMs, headersTimeout: options.connectTimeoutMs}
  return new ProxyAgent({clientFactory: (origin, poolOptions) => new Pool(origin, {...poolOptions, ...bounds}), connect, proxyTls: connect, requestTls: connect, uri: route.proxy.href})
}
