import {expect} from 'chai'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describeNetworkError, isLoopback, redirectTarget, retryAfterMs, routeFor, shownProxy} from '../../../../src/lib/shared/cli-network.js'
import {UserError} from '../../../../src/lib/shared/errors.js'

/** The Heroku CLI's own proxy logic: @heroku/http-call, which @heroku-cli/command's API client runs on. */
interface TunnelAgent {
  options: {ca?: Buffer[]; proxy: {host?: string; port: string}}
}
interface ProxyUtil {
  env: NodeJS.ProcessEnv
  agent(https: boolean, host: string): TunnelAgent | undefined
}
const require = createRequire(import.meta.url)
const httpCall: ProxyUtil = require(require.resolve('@heroku/http-call/lib/proxy.js', {paths: [require.resolve('@heroku-cli/command')]})).default

/** What http-call decides for `url`: the proxy as host:port (or none) and the CAs it would trust. */
function cliDecision(url: string, env: NodeJS.ProcessEnv): {ca?: number; proxy?: string} {
  const saved = httpCall.env
  httpCall.env = env
  try {
    const target = new URL(url)
    const agent = httpCall.agent(target.protocol === 'https:', target.hostname)
    return agent ? {ca: agent.options.ca?.length, proxy: `${agent.options.proxy.host}:${agent.options.proxy.port}`} : {}
  } finally {
    httpCall.env = saved
  }
}

function ourDecision(url: string, env: NodeJS.ProcessEnv): {ca?: number; proxy?: string} {
  const {ca, proxy} = routeFor(new URL(url), env)
  return proxy ? {ca: ca?.length, proxy: `${proxy.hostname}:${proxy.port}`} : {}
}

describe('routeFor: the Heroku CLI\'s proxy and CA settings', () => {
  const certDir = mkdtempSync(join(tmpdir(), 'certs-'))
  writeFileSync(join(certDir, 'a.pem'), 'not checked here')
  writeFileSync(join(certDir, 'b.pem'), 'not checked here')
  const certFile = join(certDir, 'a.pem')
  const blob = 'https://slugs.s3.amazonaws.com/x.tgz?X-Amz-Signature=s'
  const cases: Array<[string, NodeJS.ProcessEnv]> = [
    [blob, {}],
    [blob, {HTTPS_PROXY: 'http://proxy.corp:3128'}],
    [blob, {https_proxy: 'http://proxy.corp:3128'}],
    [blob, {HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:2'}],
    [blob, {HTTP_PROXY: 'http://fallback.corp:3128'}],
    [blob, {http_proxy: 'http://fallback.corp'}],
    [blob, {HTTPS_PROXY: 'http://user:pw@proxy.corp'}],
    [blob, {HTTPS_PROXY: 'https://proxy.corp:443'}],
    ['http://127.0.0.1:9/x', {HTTPS_PROXY: 'http://proxy.corp:3128'}],
    ['http://127.0.0.1:9/x', {HTTP_PROXY: 'http://proxy.corp:3128'}],
    [blob, {HTTPS_PROXY: 'http://p:1', NO_PROXY: '*'}],
    [blob, {HTTPS_PROXY: 'http://p:1', NO_PROXY: 'localhost, .amazonaws.com'}],
    [blob, {HTTPS_PROXY: 'http://p:1', no_proxy: 'amazonaws.com'}],
    [blob, {HTTPS_PROXY: 'http://p:1', NO_PROXY: 'example.com,zonaws.com'}],
    [blob, {HTTPS_PROXY: 'http://p:1', NO_PROXY: 's3.amazonaws.com:443'}],
    [blob, {HTTPS_PROXY: 'http://p:1', NO_PROXY: 'example.com,'}],
    [blob, {HTTPS_PROXY: 'http://p:1', NO_PROXY: 'example.com'}],
    [blob, {HTTPS_PROXY: 'http://p:1', SSL_CERT_FILE: certFile}],
    [blob, {HTTPS_PROXY: 'http://p:1', SSL_CERT_DIR: certDir, SSL_CERT_FILE: certFile}],
    [blob, {SSL_CERT_FILE: certFile}],
  ]

  for (const [url, env] of cases) {
    it(`decides as http-call does for ${url.split('?')[0]} with ${JSON.stringify(env).replaceAll(certDir, 'DIR')}`, () => {
      expect(ourDecision(url, env)).to.deep.equal(cliDecision(url, env))
    })
  }

  it('reads the CA files themselves, and refuses an unreadable one in one line', () => {
    const ca = routeFor(new URL(blob), {HTTPS_PROXY: 'http://p:1', SSL_CERT_FILE: certFile}).ca!
    expect(ca.map(c => c.toString())).to.deep.equal(['not checked here'])
    expect(() => routeFor(new URL(blob), {HTTPS_PROXY: 'http://p:1', SSL_CERT_FILE: '/nonexistent/ca.pem'})).to.throw(UserError, /^Cannot read the CA certificates in \/nonexistent\/ca\.pem \(from SSL_CERT_FILE or SSL_CERT_DIR\): ENOENT\.$/)
  })

  it('refuses a proxy setting that is not a URL without repeating it (it may hold a password)', () => {
    expect(() => routeFor(new URL(blob), {HTTPS_PROXY: 'http://user:s3cret@[bad'})).to.throw(UserError, /^The proxy setting HTTPS_PROXY is not a URL\.$/)
    expect(() => routeFor(new URL(blob), {HTTP_PROXY: 'http://[::zz'})).to.throw(UserError, /^The proxy setting HTTP_PROXY is not a URL\.$/)
    expect(() => routeFor(new URL('http://127.0.0.1/x'), {http_proxy: 'socks5://p:1'})).to.throw(UserError, /^The proxy setting http_proxy must be an http:\/\/ or https:\/\/ URL/)
  })

  it('shows a proxy by its scheme, host and variable, never its credentials', () => {
    expect(shownProxy(routeFor(new URL(blob), {HTTP_PROXY: 'http://user:s3cret@proxy.corp:3128'}))).to.equal('http://proxy.corp:3128 (HTTP_PROXY)')
    expect(shownProxy(routeFor(new URL(blob), {}))).to.equal('')
  })
})

describe('cli-network helpers', () => {
  it('redirectTarget follows https and this machine\'s http only', () => {
    expect(redirectTarget('http://127.0.0.1:5/a', '/b', 'X').href).to.equal('http://127.0.0.1:5/b')
    expect(redirectTarget('https://a.test/x', 'https://b.test/y?sig=1', 'X').host).to.equal('b.test')
    expect(() => redirectTarget('https://a.test/x', 'http://b.test/y?sig=1', 'The log')).to.throw(UserError, 'The log redirected to http://b.test: refused, only https is followed.')
    expect(() => redirectTarget('https://a.test/x', 'ftp://b.test/y', 'The log')).to.throw(UserError, /^The log redirected to ftp:\/\/b\.test/)
  })

  it('isLoopback knows this machine\'s names only', () => {
    expect(['127.0.0.1', 'localhost', '[::1]', '127.1.2.3'].map(h => isLoopback(h))).to.deep.equal([true, true, true, true])
    expect(['128.0.0.1', 'localhost.example.com', '10.0.0.1'].map(h => isLoopback(h))).to.deep.equal([false, false, false])
  })

  it('retryAfterMs reads seconds and HTTP dates', () => {
    const now = Date.parse('2026-11-28T12:00:00Z')
    expect(retryAfterMs('120', now)).to.equal(120_000)
    expect(retryAfterMs('Sat, 28 Nov 2026 12:05:00 GMT', now)).to.equal(300_000)
    expect(retryAfterMs(undefined, now)).to.equal(undefined)
    expect(retryAfterMs('soon', now)).to.equal(undefined)
  })

  it('describeNetworkError goes by the error code, never node\'s message', () => {
    const error = Object.assign(new Error('whatever node says this year'), {code: 'ENOTFOUND'})
    expect(describeNetworkError(error, 'blobs.test')).to.equal('blobs.test was not found in DNS (ENOTFOUND)')
    expect(describeNetworkError(new Error('no code'), 'x')).to.equal(undefined)
  })
})
